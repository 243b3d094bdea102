#include "storage/open_store.h"

#include <cctype>
#include <string_view>

#include "storage/postgres_store.h"
#include "storage/sqlite_store.h"

namespace okrbot {

namespace {

constexpr std::string_view kSqlitePrefix = "sqlite://";
constexpr std::string_view kAcceptedForms =
    "sqlite://./okrbot.db, sqlite:///absolute/path.db, sqlite://:memory:, a bare file path, "
    "or postgresql://user:password@host/dbname";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "scheme:" as in RFC 3986 (a letter, then letters, digits, + - .), followed by ':'.
bool HasScheme(std::string_view text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0]))) return false;
  for (size_t i = 1; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ':') return true;
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

Status Unrecognised(const std::string& url) {
  return Status::InvalidArgument("OKRBOT_DB '" + url + "' is not a database URL I know; use " +
                                 std::string(kAcceptedForms) + ".");
}

}  // namespace

Result<StoreLocation> ParseStoreUrl(const std::string& url) {
  if (url.empty()) return Unrecognised(url);
  StoreLocation location;
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    location.backend = StoreBackend::kPostgres;
    location.postgres_url = url;
    return location;
  }
  if (StartsWith(url, kSqlitePrefix)) {
    location.sqlite_path = url.substr(kSqlitePrefix.size());
    if (location.sqlite_path.empty()) {
      return Status::InvalidArgument("OKRBOT_DB '" + url + "' names no file; use " +
                                     std::string(kAcceptedForms) + ".");
    }
    return location;
  }
  // A scheme we don't serve (mysql://, sqlite:x, http://...) is a typo or a wrong setting,
  // not a file name: refusing beats silently creating a file called "mysql:".
  if (HasScheme(url)) return Unrecognised(url);
  location.sqlite_path = url;
  return location;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  return OpenStore(url, OpenStoreOptions());
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const OpenStoreOptions& options) {
  Result<StoreLocation> location = ParseStoreUrl(url);
  if (!location.ok()) return location.status();
  if (location->backend == StoreBackend::kPostgres) {
    PostgresStore::Options postgres_options;
    postgres_options.pool_size = options.postgres_pool_size;
    Result<std::unique_ptr<PostgresStore>> store =
        PostgresStore::Open(location->postgres_url, postgres_options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(location->sqlite_path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace okrbot
