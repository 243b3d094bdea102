// MattermostUserDirectory: the UserDirectory (bot/user_directory.h) of a Mattermost server,
// through GET /api/v4/users/email/{email}. The bot account must be allowed to see email
// addresses (System Console > Privacy > Show Email Address, or a bot with the permission).
// Thread-compatible (the client itself is thread-safe).
#pragma once

#include "adapters/mattermost/mattermost_client.h"
#include "bot/user_directory.h"

namespace okrbot::mattermost {

class MattermostUserDirectory : public UserDirectory {
 public:
  explicit MattermostUserDirectory(const MattermostClient* client) : client_(client) {}
  Result<DirectoryUser> FindByEmail(const std::string& email) override;

 private:
  const MattermostClient* client_;
};

}  // namespace okrbot::mattermost
