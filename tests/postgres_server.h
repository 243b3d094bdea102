// PostgresServer: a real, throwaway PostgreSQL server for tests (SPEC §5: real parts).
//
// Start() runs Debian's initdb and postgres binaries (/usr/lib/postgresql/<version>/bin) on a
// fresh cluster in a temporary directory, listening on 127.0.0.1 at a free port (and a Unix
// socket in that directory), with trust authentication for the role "okrbot", which owns the
// database "okrbot". PostgreSQL refuses to run as root, so when the test runs as root the server
// runs as the "postgres" system user (or "nobody"), which owns the directory. Durability
// settings are off (fsync, full_page_writes): a test server that loses data on a power cut is
// fine; the okrbot process under test is what gets killed in crash tests. Start(error, true)
// keeps PostgreSQL's durable defaults instead, for benchmarks whose commit figures must mean
// something (bench/postgres_bench.cc).
//
// Without the binaries, Start() fails with a message naming the package to install: tests
// that need PostgreSQL fail loudly, never skip.
//
// Stop() shuts the server down (fast mode) and Resume() starts it again on the same port and
// data, for outage tests. The destructor stops it and removes the directory.
//
// Thread-safety: not thread-safe; one controlling thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace okrbot::testing {

class PostgresServer {
 public:
  // A started server, or nullptr with `*error` saying why.
  static std::unique_ptr<PostgresServer> Start(std::string* error);
  // As above; `durable` leaves fsync and full_page_writes on (the server defaults).
  static std::unique_ptr<PostgresServer> Start(std::string* error, bool durable);

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // postgresql://okrbot@127.0.0.1:PORT/okrbot
  std::string Url() const;
  // A URL whose connections use a brand-new, empty schema (search_path), so each test gets a
  // fresh database in milliseconds: postgresql://...?options=-csearch_path%3Dt7
  std::string FreshSchemaUrl();
  // Runs SQL as the okrbot role on the okrbot database; "" when it worked, else the error.
  std::string Execute(const std::string& sql) const;

  // Shuts the server down (clients see their connections drop) / starts it again.
  bool Stop();
  bool Resume(std::string* error);
  bool running() const { return pid_ > 0; }

 private:
  PostgresServer() = default;
  bool Launch(std::string* error);

  std::string bin_dir_;
  std::string dir_;  // cluster and socket live here
  uid_t run_uid_ = 0;
  gid_t run_gid_ = 0;
  bool drop_privileges_ = false;
  bool durable_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
  int schemas_ = 0;
};

// One server shared by every test of the process, started on first use and stopped at exit;
// nullptr (with `*error`) when it cannot start.
PostgresServer* SharedPostgresServer(std::string* error);

}  // namespace okrbot::testing
