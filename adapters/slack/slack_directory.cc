#include "adapters/slack/slack_directory.h"

namespace okrbot::slack {

Result<DirectoryUser> SlackUserDirectory::FindByEmail(const std::string& email) {
  SlackCallStats stats;
  auto answer = client_->Call("users.lookupByEmail", token_, {{"email", email}}, &stats);
  if (!answer.ok()) {
    if (stats.slack_error == "users_not_found") return Status::NotFound("no Slack user " + email);
    if (stats.slack_error == "missing_scope") {
      return Status::PermissionDenied(
          "the Slack app lacks the users:read.email scope; add it to the app (see "
          "deploy/slack-app-manifest.yaml) and reinstall it");
    }
    return answer.status();
  }
  try {  // a user whose fields have unexpected types is Slack misbehaving, not a crash
    return ReadUser((*answer)["user"], email);
  } catch (const nlohmann::json::exception&) {
    return Status::Unavailable("Slack answered users.lookupByEmail with an unreadable user");
  }
}

Result<DirectoryUser> SlackUserDirectory::ReadUser(const nlohmann::json& user,
                                                   const std::string& email) {
  if (!user.is_object() || !user.contains("id") || !user["id"].is_string()) {
    return Status::Unavailable("Slack answered users.lookupByEmail without a user id");
  }
  if (user.value("deleted", false)) return Status::NotFound("the Slack user " + email + " left");
  DirectoryUser found;
  found.id = user["id"].get<std::string>();
  const nlohmann::json profile = user.value("profile", nlohmann::json::object());
  for (const std::string& name :
       {profile.is_object() ? profile.value("display_name", "") : std::string(),
        user.value("real_name", ""), user.value("name", "")}) {
    if (!name.empty()) {
      found.name = name;
      break;
    }
  }
  return found;
}

}  // namespace okrbot::slack
