// Which bot token okrbot uses for a Slack workspace, for every Slack code path (routes and
// scheduled delivery).
//
// Contract: in single-workspace mode (a configured SLACK_BOT_TOKEN) every workspace uses that
// token; otherwise the workspace's installation holds the token sealed with SecretBox. Not
// installed, uninstalled (empty token) or no SecretBox -> kNotFound; a sealed token that cannot
// be opened (OKRBOT_SECRET_KEY changed) -> kUnavailable. Thread-safe as the Store is.
#pragma once

#include <string>

#include "bot/secret_box.h"
#include "core/status.h"
#include "storage/store.h"

namespace okrbot::slack {

class SlackTokens {
 public:
  // `secret_box` may be null; pointers must outlive this object.
  SlackTokens(Store* store, const SecretBox* secret_box, std::string single_workspace_token)
      : store_(store), secret_box_(secret_box), single_token_(std::move(single_workspace_token)) {}

  bool single_workspace() const { return !single_token_.empty(); }
  Result<std::string> TokenFor(const std::string& workspace_id) const;

 private:
  Store* store_;
  const SecretBox* secret_box_;
  std::string single_token_;
};

}  // namespace okrbot::slack
