// SqlStore's rows for the web dashboard and chat images: one-time sign-in links, browser
// sessions and chart images (storage/store.h). Same rules as sql_store.cc: each statement is
// written once for both engines, every write is one transaction.
#include "storage/row_codec.h"
#include "storage/sql_rows.h"
#include "storage/sql_store.h"

namespace okrbot {

namespace {

constexpr char kWebLinkColumns[] =
    "link_hash, workspace_id, user_id, created_at, expires_at, used_at";
constexpr char kWebSessionColumns[] =
    "id, session_hash, workspace_id, user_id, csrf_token, created_at, expires_at, revoked";
constexpr char kChartColumns[] = "chart_key, workspace_id, svg, width, height, created_at";

Status ReadWebLink(const SqlRow& row, WebLink* out) {
  out->token_hash = row.String(0);
  out->workspace_id = row.String(1);
  out->user_id = row.String(2);
  out->created_at = row.Time(3);
  out->expires_at = row.Time(4);
  out->used_at = row.OptionalTime(5);
  return Status::Ok();
}

Status ReadWebSession(const SqlRow& row, WebSession* out) {
  out->id = row.Int(0);
  out->token_hash = row.String(1);
  out->workspace_id = row.String(2);
  out->user_id = row.String(3);
  out->csrf_token = row.String(4);
  out->created_at = row.Time(5);
  out->expires_at = row.Time(6);
  out->revoked = row.Bool(7);
  return Status::Ok();
}

Status ReadChart(const SqlRow& row, ChartRecord* out) {
  out->key = row.String(0);
  out->workspace_id = row.String(1);
  out->svg = row.String(2);
  out->width = static_cast<int>(row.Int(3));
  out->height = static_cast<int>(row.Int(4));
  out->created_at = row.Time(5);
  return Status::Ok();
}

Status CheckSecretHash(const std::string& hash) {
  if (hash.size() != 64) return Status::InvalidArgument("A token hash is 64 hex digits.");
  return Status::Ok();
}

}  // namespace

Status SqlStore::CreateWebLink(const WebLink& link) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(link.workspace_id));
  OKRBOT_RETURN_IF_ERROR(CheckSecretHash(link.token_hash));
  if (link.user_id.empty()) return Status::InvalidArgument("A sign-in link needs a user.");
  static const Sql kSql(std::string("INSERT INTO web_links (") + kWebLinkColumns +
                        ") VALUES ($1, $2, $3, $4, $5, NULL)");
  SqlParams params;
  params.Text(link.token_hash)
      .Text(link.workspace_id)
      .Text(link.user_id)
      .Time(link.created_at)
      .Time(link.expires_at);
  return WriteOne(kSql, params);
}

Result<WebLink> SqlStore::ConsumeWebLink(const std::string& token_hash, Seconds now) {
  static const Sql kUseSql(
      "UPDATE web_links SET used_at = $2 WHERE link_hash = $1 AND used_at IS NULL "
      "AND expires_at > $2");
  static const Sql kReadSql(std::string("SELECT ") + kWebLinkColumns +
                            " FROM web_links WHERE link_hash = $1");
  SqlParams use;
  use.Text(token_hash).Time(now);
  SqlParams read;
  read.Text(token_hash);
  WebLink link;
  bool found = false;
  Status status = Write([&](SqlConnection& connection) -> Status {
    found = false;
    Result<int64_t> used = connection.Execute(kUseSql, use);
    if (!used.ok()) return used.status();
    if (*used == 0) return Status::Ok();
    return sql_rows::QueryOne(connection, kReadSql, read, &found,
                              [&](const SqlRow& row) { return ReadWebLink(row, &link); });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("This sign-in link has expired or was used already.");
  return link;
}

Result<WebSession> SqlStore::CreateWebSession(const WebSession& session) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(session.workspace_id));
  OKRBOT_RETURN_IF_ERROR(CheckSecretHash(session.token_hash));
  if (session.user_id.empty()) return Status::InvalidArgument("A session needs a user.");
  static const Sql kSql(
      "INSERT INTO web_sessions (session_hash, workspace_id, user_id, csrf_token, created_at, "
      "expires_at, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7){returning_id}");
  SqlParams params;
  params.Text(session.token_hash)
      .Text(session.workspace_id)
      .Text(session.user_id)
      .Text(session.csrf_token)
      .Time(session.created_at)
      .Time(session.expires_at)
      .Bool(false);
  WebSession stored = session;
  stored.revoked = false;
  Status status = Write([&](SqlConnection& connection) -> Status {
    Result<int64_t> id = connection.InsertReturningId(kSql, params);
    if (!id.ok()) return id.status();
    stored.id = *id;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<WebSession> SqlStore::GetWebSession(const std::string& token_hash, Seconds now) {
  static const Sql kSql(std::string("SELECT ") + kWebSessionColumns +
                        " FROM web_sessions WHERE session_hash = $1 AND expires_at > $2"
                        " AND NOT revoked");
  SqlParams params;
  params.Text(token_hash).Time(now);
  WebSession session;
  bool found = false;
  Status status = Read([&](SqlConnection& connection) {
    return sql_rows::QueryOne(connection, kSql, params, &found,
                              [&](const SqlRow& row) { return ReadWebSession(row, &session); });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("This session has ended; sign in again.");
  return session;
}

Result<std::vector<WebSession>> SqlStore::ListWebSessions(const std::string& workspace_id,
                                                          Seconds now) {
  static const Sql kSql(std::string("SELECT ") + kWebSessionColumns +
                        " FROM web_sessions WHERE ($1 = '' OR workspace_id = $1)"
                        " AND expires_at > $2 AND NOT revoked ORDER BY id DESC");
  SqlParams params;
  params.Text(workspace_id).Time(now);
  std::vector<WebSession> sessions;
  Status status = Read([&](SqlConnection& connection) {
    sessions.clear();
    return connection.Query(kSql, params, [&](const SqlRow& row) {
      return ReadWebSession(row, &sessions.emplace_back());
    });
  });
  if (!status.ok()) return status;
  return sessions;
}

Status SqlStore::RevokeWebSession(int64_t id) {
  static const Sql kSql("UPDATE web_sessions SET revoked = $2 WHERE id = $1");
  SqlParams params;
  params.Int(id).Bool(true);
  bool found = false;
  Status status = Write([&](SqlConnection& connection) -> Status {
    Result<int64_t> changed = connection.Execute(kSql, params);
    if (!changed.ok()) return changed.status();
    found = *changed > 0;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No session " + std::to_string(id) + ".");
  return Status::Ok();
}

Status SqlStore::PutChart(const ChartRecord& chart) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(chart.workspace_id));
  OKRBOT_RETURN_IF_ERROR(CheckSecretHash(chart.key));
  static const Sql kSql(std::string("INSERT INTO charts (") + kChartColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (chart_key) DO NOTHING");
  SqlParams params;
  params.Text(chart.key)
      .Text(chart.workspace_id)
      .Text(chart.svg)
      .Int(chart.width)
      .Int(chart.height)
      .Time(chart.created_at);
  return WriteOne(kSql, params);
}

Result<ChartRecord> SqlStore::GetChart(const std::string& key) {
  static const Sql kSql(std::string("SELECT ") + kChartColumns +
                        " FROM charts WHERE chart_key = $1");
  SqlParams params;
  params.Text(key);
  ChartRecord chart;
  bool found = false;
  Status status = Read([&](SqlConnection& connection) {
    return sql_rows::QueryOne(connection, kSql, params, &found,
                              [&](const SqlRow& row) { return ReadChart(row, &chart); });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No such chart.");
  return chart;
}

}  // namespace okrbot
