// SlackUserDirectory: the UserDirectory (bot/user_directory.h) of a Slack workspace, through
// users.lookupByEmail. The app needs the users:read.email scope (deploy/slack-app-manifest*.yaml);
// without it Slack answers missing_scope, reported as kPermissionDenied saying what to grant.
// Thread-compatible (the SlackClient itself is thread-safe).
#pragma once

#include <string>

#include "adapters/slack/slack_client.h"
#include "bot/user_directory.h"

namespace okrbot::slack {

class SlackUserDirectory : public UserDirectory {
 public:
  // `client` must outlive the directory; `token` is the workspace's bot token.
  SlackUserDirectory(const SlackClient* client, std::string token)
      : client_(client), token_(std::move(token)) {}

  Result<DirectoryUser> FindByEmail(const std::string& email) override;

 private:
  static Result<DirectoryUser> ReadUser(const nlohmann::json& user, const std::string& email);

  const SlackClient* client_;
  std::string token_;
};

}  // namespace okrbot::slack
