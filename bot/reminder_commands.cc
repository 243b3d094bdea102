// Reminders and availability: `remind checkin|digest|off|show`, `snooze`, `away` and `tz`.
// Session methods behind Bot (bot/session.h); thread-compatible like the Session.
#include <date/tz.h>

#include <cctype>

#include "bot/session.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

Reply Session::RemindCheckin() {
  if (!MayManageWorkspace()) return Error("Only workspace admins can change reminders.");
  Reminder reminder;
  reminder.workspace_id = ws_.id;
  reminder.kind = "checkin";
  if (!ParseWeekday(cmd_.args[0].text, &reminder.weekday)) {
    return Error("`" + cmd_.args[0].text + "` is not a day: write monday, tue, ...");
  }
  if (!ParseClockTime(cmd_.args[1].text, &reminder.minute_of_day)) {
    return Error("`" + cmd_.args[1].text + "` is not a time: write it as HH:MM, e.g. 10:00.");
  }
  if (cmd_.has("team")) reminder.team = AsciiLower(cmd_.get("team"));
  if (Status s = CheckText("The team", reminder.team, limits_.max_name_bytes, true); !s.ok()) {
    return Error(s.message());
  }
  if (Status s = store_->PutReminder(reminder); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("Check-in prompts " +
         (reminder.team.empty() ? std::string("for everyone") : "for team " + reminder.team) +
         ": every " + WeekdayName(reminder.weekday) + " at " +
         FormatClockTime(reminder.minute_of_day) + " in each owner's own time zone.");
  return r;
}

Reply Session::RemindDigest() {
  if (!MayManageWorkspace()) return Error("Only workspace admins can change reminders.");
  Reminder reminder;
  reminder.workspace_id = ws_.id;
  reminder.kind = "digest";
  std::string channel = cmd_.args[0].text;
  if (channel.rfind("<#", 0) == 0 && channel.back() == '>') {  // Slack escaped form <#C123|name>
    channel = channel.substr(2, channel.size() - 3);
    channel = channel.substr(0, channel.find('|'));
  } else if (!channel.empty() && channel[0] == '#') {
    channel = channel.substr(1);
  } else {
    return Error("`" + channel + "` is not a channel: write it as #channel.");
  }
  // Channel ids can be longer than names (Teams: "19:<guid>_<guid>@unq.gbl.spaces").
  if (channel.empty() || channel.size() > kMaxChannelBytes || !IsValidUtf8(channel) ||
      HasControlCharacters(channel)) {
    return Error("That channel name is not valid.");
  }
  reminder.channel = channel;
  if (!ParseWeekday(cmd_.args[1].text, &reminder.weekday)) {
    return Error("`" + cmd_.args[1].text + "` is not a day: write monday, tue, ...");
  }
  if (!ParseClockTime(cmd_.args[2].text, &reminder.minute_of_day)) {
    return Error("`" + cmd_.args[2].text + "` is not a time: write it as HH:MM, e.g. 16:00.");
  }
  reminder.tz = cmd_.has("tz") ? cmd_.get("tz") : ws_.default_tz;
  if (!IsValidZone(reminder.tz)) {
    return Error("`" + reminder.tz +
                 "` is not a time zone I know: use an IANA name like "
                 "Europe/Berlin.");
  }
  if (Status s = store_->PutReminder(reminder); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("Digest to #" + reminder.channel + " every " + WeekdayName(reminder.weekday) + " at " +
         FormatClockTime(reminder.minute_of_day) + " (" + reminder.tz + ").");
  return r;
}

Reply Session::RemindOff() {
  if (!MayManageWorkspace()) return Error("Only workspace admins can change reminders.");
  auto reminders = store_->ListReminders(ws_.id);
  if (!reminders.ok()) return Failure(reminders.status());
  bool has_workspace_checkin = false;
  for (Reminder reminder : *reminders) {
    has_workspace_checkin |= reminder.kind == "checkin" && reminder.team.empty();
    reminder.enabled = false;
    if (Status s = store_->PutReminder(reminder); !s.ok()) return Failure(s);
  }
  if (!has_workspace_checkin) {
    // The default Monday prompt has no row of its own: store it, switched off.
    Reminder off;
    off.workspace_id = ws_.id;
    off.kind = "checkin";
    off.enabled = false;
    if (Status s = store_->PutReminder(off); !s.ok()) return Failure(s);
  }
  Reply r = Ok();
  r.Text("Reminders are off for this workspace. `/okr remind checkin ...` turns them on again.");
  return r;
}

Reply Session::RemindShow() {
  auto reminders = store_->ListReminders(ws_.id);
  if (!reminders.ok()) return Failure(reminders.status());
  Reply r = Ok();
  r.Header("Reminders");
  std::vector<std::string> lines;
  bool has_checkin = false;
  for (const auto& rem : *reminders) {
    std::string state = rem.enabled ? "" : " (off)";
    if (rem.kind == "checkin") {
      has_checkin = true;
      lines.push_back("Check-in prompt" +
                      (rem.team.empty() ? std::string() : " for team " + rem.team) + ": " +
                      WeekdayName(rem.weekday) + " " + FormatClockTime(rem.minute_of_day) +
                      " in each owner's time zone" + state);
    } else {
      lines.push_back("Digest to #" + rem.channel + ": " + WeekdayName(rem.weekday) + " " +
                      FormatClockTime(rem.minute_of_day) + " (" + rem.tz + ")" + state);
    }
  }
  if (!has_checkin) {
    lines.insert(lines.begin(),
                 "Check-in prompt: Monday 10:00 in each owner's time zone "
                 "(default)");
  }
  r.List(std::move(lines));
  return r;
}

Reply Session::Snooze() {
  KeyResult kr;
  Objective objective;
  Reply refusal;
  if (!LoadKrToChange(0, "snooze", &kr, &objective, &refusal)) return refusal;
  Days today = date::floor<date::days>(now_);
  Days until;
  if (cmd_.has("until")) {
    if (cmd_.args.size() > 1) return Error("Give either a duration (1w, 2d) or until:<date>.");
    if (!ParseDate(cmd_.get("until"), &until)) {
      return Error("`" + cmd_.get("until") + "` is not a date: write it as 2026-12-01.");
    }
  } else {
    if (cmd_.args.size() < 2) return Error("For how long? e.g. 1w, 2d or until:2026-12-01.");
    std::string d = AsciiLower(cmd_.args[1].text);
    int count = 0;
    char unit = d.empty() ? '\0' : d.back();
    std::string digits = d.empty() ? "" : d.substr(0, d.size() - 1);
    bool digits_ok = !digits.empty() && digits.size() <= 3 &&
                     std::all_of(digits.begin(), digits.end(),
                                 [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits_ok || (unit != 'd' && unit != 'w')) {
      return Error("`" + cmd_.args[1].text +
                   "` is not a duration: write 2d, 1w or "
                   "until:2026-12-01.");
    }
    count = std::stoi(digits) * (unit == 'w' ? 7 : 1);
    until = today + date::days{count};
  }
  if (until < today) return Error("That date has passed; pick a day from today on.");
  if (until > today + date::days{366}) return Error("Snooze for at most a year.");
  KeyResult updated = kr;
  updated.snoozed_until = until;
  EditRecord e{ws_.id,
               KeyResultRef(kr.number),
               "snoozed_until",
               kr.snoozed_until ? FormatDate(*kr.snoozed_until) : "",
               FormatDate(until),
               actor_.user_id,
               now_};
  if (Status s = store_->UpdateKeyResult(updated, {e}); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("Snoozed " + KeyResultRef(kr.number) + " until " + FormatDate(until) +
         ": no prompts or nudges for it until then.");
  return r;
}

Reply Session::Away() {
  auto user = store_->GetUser(ws_.id, actor_.user_id);
  if (!user.ok()) return Failure(user.status());
  User updated = *user;
  Reply r = Ok();
  Days today = date::floor<date::days>(now_);
  if (!cmd_.args.empty()) {
    if (AsciiLower(cmd_.args[0].text) != "off" || cmd_.has("until")) {
      return Error("Write /okr away until:2026-12-24, or /okr away off.");
    }
    updated.away_until.reset();
    r.Text("Welcome back! Prompts and nudges are on again.");
  } else {
    if (!cmd_.has("until")) return Error("Until when? e.g. /okr away until:2026-12-24");
    Days until;
    if (!ParseDate(cmd_.get("until"), &until)) {
      return Error("`" + cmd_.get("until") + "` is not a date: write it as 2026-12-24.");
    }
    if (until < today) return Error("That date has passed; pick a day from today on.");
    if (until > today + date::days{366}) return Error("Away for at most a year.");
    updated.away_until = until;
    r.Text("You are away until " + FormatDate(until) +
           ": no prompts, your KRs are not counted stale, and digests show you as away.");
  }
  if (Status s = store_->UpsertUser(updated); !s.ok()) return Failure(s);
  return r;
}

Reply Session::Tz() {
  std::string zone = cmd_.args[0].text;
  if (!IsValidZone(zone)) {
    return Error("`" + zone +
                 "` is not a time zone I know: use an IANA name like "
                 "Europe/Berlin or America/New_York.");
  }
  auto user = store_->GetUser(ws_.id, actor_.user_id);
  if (!user.ok()) return Failure(user.status());
  User updated = *user;
  updated.tz_override = date::locate_zone(zone)->name();
  if (Status s = store_->UpsertUser(updated); !s.ok()) return Failure(s);
  auto local = date::make_zoned(date::locate_zone(updated.tz_override), now_);
  Reply r = Ok();
  r.Text("Your time zone is now " + updated.tz_override + " (it is " +
         date::format("%H:%M", local.get_local_time()) +
         " there). Prompts come at your local "
         "time.");
  return r;
}

}  // namespace okrbot::bot_internal
