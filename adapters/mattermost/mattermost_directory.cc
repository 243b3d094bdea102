#include "adapters/mattermost/mattermost_directory.h"

namespace okrbot::mattermost {

Result<DirectoryUser> MattermostUserDirectory::FindByEmail(const std::string& email) {
  MattermostCallStats stats;
  auto found = client_->UserByEmail(email, &stats);
  if (!found.ok()) {
    if (stats.http_status == 404) return Status::NotFound("no Mattermost user " + email);
    return found.status();
  }
  return DirectoryUser{found->first, found->second};
}

}  // namespace okrbot::mattermost
