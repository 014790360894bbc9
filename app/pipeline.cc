// One message's path: decode -> wall-clock check -> partition -> processor -> (dead letter).
#include "app/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "app/metrics.h"
#include "domain/timestamp.h"
#include "processors/gap_session_processor.h"
#include "processors/purchase_processor.h"
#include "processors/referral_processor.h"
#include "processors/streak_processor.h"
#include "processors/support_processor.h"
#include "state/checkpoint.h"
#include "state/store.h"

namespace engaged {
namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ActivityConfig activity_config(const Config& c) {
  return {TimeZone::load(c.timezone), c.allowed_lateness_ms, activity_definition(c),
          c.dedupe_window_ms};
}

}  // namespace

WallClock make_wall_clock(const Config& config) {
  if (!config.wall_clock.empty()) {
    int64_t frozen = *parse_rfc3339_ms(config.wall_clock);
    return [frozen] { return frozen; };
  }
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

Pipeline::Pipeline(const Config& config, Store& store, DeadLetterSink& dead_letters,
                   Metrics* metrics, WallClock wall_clock)
    : config_(config),
      store_(store),
      dead_letters_(dead_letters),
      metrics_(metrics),
      wall_clock_(std::move(wall_clock)),
      processor_(activity_config(config)),
      aha_(aha_config(config)),
      segments_(segment_config(config)),
      program_inputs_(program_inputs_config(config), risk_config(config)),
      decoder_(static_cast<size_t>(config.max_event_bytes)),
      latency_buckets_(Metrics::latency_bounds().size() + 1, 0.0) {
  last_checkpoint_ms_ = wall_clock_();
}

Pipeline::~Pipeline() = default;

PartitionState& Pipeline::open_partition(int32_t partition) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end())  // loaded first: a load that throws leaves no empty entry behind
    it = partitions_.emplace(partition, std::make_unique<PartitionState>(partition, store_)).first;
  auto& slot = it->second;
  if (metrics_) metrics_->assigned_partitions.Set(static_cast<double>(partitions_.size()));
  return *slot;
}

void Pipeline::drop(int32_t partition) {
  partitions_.erase(partition);
  if (!metrics_) return;
  metrics_->consumer_lag.Remove(
      &metrics_->consumer_lag.Add({{"partition", std::to_string(partition)}}));
  metrics_->assigned_partitions.Set(static_cast<double>(partitions_.size()));
}

void Pipeline::begin_batch() {
  now_ms_ = wall_clock_();
  batch_start_ns_ = steady_ns();
}

std::optional<Rejection> Pipeline::decode(std::string_view value, bool padded) {
  return decoder_.decode(value, event_, padded);
}

