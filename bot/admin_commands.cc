// The workspace admin list: `admin add|remove|list`.
// Session methods behind Bot (bot/session.h); thread-compatible like the Session.

#include "bot/session.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

Reply Session::Admin() {
  std::string action = AsciiLower(cmd_.args[0].text);
  Reply r = Ok();
  if (action == "list") {
    std::vector<std::string> names;
    for (const auto& a : ws_.admins) names.push_back(UserLabel(a));
    if (names.empty()) {
      r.Text("No admins yet: anyone may set reminders. `/okr admin add @you` starts the list.");
    } else {
      r.Text("Workspace admins:");
      r.List(std::move(names));
    }
    return r;
  }
  if (action != "add" && action != "remove")
    return Error("Use admin add, admin remove or admin list.");
  // The first admin of a chat workspace must be one of its platform admins; only the console
  // (a single local person) may start the list freely.
  bool may_change = IsAdmin() || (ws_.admins.empty() && ws_.platform == "console");
  if (!may_change) {
    return Error(ws_.admins.empty()
                     ? "The first okrbot admin must be a workspace admin of the chat platform."
                     : "Only workspace admins can change the admin list.");
  }
  if (cmd_.args.size() < 2) return Error("Whom? e.g. /okr admin add @carol");
  auto user = ResolveUser(cmd_.args[1].text);
  if (!user.ok()) return Error(user.status().message());
  Workspace updated = ws_;
  auto it = std::find(updated.admins.begin(), updated.admins.end(), *user);
  if (action == "add") {
    if (it != updated.admins.end()) {
      r.Text(UserLabel(*user) + " is already an admin.");
      return r;
    }
    updated.admins.push_back(*user);
  } else {
    if (it == updated.admins.end()) return Error(UserLabel(*user) + " is not an admin.");
    updated.admins.erase(it);
  }
  if (Status s = store_->UpsertWorkspace(updated); !s.ok()) return Failure(s);
  EditRecord e{
      ws_.id,         "workspace", "admins", "", *user + (action == "add" ? " added" : " removed"),
      actor_.user_id, now_};
  (void)store_->AppendEdit(e);  // the change itself is committed; history is best effort here
  r.Text(UserLabel(*user) + (action == "add" ? " is now an admin." : " is no longer an admin."));
  return r;
}

}  // namespace okrbot::bot_internal
