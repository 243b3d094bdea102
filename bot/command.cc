#include "bot/command.h"
#include "core/text_util.h"

#include <algorithm>
#include <cctype>

namespace okrbot {
namespace {

std::vector<CommandSpec> BuildTable() {
  return {
      {"help",
       "/okr help [command]",
       "Show what okrbot can do, or how one command works.",
       {"/okr help", "/okr help update"},
       {},
       0,
       2},
      {"objective add",
       "/okr objective add \"<title>\" [owner:@u] [team:<name>] [cycle:2026-Q4] "
       "[type:stretch|committed] [parent:<O>]",
       "Create an objective; answers with its id.",
       {"/okr objective add \"Delight our customers\" owner:@alice team:support type:stretch"},
       {"owner", "team", "cycle", "type", "parent", "public"},
       1,
       1},
      {"kr add",
       "/okr kr add <O> \"<text>\" [owner:@u] [from:<n>] [to:<n>] [unit:<u>] "
       "[cadence:weekly|biweekly|monthly]",
       "Add a key result to an objective; the metric is read from the text.",
       {"/okr kr add O1 \"Increase our NPS from 55 to 70\" owner:@bob"},
       {"owner", "from", "to", "unit", "cadence", "weight", "direction", "public"},
       2,
       2},
      {"update",
       "/okr update <KR> <value> [confidence:<0-100|high|medium|low>] [note text...]",
       "Record a check-in: a value, +5/-2 relative, or done / not done.",
       {"/okr update KR1 62 confidence:high new onboarding flow live", "/okr update KR2 +5",
        "/okr update KR3 done"},
       {"confidence", "public"},
       2,
       2,
       true},
      {"list",
       "/okr list [mine|@u|team:<name>|<O>] [cycle:<c>] [archived:yes]",
       "Objectives with their key results, progress and staleness.",
       {"/okr list", "/okr list mine", "/okr list team:support cycle:2026-Q4"},
       {"team", "cycle", "archived", "public"},
       0,
       1},
      {"show",
       "/okr show <O|KR>",
       "Details and check-in history with a sparkline.",
       {"/okr show KR1", "/okr show O2"},
       {"public"},
       1,
       1},
      {"tree",
       "/okr tree [cycle:<c>]",
       "The alignment tree with progress rolled up.",
       {"/okr tree"},
       {"cycle", "public"},
       0,
       0},
      {"initiative add",
       "/okr initiative add <KR> \"<text>\"",
       "Plan work that should move a key result (activities belong here).",
       {"/okr initiative add KR2 \"Run 50 customer interviews\""},
       {},
       2,
       2},
      {"initiative done",
       "/okr initiative done <I>",
       "Mark an initiative as done.",
       {"/okr initiative done I1"},
       {},
       1,
       1},
      {"edit",
       "/okr edit <O|KR> [title:\"...\"] [owner:@u] [team:<name>] [type:stretch|committed] "
       "[from:<n>] [to:<n>] [unit:<u>] [cadence:<c>]",
       "Change fields; the history keeps every change.",
       {"/okr edit KR1 to:75", "/okr edit O1 title:\"Delight every customer\" owner:@carol"},
       {"title", "owner", "team", "type", "cycle", "parent", "from", "to", "unit", "cadence",
        "weight", "direction"},
       1,
       1},
      {"archive",
       "/okr archive <O|KR>",
       "Hide from lists and reminders; nothing is deleted.",
       {"/okr archive KR4"},
       {},
       1,
       1},
      {"review",
       "/okr review [<O>|mine|all]",
       "The quality review: binary, activity and unmeasured KRs, with suggested rewrites.",
       {"/okr review", "/okr review O1"},
       {"cycle", "public"},
       0,
       1},
      {"keep",
       "/okr keep <KR>",
       "Keep a key result as written: the quality nudges for it stop.",
       {"/okr keep KR3"},
       {},
       1,
       1},
      {"stale",
       "/okr stale",
       "Key results without a check-in within their cadence plus grace.",
       {"/okr stale"},
       {"public"},
       0,
       0},
      {"summary",
       "/okr summary [cycle:<c>]",
       "The cycle summary with scores (posted to the channel).",
       {"/okr summary cycle:2026-Q4"},
       {"cycle", "public"},
       0,
       0},
      {"remind checkin",
       "/okr remind checkin <day> <HH:MM> [team:<name>]",
       "When owners are asked for their weekly check-in, in each owner's own time zone.",
       {"/okr remind checkin monday 10:00"},
       {"team"},
       2,
       2},
      {"remind digest",
       "/okr remind digest <#channel> <day> <HH:MM> [tz:<IANA>]",
       "A weekly progress digest in a channel.",
       {"/okr remind digest #okrs friday 16:00 tz:Europe/Berlin"},
       {"tz"},
       3,
       3},
      {"remind off",
       "/okr remind off",
       "Stop all reminders of this workspace.",
       {"/okr remind off"},
       {},
       0,
       0},
      {"remind show",
       "/okr remind show",
       "Show the reminder settings.",
       {"/okr remind show"},
       {},
       0,
       0},
      {"snooze",
       "/okr snooze <KR> <1w|2d|until:2026-12-01>",
       "No prompts for that key result until then.",
       {"/okr snooze KR2 1w", "/okr snooze KR2 until:2026-12-01"},
       {"until"},
       1,
       2},
      {"away",
       "/okr away until:<date> | /okr away off",
       "Out of office: no prompts, not counted stale, shown as away.",
       {"/okr away until:2026-12-24", "/okr away off"},
       {"until"},
       0,
       1},
      {"todo",
       "/okr todo",
       "What needs you now: due check-ins, stale KRs, quality findings.",
       {"/okr todo"},
       {},
       0,
       0},
      {"tz",
       "/okr tz <IANA zone>",
       "Set your time zone (otherwise taken from the platform).",
       {"/okr tz Europe/Berlin", "/okr tz America/New_York"},
       {},
       1,
       1},
      {"dashboard",
       "/okr dashboard",
       "A private link to the web dashboard: charts, history, check-ins (valid 10 minutes, once).",
       {"/okr dashboard"},
       {},
       0,
       0},
      {"admin",
       "/okr admin add|remove|list [@u]",
       "Workspace admins may update any key result.",
       {"/okr admin add @carol"},
       {},
       1,
       2},
  };
}

// Subcommands written as two words ("kr add"): the first word of each.
bool IsGroup(const std::string& word) {
  return word == "objective" || word == "kr" || word == "initiative" || word == "remind";
}

std::string CanonicalWord(const std::string& word) {
  if (word == "obj" || word == "objectives" || word == "o") return "objective";
  if (word == "keyresult" || word == "key-result" || word == "krs") return "kr";
  if (word == "ls") return "list";
  if (word == "?") return "help";
  return word;
}

}  // namespace

const std::vector<CommandSpec>& CommandTable() {
  static const std::vector<CommandSpec> table = BuildTable();
  return table;
}

const CommandSpec* FindCommand(const std::string& name) {
  std::string wanted = AsciiLower(name);
  for (const auto& spec : CommandTable()) {
    if (spec.name == wanted) return &spec;
  }
  return nullptr;
}

ParseOutcome ParseCommand(const std::string& text) {
  ParseOutcome outcome;
  auto tokens_or = Tokenize(text);
  if (!tokens_or.ok()) {
    outcome.error = tokens_or.status().message();
    return outcome;
  }
  std::vector<Token> tokens = std::move(*tokens_or);
  size_t next = 0;
  if (next < tokens.size() && !tokens[next].quoted && !tokens[next].is_option()) {
    std::string first = AsciiLower(tokens[next].text);
    if (first == "/okr" || first == "okr") ++next;
  }
  if (next >= tokens.size()) {
    outcome.ok = true;
    outcome.command.spec = FindCommand("help");
    return outcome;
  }
  if (tokens[next].quoted || tokens[next].is_option()) {
    outcome.error = "A command starts with a word such as `update` or `list`, not \"" +
                    tokens[next].Original() + "\".";
    return outcome;
  }
  std::string word = CanonicalWord(AsciiLower(tokens[next].text));
  ++next;
  std::string name = word;
  if (IsGroup(word)) {
    if (next >= tokens.size() || tokens[next].quoted || tokens[next].is_option()) {
      outcome.error = "`" + word + "` needs a second word.";
      outcome.spec = nullptr;
      for (const auto& spec : CommandTable()) {
        if (spec.name.rfind(word + " ", 0) == 0) {
          outcome.spec = &spec;
          break;
        }
      }
      return outcome;
    }
    name = word + " " + AsciiLower(tokens[next].text);
    ++next;
  }
  const CommandSpec* spec = FindCommand(name);
  if (spec == nullptr) {
    outcome.error = IsGroup(word) ? "`" + name + "` is not a command I know."
                                  : "`" + word + "` is not a command I know.";
    return outcome;
  }
  outcome.spec = spec;
  ParsedCommand& cmd = outcome.command;
  cmd.spec = spec;
  for (; next < tokens.size(); ++next) {
    Token& token = tokens[next];
    bool allowed = token.is_option() && std::find(spec->options.begin(), spec->options.end(),
                                                  token.key) != spec->options.end();
    if (token.is_option() && allowed) {
      if (cmd.options.count(token.key) != 0) {
        outcome.error = "The option `" + token.key + ":` is given twice.";
        return outcome;
      }
      cmd.options[token.key] = token.text;
      continue;
    }
    int positional = static_cast<int>(cmd.args.size());
    bool has_room = spec->max_args < 0 || positional < spec->max_args;
    if (has_room && !token.is_option()) {
      cmd.args.push_back(token);
      continue;
    }
    if (spec->free_text_tail && cmd.args.size() >= static_cast<size_t>(spec->min_args)) {
      cmd.tail.push_back(token);
      continue;
    }
    if (token.is_option()) {
      outcome.error = "`" + spec->name + "` has no option `" + token.key + ":`.";
    } else {
      outcome.error =
          "Too many words for `" + spec->name + "`: I did not expect \"" + token.text + "\".";
    }
    return outcome;
  }
  if (static_cast<int>(cmd.args.size()) < spec->min_args) {
    outcome.error = "`" + spec->name + "` needs more: see how it is used below.";
    return outcome;
  }
  outcome.ok = true;
  return outcome;
}

bool IsReadOnly(const ParsedCommand& command) {
  if (command.spec == nullptr) return false;
  const std::string& name = command.spec->name;
  if (name == "admin") {
    return !command.args.empty() && AsciiLower(command.args[0].Original()) == "list";
  }
  return name == "help" || name == "list" || name == "show" || name == "tree" || name == "review" ||
         name == "stale" || name == "todo" || name == "remind show";
}

}  // namespace okrbot