void Pipeline::apply(int32_t partition, int64_t offset, std::string_view key,
                     std::string_view value, std::optional<Rejection> rejection,
                     int64_t source_ts_ms) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) {
    spdlog::warn("message for unowned partition {} ignored", partition);
    return;
  }
  PartitionState& part = *it->second;
  if (offset < part.next_offset()) return;  // applied before the last restart
  if (offset > part.next_offset()) {        // retention or a full embedded log dropped them
    ++offset_gaps_;
    skipped_ += offset - part.next_offset();
    spdlog::error("partition {}: offsets {}..{} were never seen ({} messages lost upstream)",
                  partition, part.next_offset(), offset - 1, offset - part.next_offset());
  }
  ++consumed_;
  ++since_checkpoint_;
  if (!rejection && event_.ts_ms > now_ms_ + config_.max_future_ms)
    rejection = Rejection{RejectReason::kFromFuture, "ts ahead of the wall clock"};
  // A user is counted in the partition its key chose: any other key would count them twice.
  if (!rejection && event_.type != EventType::kTick && key != event_.user_id)
    rejection = Rejection{RejectReason::kKeyMismatch, "the message key must be the user_id"};
  if (rejection) {
    dead_letter(part, offset, key, value, *rejection);
  } else if (event_.type == EventType::kTick) {
    // Event time passed in this partition: no user, only the clock moves on.
    const int64_t before = part.aggregates().stream_time_ms;
    if (before == kNoTime || event_.ts_ms > before) {
      part.aggregates().stream_time_ms = event_.ts_ms;
      on_time_advanced(part, before);
    }
    ++processed_;
  } else {
    const IdKey event_key = id_key(event_.user_id, event_.event_id);
    // Likely cache misses, started now so they overlap with the user lookup.
    part.aggregates().seen.prefetch(event_key);
    const IdKey session_key =
        event_.session_id.empty() ? IdKey{} : id_key(event_.user_id, event_.session_id);
    if (!event_.session_id.empty()) part.sessions().prefetch(session_key);
    CachedUser& user = part.user(event_.user_id, epoch_);
    const UserActivity before = user.activity;
    const int64_t stream_before = part.aggregates().stream_time_ms;
    const Verdict verdict = processor_.process(part.aggregates(), user.activity, event_, event_key,
                                               user.profile.segments);
    if (part.aggregates().stream_time_ms != stream_before) on_time_advanced(part, stream_before);
    if (verdict == Verdict::kTooLate) {
      ++rejected_[static_cast<int>(RejectReason::kTooLate)];
      dead_letters_.send({value, key, RejectReason::kTooLate, "older than the allowed lateness",
                          config_.topic, partition, offset});
    } else if (verdict == Verdict::kDuplicate) {
      ++duplicates_;
    } else {
      ++processed_;
      apply_figures(part, user, before, session_key);
    }
  }
  part.advance_to(offset + 1);
  if (source_ts_ms > 0 && metrics_) {
    double seconds = std::max<int64_t>(0, now_ms_ - source_ts_ms) / 1000.0;
    const auto& bounds = Metrics::latency_bounds();
    size_t b = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), seconds) -
                                   bounds.begin());
    latency_buckets_[b] += 1;
    latency_sum_ += seconds;
  }
}

// The processors beyond activity, for an accepted event already applied to `user.activity`.
void Pipeline::apply_figures(PartitionState& part, CachedUser& user, const UserActivity& before,
                             const IdKey& session_key) {
  PartitionAggregates& agg = part.aggregates();
  const TimeZone& tz = processor_.config().time_zone;
  const Event& ev = event_;
  if (segments_.config().any()) segments_.assign(agg, user.activity, user.profile, ev);
  if (before.cohort_day != user.activity.cohort_day)
    PurchaseProcessor::cohort_changed(agg.cohort_figures, user.profile, before.cohort_day,
                                      user.activity.cohort_day);
  const size_t key_actions = user.profile.key_action_ms.size();
  aha_.process(agg.cohort_figures, user.profile, before, user.activity, ev, tz);
  const bool signup_referred = ev.type == EventType::kSignup && !ev.referrer_user_id.empty();
  if (signup_referred || (user.profile.referred && before.cohort_day != user.activity.cohort_day))
    ReferralProcessor::converted(agg.figures, user.profile, before.cohort_day,
                                 user.activity.cohort_day, signup_referred);
  const int64_t horizon = agg.stream_time_ms - config_.allowed_lateness_ms;
  switch (ev.type) {
    case EventType::kPurchase:
      RevenueProcessor::process(agg.revenue, ev, tz);
      PurchaseProcessor::process(agg.figures, agg.cohort_figures, user.profile,
                                 user.activity.cohort_day, ev, tz);
      break;
    case EventType::kFeedback:
      FeedbackProcessor::process(agg.feedback, ev, tz);
      break;
    case EventType::kCheckIn:
      StreakProcessor::process(agg.figures, user.profile, tz.day_of(ev.ts_ms));
      break;
    case EventType::kReferral:
      ReferralProcessor::process(agg.figures, user.profile, tz.day_of(ev.ts_ms));
      break;
    case EventType::kSupportTicket:
    case EventType::kSupportReply:
      SupportProcessor::process(agg.figures, user.profile, ev, tz, horizon);
      break;
    case EventType::kAction:
      if (ev.session_id.empty())
        GapSessionProcessor::process(agg.sessions, user.profile, ev, tz, config_.session_gap_ms,
                                     horizon);
      break;
    case EventType::kUserDeleted:
      program_inputs_.on_deleted(user.profile, ev.user_id, ev.ts_ms, agg.risk, records_);
      emit_records(part);
      part.erase_user(ev.user_id);  // `user` is gone from here on
      return;
    default:
      break;
  }
  int64_t session_seconds = -1;
  if (!ev.session_id.empty()) {
    SessionState& session = part.sessions().get(session_key);
    SessionProcessor::process(agg.sessions, session, ev, tz);
    if (ev.type == EventType::kSessionEnd)
      session_seconds = (session.end_ms - session.start_ms) / 1000;
  }
  const int64_t timer_before = user.profile.risk.timer_ms;
  program_inputs_.on_event(ev, before, user.activity, user.profile, tz.day_of(agg.stream_time_ms),
                           agg.stream_time_ms, session_seconds,
                           user.profile.key_action_ms.size() != key_actions, ev.user_id, tz,
                           agg.figures, agg.risk, nudge_effects_, records_);
  if (user.profile.risk.timer_ms != timer_before)
    part.timer_set(ev.user_id, user.profile.risk.timer_ms);
  emit_records(part);
}

