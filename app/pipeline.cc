// One message's path: decode -> wall-clock check -> partition -> processor -> (dead letter).
#include "app/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "app/metrics.h"
#include "app/zone_files.h"
#include "domain/timestamp.h"
#include "state/checkpoint.h"
#include "state/steady_clock.h"
#include "state/store.h"

namespace engaged {
namespace {

ActivityConfig activity_config(const Config& c) {
  return {load_time_zone(c.timezone), c.allowed_lateness_ms, activity_definition(c),
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
      topology_(topology_config(config)),
      task_(topology_, processor_.config().time_zone, config.allowed_lateness_ms, nudge_effects_),
      decoder_(static_cast<size_t>(config.max_event_bytes)),
      latency_buckets_(Metrics::latency_bounds().size() + 1, 0.0) {
  last_checkpoint_ms_ = wall_clock_();
  if (metrics_) metrics_->register_gauges(topology_.gauges());
}

Pipeline::~Pipeline() = default;

void Pipeline::publish_gauges(int32_t day) {
  std::vector<StateStore*> stores;
  for (const GaugeSpec& g : topology_.gauges()) {
    stores.clear();
    for (auto& [id, p] : partitions_) stores.push_back(&p->state_store(g.store));
    metrics_->publish_gauge(g.name, g.sample(stores, day));
  }
}

PartitionState& Pipeline::open_partition(int32_t partition) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) {  // loaded first: a load that throws leaves no empty entry behind
    const PartitionOptions options{.session_horizon_ms = config_.allowed_lateness_ms + 86400000,
                                   .dedupe_window_ms = config_.dedupe_window_ms};
    auto state = std::make_unique<PartitionState>(partition, store_, options, topology_.stores());
    it = partitions_.emplace(partition, std::move(state)).first;
  }
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
      task_.advance(part, before, epoch_);
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
    if (part.aggregates().stream_time_ms != stream_before)
      task_.advance(part, stream_before, epoch_);
    if (verdict == Verdict::kTooLate) {
      ++rejected_[static_cast<int>(RejectReason::kTooLate)];
      dead_letters_.send({value, key, RejectReason::kTooLate, "older than the allowed lateness",
                          config_.topic, partition, offset});
    } else if (verdict == Verdict::kDuplicate) {
      ++duplicates_;
    } else {
      ++processed_;
      task_.process(part, user, before, event_, session_key);
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
  std::vector<CheckpointedPartition*> parts;
  for (auto& [id, p] : partitions_) parts.push_back(p.get());
  pending_.emplace(
      store_, parts, [this] { dead_letters_.flush(); },
      CheckpointOptions{.changelog = changelog_,
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
  trim_user_cache(partitions(), static_cast<size_t>(config_.cache_max_users),
                  user_cache_bytes(config_));
  if (metrics_) {
    metrics_->checkpoint_duration.Observe((steady_ns() - checkpoint_start_ns_) / 1e9);
    metrics_->checkpoint_size.Observe(static_cast<double>(r.batch_bytes));
    metrics_->cached_users.Set(static_cast<double>(cached_users()));
    metrics_->state_live_bytes.Set(static_cast<double>(store_.live_data_bytes()));
    const EngagementSnapshot snap = snapshot();
    metrics_->publish_snapshot(snap, topology_.segments());
    if (snap.has_data) publish_gauges(snap.current_day);
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
      {.support_sla_ms = config_.support_sla_ms, .aha_within_days = topology_.aha().within_days});
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
