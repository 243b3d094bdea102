// Scheduler planning benchmark (issue 4): one planning pass over 100,000 KRs, 20,000 owners and
// 500 workspaces on SQLite, reporting wall time and the planning process's peak RSS.
//
//   build/plan_bench [--workspaces N] [--dir DIR]
//   build/plan_bench --seed-only N FILE      (then: build/plan_bench --plan FILE, e.g. to profile)
//
// The database is seeded once (in /dev/shm when available, then copied to DIR or $TMPDIR so the
// pass runs against a real disk), then the binary re-executes itself to plan, so the RSS it
// reports belongs to planning alone. Targets on the 2-core machine: under 2 s, under 300 MB.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "scheduler/planner.h"
#include "storage/open_store.h"

namespace {

using okrbot::Seconds;

constexpr int kOwnersPerWorkspace = 40;
constexpr int kKrsPerOwner = 5;
const char* const kZones[] = {
    "America/New_York",    "Europe/Berlin",    "Asia/Kolkata", "Pacific/Kiritimati",
    "America/Los_Angeles", "Australia/Sydney", "UTC",          "Asia/Tokyo"};

Seconds At(const char* iso) {
  Seconds t;
  okrbot::ParseIsoInstant(iso, &t);
  return t;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const okrbot::Status& status) {
  std::fprintf(stderr, "plan_bench: %s\n", status.ToString().c_str());
  return 1;
}

int Seed(const std::string& path, int workspaces) {
  auto store_or = okrbot::OpenStore("sqlite://" + path);
  if (!store_or.ok()) return Fail(store_or.status());
  auto& store = *store_or;
  if (auto s = store->Migrate(); !s.ok()) return Fail(s);
  Seconds created = At("2026-11-10T12:00:00Z");
  for (int w = 0; w < workspaces; ++w) {
    okrbot::Workspace ws;
    ws.id = "slack:T" + std::to_string(w);
    ws.platform = "slack";
    ws.created_at = created;
    if (auto s = store->UpsertWorkspace(ws); !s.ok()) return Fail(s);
    okrbot::Reminder digest;
    digest.workspace_id = ws.id;
    digest.kind = "digest";
    digest.channel = "okrs";
    digest.weekday = 5;
    digest.minute_of_day = 16 * 60;
    digest.tz = "Europe/Berlin";
    if (auto s = store->PutReminder(digest); !s.ok()) return Fail(s);
    for (int u = 0; u < kOwnersPerWorkspace; ++u) {
      okrbot::User user;
      user.workspace_id = ws.id;
      user.id = "U" + std::to_string(u);
      user.display_name = "person " + std::to_string(u);
      user.tz = kZones[(w + u) % std::size(kZones)];
      if (auto s = store->UpsertUser(user); !s.ok()) return Fail(s);
      okrbot::Objective objective;
      objective.workspace_id = ws.id;
      objective.title = "Delight our customers, part " + std::to_string(u);
      objective.owner = user.id;
      objective.cycle = "2026-Q4";
      objective.created_at = created;
      auto o = store->CreateObjective(objective);
      if (!o.ok()) return Fail(o.status());
      for (int k = 0; k < kKrsPerOwner; ++k) {
        okrbot::KeyResult kr;
        kr.workspace_id = ws.id;
        kr.objective = o->number;
        kr.text = "Increase weekly active teams from 120 to " + std::to_string(200 + k);
        kr.owner = user.id;
        kr.baseline = 120;
        kr.target = 200 + k;
        kr.created_at = created;
        auto r = store->CreateKeyResult(kr);
        if (!r.ok()) return Fail(r.status());
      }
    }
  }
  return 0;
}

int Plan(const std::string& path) {
  auto store_or = okrbot::OpenStore("sqlite://" + path);
  if (!store_or.ok()) return Fail(store_or.status());
  okrbot::Planner planner(store_or->get());
  // Monday evening UTC: every owner's Monday 10:00 slot has passed (Kiritimati's a day ago).
  Seconds now = At("2026-11-16T23:00:00Z");
  auto start = std::chrono::steady_clock::now();
  auto first = planner.PlanAll(now);
  double first_seconds = SecondsSince(start);
  if (!first.ok()) return Fail(first.status());
  start = std::chrono::steady_clock::now();
  auto second = planner.PlanAll(now);
  double second_seconds = SecondsSince(start);
  if (!second.ok()) return Fail(second.status());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("plan pass 1: %.3f s, %d workspaces, %d new jobs\n", first_seconds, first->workspaces,
              first->created);
  std::printf("plan pass 2: %.3f s, %d new jobs, %d already planned\n", second_seconds,
              second->created, second->existing);
  std::printf("peak RSS of the planning process: %.1f MB\n", usage.ru_maxrss / 1024.0);
  std::printf("targets: pass under 2 s, peak RSS under 300 MB\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--plan") return Plan(argv[2]);
  if (argc == 4 && std::string(argv[1]) == "--seed-only") return Seed(argv[3], std::atoi(argv[2]));
  int workspaces = 500;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--workspaces")
      workspaces = std::atoi(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
  }
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string seed_dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : dir;
  std::string seed_path = seed_dir + "/okrbot-plan-bench-seed-" + std::to_string(getpid()) + ".db";
  std::string path = dir + "/okrbot-plan-bench-" + std::to_string(getpid()) + ".db";
  std::printf("seeding %d workspaces, %d owners, %d KRs ...\n", workspaces,
              workspaces * kOwnersPerWorkspace, workspaces * kOwnersPerWorkspace * kKrsPerOwner);
  std::fflush(stdout);
  auto start = std::chrono::steady_clock::now();
  if (int rc = Seed(seed_path, workspaces); rc != 0) return rc;
  std::printf("seeded in %.1f s\n", SecondsSince(start));
  std::fflush(stdout);
  std::filesystem::copy_file(seed_path, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(seed_path);
  pid_t child = fork();
  if (child == 0) {
    execl("/proc/self/exe", argv[0], "--plan", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
