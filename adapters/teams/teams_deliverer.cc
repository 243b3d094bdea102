#include "adapters/teams/teams_deliverer.h"

#include "adapters/teams/adaptive_card.h"

namespace okrbot::teams {
namespace {

using json = nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

DeliveryResult TeamsDeliverer::Deliver(const Job& job, const Reply& reply) {
  if (job.target.empty()) return PermanentDeliveryFailure("the post names no user or channel");
  const bool to_channel = job.target[0] == '#';
  auto stored = store_->GetConversationRef(job.workspace_id, job.target);
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kNotFound) {
      return DeliveryResultFromStatus(Status::Unavailable(stored.status().message()),
                                      std::chrono::seconds(0));
    }
    return PermanentDeliveryFailure(
        to_channel ? "okrbot does not know the Teams channel " + job.target.substr(0, 80) +
                         ": type `remind digest #here <day> <time>` in that channel"
                   : "okrbot cannot message this person in Teams yet: they need to open a chat "
                     "with okrbot (or mention it) once");
  }
  json ref = json::parse(stored->reference, nullptr, false);
  if (!ref.is_object()) return PermanentDeliveryFailure("the stored Teams reference is unreadable");
  bool removed = ref.value("removed", false);
  std::string team = Str(ref, "teamId");
  if (!removed && to_channel && !team.empty()) {
    auto team_ref = store_->GetConversationRef(job.workspace_id, "team:" + team);
    if (team_ref.ok()) {
      json parsed = json::parse(team_ref->reference, nullptr, false);
      removed = parsed.is_object() && parsed.value("removed", false);
    }
  }
  if (removed) return PermanentDeliveryFailure("okrbot was removed from this Teams chat or team");
  std::string service_url = Str(ref, "serviceUrl");
  std::string conversation = Str(ref, "conversationId");
  TeamsCallStats stats;
  if (conversation.empty() && !to_channel) {
    auto created = client_->CreateConversation(service_url, Str(ref, "botId"), Str(ref, "userId"),
                                               Str(ref, "tenantId"), &stats);
    if (!created.ok()) return DeliveryResultFromStatus(created.status(), stats.retry_after);
    conversation = *created;
    ref["conversationId"] = conversation;
    ConversationRef updated = *stored;
    updated.reference = ref.dump(-1, ' ', false, json::error_handler_t::replace);
    updated.updated_at = clock_->Now();
    (void)store_->PutConversationRef(updated);  // next time saves the call; harmless if lost
  }
  if (conversation.empty()) return PermanentDeliveryFailure("the Teams reference has no chat");
  auto sent =
      client_->SendToConversation(service_url, conversation, MessageActivity(reply), &stats);
  if (!sent.ok()) return DeliveryResultFromStatus(sent.status(), stats.retry_after);
  return DeliveryResult{};
}

}  // namespace okrbot::teams
