// `/okr dashboard`: a one-time link that signs the person in to the web dashboard
// (adapters/web/). The link's secret is shown once, in a private answer; the Store keeps only its
// hash, so neither the database nor a log line can open a session.
#include "bot/session.h"
#include "bot/web_tokens.h"

namespace okrbot::bot_internal {

Reply Session::Dashboard() {
  if (actor_.shared_answer) {
    return Error(
        "Ask me for the dashboard in a 1:1 chat with okrbot: its sign-in link is personal, and "
        "here everyone in the conversation would see it.");
  }
  if (limits_.public_url.empty()) {
    return Error(
        "The web dashboard is not set up for this okrbot: its operator turns it on by setting "
        "OKRBOT_PUBLIC_URL to the address people reach it at.");
  }
  std::string secret = NewSecret();
  WebLink link;
  link.token_hash = Sha256Hex(secret);
  link.workspace_id = ws_.id;
  link.user_id = actor_.user_id;
  link.created_at = now_;
  link.expires_at = now_ + limits_.dashboard_link_life;
  Status stored = store_->CreateWebLink(link);
  if (!stored.ok()) return Failure(stored);
  int minutes = static_cast<int>(limits_.dashboard_link_life.count() / 60);
  Reply reply;  // always private: the link signs in as this person
  reply.Header("Your okrbot dashboard");
  reply.Text("Open this link within " + std::to_string(minutes) +
             " minutes. It works once and keeps that browser signed in for 12 hours:\n" +
             limits_.public_url + "/app/login?t=" + secret);
  reply.Context("Keep it to yourself: whoever opens it first sees this workspace's OKRs as you.");
  return reply;
}

}  // namespace okrbot::bot_internal
