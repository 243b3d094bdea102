#include "adapters/slack/slack_tokens.h"

#include <spdlog/spdlog.h>

namespace okrbot::slack {

Result<std::string> SlackTokens::TokenFor(const std::string& workspace_id) const {
  if (!single_token_.empty()) return single_token_;
  auto installation = store_->GetInstallation(workspace_id);
  if (!installation.ok()) {
    if (installation.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("okrbot is not installed in this workspace.");
    }
    return installation.status();
  }
  if (installation->bot_token_sealed.empty() || secret_box_ == nullptr) {
    return Status::NotFound("okrbot is not installed in this workspace.");
  }
  auto token = secret_box_->Open(installation->bot_token_sealed);
  if (!token.ok()) {
    spdlog::error("slack: cannot open the stored token of {} (was OKRBOT_SECRET_KEY changed?)",
                  workspace_id);
    return Status::Unavailable("The stored Slack token cannot be read.");
  }
  return *token;
}

}  // namespace okrbot::slack