void Pipeline::emit_records(PartitionState& part) {
  for (auto& r : records_) part.emit(std::move(r));
  records_.clear();
}

void Pipeline::on_time_advanced(PartitionState& part, int64_t before) {
  PartitionAggregates& agg = part.aggregates();
  const int64_t now = agg.stream_time_ms;
  const int64_t hour = now / 3600000;
  if (hour > part.clock_hour()) {
    part.clock_hour() = hour;
    records_.push_back({.kind = ProgramInput::kClock, .ts_ms = now});
    emit_records(part);
  }
  const TimeZone& tz = processor_.config().time_zone;
  if (before != kNoTime && tz.day_of(now) == tz.day_of(before)) return;
  // A new day began: every silence timer due by its start fires, in (due, user) order.
  for (const auto& [due, user_id] : part.due_timers(tz.day_start_ms(tz.day_of(now)))) {
    CachedUser* user = part.existing_user(user_id, epoch_);
    if (!user || user->profile.risk.timer_ms != due) continue;  // rescheduled since
    program_inputs_.on_timer(user->activity, user->profile, due, user_id, tz, agg.figures, agg.risk,
                             records_);
    part.timer_set(user_id, user->profile.risk.timer_ms);
    emit_records(part);
  }
}

void Pipeline::dead_letter(PartitionState& part, int64_t offset, std::string_view key,
                           std::string_view value, const Rejection& r) {
  ++part.aggregates().rejected[static_cast<int>(r.reason)];
  ++rejected_[static_cast<int>(r.reason)];
  dead_letters_.send({value, key, r.reason, r.detail, config_.topic, part.partition(), offset});
}

void Pipeline::end_batch() {
  if (!metrics_) return;
  consumed_.publish(metrics_->consumed);
  processed_.publish(metrics_->processed);
  offset_gaps_.publish(metrics_->offset_gaps);
  duplicates_.publish(metrics_->duplicates);
  skipped_.publish(metrics_->skipped_messages);
  for (int i = 0; i < kRejectReasonCount; ++i) rejected_[i].publish(*metrics_->rejected[i]);
  if (latency_sum_ > 0 || std::any_of(latency_buckets_.begin(), latency_buckets_.end(),
                                      [](double x) { return x > 0; })) {
    metrics_->end_to_end_latency.ObserveMultiple(latency_buckets_, latency_sum_);
    std::fill(latency_buckets_.begin(), latency_buckets_.end(), 0.0);
    latency_sum_ = 0;
  }
  for (int k = 0; k < kNudgeKindCount; ++k) {
    metrics_->nudges_opened[k]->Increment(
        double(nudge_effects_.opened[k] - nudge_effects_published_.opened[k]));
    metrics_->nudge_returns[k]->Increment(
        double(nudge_effects_.returns[k] - nudge_effects_published_.returns[k]));
  }
  nudge_effects_published_ = nudge_effects_;
  metrics_->batch_duration.Observe((steady_ns() - batch_start_ns_) / 1e9);
}

