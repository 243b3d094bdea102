// `okrbot serve`: the HTTP server (health, readiness, metrics; platform routes are added by
// their adapters) and, later, the scheduler, in one process.
//
// Contract: migrates the store, listens on config.listen, prints which platforms are
// configured, and runs until SIGTERM or SIGINT, then stops accepting, finishes in-flight
// requests and returns 0. Returns 2 when the listen address cannot be used. Call from the main
// thread only.
#pragma once

#include <iosfwd>

#include "cli/config.h"
#include "storage/store.h"

namespace okrbot {

int RunServe(const Config& config, Store* store, std::ostream& out, std::ostream& err);

// The database URL for logs: a password in it is replaced by "***".
std::string RedactUrl(const std::string& url);

}  // namespace okrbot
