#include "adapters/console/console_adapter.h"

#include <istream>
#include <ostream>

#include "bot/text_render.h"
#include "core/text_util.h"

namespace okrbot {

int RunConsole(Bot* bot, const ConsoleOptions& options, std::istream& in, std::ostream& out) {
  Actor actor;
  actor.workspace_id = options.workspace_id;
  actor.user_id = options.user;
  actor.display_name = options.user;
  actor.tz = options.tz;
  actor.platform_admin = options.admin;
  int errors = 0;
  std::string line;
  while (true) {
    if (options.interactive) out << "okr(" << actor.user_id << ")> " << std::flush;
    if (!std::getline(in, line)) break;
    std::string command = Trim(line);
    if (command.empty() || command[0] == '#') continue;
    if (command == ":quit" || command == ":exit") break;
    if (command.rfind(":user ", 0) == 0) {
      std::string name = Trim(command.substr(6));
      if (!name.empty() && name[0] == '@') name = name.substr(1);
      if (name.empty() || !IsValidUtf8(name) || HasControlCharacters(name)) {
        out << "error: :user needs a name\n\n";
        ++errors;
        continue;
      }
      actor.user_id = name;
      actor.display_name = name;
      out << "(now acting as " << name << ")\n\n" << std::flush;
      continue;
    }
    if (command == ":admin on" || command == ":admin off") {
      actor.platform_admin = command == ":admin on";
      out << "(admin " << (actor.platform_admin ? "on" : "off") << ")\n\n" << std::flush;
      continue;
    }
    Reply reply = bot->Handle(actor, command);
    if (reply.is_error) {
      out << "error: ";
      ++errors;
    } else if (reply.visibility == Visibility::kChannel) {
      out << "[posted to channel]\n";
    }
    out << RenderPlainText(reply) << "\n" << std::flush;
  }
  return errors;
}

}  // namespace okrbot
