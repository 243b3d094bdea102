// The OKR model: plain value types shared by every layer (bot, storage, adapters, scheduler).
//
// Contract: these structs carry no behaviour beyond small helpers and name conversions; every
// row belongs to exactly one workspace (`workspace_id`) and nothing crosses workspaces. Numbers
// (`O3`, `KR12`, `I2`) are per workspace and assigned by the Store. Times are UTC seconds;
// calendar dates are days. Values are safe to copy between threads.
#pragma once

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace okrbot {

using Days = date::sys_days;

enum class Direction {
  kIncrease,         // higher is better, from baseline up to target
  kDecrease,         // lower is better, from baseline down to target
  kMaintainAtLeast,  // stay at or above target ("maintain a rating of 4.5/5")
  kMaintainAtMost,   // stay at or below target ("keep p95 under 200 ms")
  kBinary,           // done / not done: scores 0 or 1
};

enum class Cadence { kWeekly, kBiweekly, kMonthly };

enum class GoalType { kCommitted, kStretch };

enum class Confidence { kUnset, kLow, kMedium, kHigh };

const char* DirectionName(Direction d);  // "increase", "decrease", "maintain-at-least", ...
bool ParseDirection(const std::string& text, Direction* out);
const char* CadenceName(Cadence c);  // "weekly", "biweekly", "monthly"
bool ParseCadence(const std::string& text, Cadence* out);
int CadenceDays(Cadence c);            // 7, 14, 30
const char* GoalTypeName(GoalType t);  // "committed", "stretch"
bool ParseGoalType(const std::string& text, GoalType* out);

std::string FormatDate(Days day);                    // "2026-12-01"
bool ParseDate(const std::string& text, Days* out);  // strict YYYY-MM-DD, valid calendar day

struct Workspace {
  std::string id;        // platform-scoped, e.g. "slack:T0123", "console:local"
  std::string platform;  // "slack", "teams", "mattermost", "console"
  std::string name;
  int fiscal_year_start_month = 1;  // 1..12; quarters count from this month
  std::vector<std::string> admins;  // user ids allowed to update anyone's KRs
  std::vector<Days> holidays;       // no prompts or nudges on these days
  std::string default_tz = "UTC";
  bool installed = true;  // false after uninstall: no posts
  Seconds created_at{};
};

struct User {
  std::string workspace_id;
  std::string id;                  // platform user id ("U123", "alice" on the console)
  std::string display_name;        // for rendering; may be empty
  std::string tz;                  // IANA zone from the platform; empty = unknown
  std::string tz_override;         // set by `/okr tz`; wins over `tz`
  std::optional<Days> away_until;  // inclusive last day away
  std::string EffectiveTz(const std::string& fallback) const {
    if (!tz_override.empty()) return tz_override;
    if (!tz.empty()) return tz;
    return fallback;
  }
};

struct Objective {
  std::string workspace_id;
  int64_t number = 0;  // O<number>; 0 = let the Store assign
  std::string title;
  std::string owner;  // user id; empty = no owner (a review finding)
  std::string team;
  std::string cycle;  // "2026-Q4"
  GoalType type = GoalType::kCommitted;
  int64_t parent = 0;  // 0 = none; else O<parent> in the same workspace
  bool archived = false;
  std::string created_by;
  Seconds created_at{};
};

struct KeyResult {
  std::string workspace_id;
  int64_t number = 0;  // KR<number>; 0 = let the Store assign
  int64_t objective = 0;
  std::string text;
  std::string owner;
  std::optional<double> baseline;
  std::optional<double> target;
  std::optional<double> current;  // latest check-in value; empty before any check-in
  std::string unit;               // "%", "$", "min", "/5", "" ...
  Direction direction = Direction::kIncrease;
  Cadence cadence = Cadence::kWeekly;
  double weight = 1.0;
  bool archived = false;
  bool quality_kept = false;  // owner answered `keep`: no more quality nudges
  std::optional<Days> snoozed_until;
  std::optional<Seconds> last_checkin_at;
  std::string created_by;
  Seconds created_at{};
};

struct CheckIn {
  std::string workspace_id;
  int64_t id = 0;  // assigned by the Store
  int64_t kr = 0;  // KR number
  double value = 0;
  std::optional<int> confidence;  // 0..100
  std::string note;
  std::string author;
  Seconds at{};
  // The platform request that recorded it (Actor::request_id), or empty. Stored only to refuse
  // a second check-in from the same request (kAlreadyExists); never read back.
  std::string request_id = {};
};

struct Initiative {
  std::string workspace_id;
  int64_t number = 0;  // I<number>
  int64_t kr = 0;
  std::string text;
  bool done = false;
  std::string created_by;
  Seconds created_at{};
};

// One changed field, kept forever ("history keeps the change").
struct EditRecord {
  std::string workspace_id;
  std::string entity;  // "O3", "KR12", "I2"
  std::string field;   // "title", "owner", "archived", ...
  std::string old_value;
  std::string new_value;
  std::string author;
  Seconds at{};
};

// Reminder settings. kind "checkin": day/time in each owner's zone, optionally per team.
// kind "digest": channel + day/time in `tz`.
struct Reminder {
  std::string workspace_id;
  std::string kind;  // "checkin" | "digest"
  std::string team;  // "" = whole workspace
  std::string channel;
  int weekday = 1;          // 0 = Sunday .. 6 = Saturday
  int minute_of_day = 600;  // 10:00
  std::string tz;           // digest only; "" = workspace default
  bool enabled = true;
};

// How okrbot reaches one installed workspace. The bot token is stored sealed (bot/secret_box.h)
// by the adapter; the Store never sees it in clear. Uninstall empties the token.
struct Installation {
  std::string workspace_id;
  std::string platform;
  std::string team_id;
  std::string enterprise_id;
  std::string bot_token_sealed;
  std::string bot_user_id;
  std::string scopes;
  std::string installer;  // user id of who installed
  std::string extra;      // platform-specific JSON (e.g. Teams service URL)
  Seconds installed_at{};
  Seconds updated_at{};
};

// Where a platform can post to a person or channel later (Teams needs the service URL, the
// conversation id and the tenant, which only arrive with an activity). `target` is a user id or
// "#<channel>", as in Job::target; `reference` is the platform's JSON, opaque to the core.
struct ConversationRef {
  std::string workspace_id;
  std::string target;
  std::string reference;
  Seconds updated_at{};
};

enum class JobState { kPending, kSent, kDead };

// A scheduled post in the outbox. `key` is unique (workspace|kind|target|period), so a post is
// created at most once per period.
struct Job {
  int64_t id = 0;
  std::string key;
  std::string workspace_id;
  std::string kind;     // "checkin", "followup", "stale", "quality", "digest", "summary", ...
  std::string target;   // user id or channel
  std::string payload;  // JSON of the neutral reply
  JobState state = JobState::kPending;
  int attempts = 0;
  Seconds due_at{};
  Seconds next_attempt_at{};
  std::optional<Seconds> lease_until;
  std::string last_error;
  Seconds created_at{};
  // When the post became ready to send: its due time, or the pass that planned it late, or an
  // operator's retry. Its useful life (scheduler/delivery_policy.h) counts from here. Unset at
  // enqueue means max(due_at, created_at).
  Seconds ready_at{};
  std::optional<Seconds> finished_at;  // when it was sent or declared dead
};

// A one-time sign-in link to the web dashboard (`/okr dashboard`): only the SHA-256 of its
// secret is stored, so the database never holds a usable link. Valid once, until expires_at.
struct WebLink {
  std::string token_hash;  // hex SHA-256 of the secret in the URL
  std::string workspace_id;
  std::string user_id;
  Seconds created_at{};
  Seconds expires_at{};
  std::optional<Seconds> used_at;
};

// A signed-in browser. The cookie carries a secret whose SHA-256 is token_hash; writes carry
// csrf_token. `id` (assigned by the Store) names the session in `okrbot sessions`.
struct WebSession {
  int64_t id = 0;
  std::string token_hash;
  std::string workspace_id;
  std::string user_id;
  std::string csrf_token;
  Seconds created_at{};
  Seconds expires_at{};
  bool revoked = false;
};

// A chart posted in a chat message, kept so the platform can fetch its PNG from okrbot's public
// URL later: `key` is the hex SHA-256 of the SVG, so equal charts are stored and rendered once.
struct ChartRecord {
  std::string key;
  std::string workspace_id;
  std::string svg;
  int width = 0;
  int height = 0;
  Seconds created_at{};
};

std::string ObjectiveRef(int64_t number);   // "O3"
std::string KeyResultRef(int64_t number);   // "KR12"
std::string InitiativeRef(int64_t number);  // "I2"

}  // namespace okrbot
