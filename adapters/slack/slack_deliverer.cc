#include "adapters/slack/slack_deliverer.h"

#include "adapters/slack/block_kit.h"

namespace okrbot::slack {
namespace {

DeliveryResult FromStatus(const Status& status, const SlackCallStats& stats) {
  DeliveryResult result;
  result.error = stats.slack_error.empty() ? status.message() : stats.slack_error;
  if (stats.retry_after.count() > 0) {
    result.outcome = DeliveryResult::Outcome::kRetry;
    result.retry_after = stats.retry_after;
    return result;
  }
  switch (status.code()) {
    case StatusCode::kPermissionDenied:    // invalid_auth, token_revoked, missing_scope, ...
    case StatusCode::kFailedPrecondition:  // channel_not_found, is_archived, not_in_channel, ...
    case StatusCode::kNotFound:            // not installed
      result.outcome = DeliveryResult::Outcome::kPermanentFailure;
      break;
    default:  // kUnavailable (5xx, timeouts, connection errors), kInvalidArgument (4xx)
      result.outcome = DeliveryResult::Outcome::kRetry;
  }
  return result;
}

}  // namespace

DeliveryResult SlackDeliverer::Deliver(const Job& job, const Reply& reply) {
  SlackCallStats stats;
  auto token = tokens_->TokenFor(job.workspace_id);
  if (!token.ok()) return FromStatus(token.status(), stats);
  // A user id as the channel posts to the app's DM with that person (its Messages tab):
  // no conversations.open first, whose Tier 3 limit (~50/min) would hold 5,000 Monday prompts
  // back for an hour and a half.
  std::string channel = job.target;
  if (!channel.empty() && channel[0] == '#') channel = channel.substr(1);
  auto posted =
      client_->PostMessage(*token, channel, RenderBlocks(reply), FallbackText(reply), &stats);
  if (!posted.ok() &&
      (stats.slack_error == "invalid_blocks" || stats.slack_error == "downloading image failed")) {
    // Slack fetches a chart's image_url before accepting the message; when it cannot (a
    // public URL it does not reach), the post goes out with the charts' text instead.
    Reply text_only = reply;
    bool had_images = false;
    for (Block& block : text_only.blocks) {
      if (block.kind == BlockKind::kImage && !block.image_url.empty()) {
        block.image_url.clear();
        had_images = true;
      }
    }
    if (had_images) {
      stats = SlackCallStats{};
      posted = client_->PostMessage(*token, channel, RenderBlocks(text_only),
                                    FallbackText(text_only), &stats);
    }
  }
  if (!posted.ok()) return FromStatus(posted.status(), stats);
  return DeliveryResult{};
}

}  // namespace okrbot::slack