bool Pipeline::checkpoint_due() const {
  return since_checkpoint_ >= config_.checkpoint_max_events ||
         wall_clock_() - last_checkpoint_ms_ >= config_.checkpoint_interval_ms;
}

void Pipeline::begin_checkpoint(CheckpointExtras* extras) {
  if (pending_) throw std::logic_error("a checkpoint is already in flight");
  checkpoint_start_ns_ = steady_ns();
  std::vector<PartitionState*> parts;
  for (auto& [id, p] : partitions_) parts.push_back(p.get());
  pending_.emplace(
      store_, parts, [this] { dead_letters_.flush(); },
      CheckpointOptions{.cache_max_users = static_cast<size_t>(config_.cache_max_users),
                        .session_horizon_ms = config_.allowed_lateness_ms + 86400000,
                        .dedupe_window_ms = config_.dedupe_window_ms,
                        .changelog = changelog_,
                        .wall_clock_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()},
      extras);
  ++epoch_;
  since_checkpoint_ = 0;
  last_checkpoint_ms_ = wall_clock_();
}

std::optional<CheckpointResult> Pipeline::complete_checkpoint(bool wait) {
  if (!pending_ || !pending_->commit(wait)) return std::nullopt;
  CheckpointResult r = std::move(pending_->result());
  pending_.reset();
  if (metrics_) {
    metrics_->checkpoint_duration.Observe((steady_ns() - checkpoint_start_ns_) / 1e9);
    metrics_->checkpoint_size.Observe(static_cast<double>(r.batch_bytes));
    metrics_->cached_users.Set(static_cast<double>(cached_users()));
    metrics_->state_live_bytes.Set(static_cast<double>(store_.live_data_bytes()));
    metrics_->publish_snapshot(snapshot(), segments_.config());
  }
  return r;
}

CheckpointResult Pipeline::checkpoint(CheckpointExtras* extras) {
  begin_checkpoint(extras);
  return *complete_checkpoint(true);
}

std::vector<PartitionState*> Pipeline::partitions() {
  std::vector<PartitionState*> out;
  for (auto& [id, p] : partitions_) out.push_back(p.get());
  return out;
}

std::vector<std::pair<int32_t, int64_t>> Pipeline::positions() const {
  std::vector<std::pair<int32_t, int64_t>> out;
  for (auto& [id, p] : partitions_) out.emplace_back(id, p->next_offset());
  return out;
}

EngagementSnapshot Pipeline::snapshot() const {
  std::vector<const PartitionAggregates*> aggs;
  for (auto& [id, p] : partitions_) aggs.push_back(&p->aggregates());
  return take_snapshot(
      aggs, processor_.config().time_zone,
      {.support_sla_ms = config_.support_sla_ms, .aha_within_days = aha_.config().within_days});
}

int64_t Pipeline::total_users() const {
  int64_t n = 0;
  for (auto& [id, p] : partitions_)
    for (auto& [cohort, row] : p->aggregates().cohort(CohortTable::kDailyOn).rows())
      if (!row.retained.empty()) n += row.retained[0];
  return n;
}

size_t Pipeline::cached_users() const {
  size_t n = 0;
  for (auto& [id, p] : partitions_) n += p->users().size();
  return n;
}

}  // namespace engaged
