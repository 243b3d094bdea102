// UserDirectory: who a platform knows by an email address, for the spreadsheet import
// (bot/plan_import.h), whose Owner column often holds emails rather than chat handles.
//
// Contract: FindByEmail returns the platform user id (and a name to show) of the one active
// user with that email address, compared case-insensitively by the platform. kNotFound when the
// platform has no such user; kPermissionDenied when the bot may not ask (e.g. the Slack app lacks
// the users:read.email scope; the message says what to grant); kUnavailable when the platform
// cannot be reached. Implementations live in the adapters (Slack users.lookupByEmail, the Teams
// roster, Mattermost /users/email); the import caches answers, so an implementation need not.
// Thread-compatible: one import uses a directory from one thread.
#pragma once

#include <string>

#include "core/status.h"

namespace okrbot {

struct DirectoryUser {
  std::string id;    // the platform user id the Store keys users by ("U123", "29:...", ...)
  std::string name;  // display name; may be empty
};

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  virtual Result<DirectoryUser> FindByEmail(const std::string& email) = 0;
};

}  // namespace okrbot
