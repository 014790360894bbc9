// One message's path: decode -> wall-clock check -> partition -> processor -> (dead letter).
#include "app/pipeline.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "app/batch_counter.h"
#include "app/metrics.h"
#include "app/process_metrics.h"
#include "app/stream_task.h"
#include "app/zone_files.h"
#include "domain/timestamp.h"
#include "processors/activity/activity_processor.h"
#include "processors/runtime/topology.h"
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

// A stream thread's own share of the work: everything an event touches besides its partition.
struct Pipeline::Lane {
  explicit Lane(const Config& config)
      : processor(activity_config(config)),
        topology(topology_config(config)),
        task(topology, processor.config().time_zone, config.allowed_lateness_ms, nudge_effects),
        decoder(static_cast<size_t>(config.max_event_bytes)),
        latency_buckets(Metrics::latency_bounds().size() + 1, 0.0) {}

  ActivityProcessor processor;
  Topology topology;
  NudgeEffects nudge_effects, nudge_effects_published;
  StreamTask task;
  EventDecoder decoder;
  Event event;
  std::vector<const InputMessage*> batch;  // this lane's messages of the batch being applied
  BatchCounter consumed, processed, offset_gaps, skipped, duplicates, forgotten;
  std::array<BatchCounter, kRejectReasonCount> rejected{};
  std::vector<double> latency_buckets;
  double latency_sum = 0;
};

Pipeline::Pipeline(const Config& config, Store& store, DeadLetterSink& dead_letters,
                   Metrics* metrics, WallClock wall_clock, int lanes)
    : config_(config),
      store_(store),
      dead_letters_(dead_letters),
      metrics_(metrics),
      wall_clock_(std::move(wall_clock)),
      threads_(lanes) {
  for (int i = 0; i < lanes; ++i) lanes_.push_back(std::make_unique<Lane>(config));
  last_checkpoint_ms_ = wall_clock_();
  if (metrics_) metrics_->register_gauges(lanes_[0]->topology.gauges());
}

Pipeline::~Pipeline() = default;

Pipeline::Lane& Pipeline::only_lane() {
  if (lanes_.size() != 1) throw std::logic_error("one message at a time needs a single lane");
  return *lanes_[0];
}

void Pipeline::publish_gauges(int32_t day) {
  std::vector<StateStore*> stores;
  for (const GaugeSpec& g : lanes_[0]->topology.gauges()) {
    stores.clear();
    for (auto& [id, p] : partitions_) stores.push_back(&p.state->state_store(g.store));
    metrics_->publish_gauge(g.name, g.sample(stores, day));
  }
}

PartitionState& Pipeline::open_partition(int32_t partition) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) {  // loaded first: a load that throws leaves no empty entry behind
    const PartitionOptions options{
        .session_horizon_ms = config_.allowed_lateness_ms + kSessionFinalAfterMs,
        .dedupe_window_ms = config_.dedupe_window_ms};
    auto state =
        std::make_unique<PartitionState>(partition, store_, options, lanes_[0]->topology.stores());
    std::vector<size_t> owned(lanes_.size(), 0);
    for (auto& [id, p] : partitions_) ++owned[p.lane];
    const size_t lane =
        static_cast<size_t>(std::min_element(owned.begin(), owned.end()) - owned.begin());
    it = partitions_.emplace(partition, Owned{std::move(state), lane}).first;
  }
  if (metrics_) metrics_->assigned_partitions.Set(static_cast<double>(partitions_.size()));
  return *it->second.state;
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
  Lane& lane = only_lane();
  return lane.decoder.decode(value, lane.event, padded);
}

const Event& Pipeline::event() const {
  return lanes_[0]->event;
}

void Pipeline::apply(int32_t partition, int64_t offset, std::string_view key,
                     std::string_view value, std::optional<Rejection> rejection,
                     int64_t source_ts_ms) {
  Lane& lane = only_lane();
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) {
    spdlog::warn("message for unowned partition {} ignored", partition);
    return;
  }
  apply(lane, *it->second.state, {partition, offset, key, value, source_ts_ms}, rejection);
}

void Pipeline::apply_batch(std::span<const InputMessage> messages) {
  for (auto& lane : lanes_) lane->batch.clear();
  // A poll's messages come in runs of one partition: looked up once per run.
  auto it = partitions_.end();
  for (const InputMessage& m : messages) {
    if (it == partitions_.end() || it->first != m.partition) it = partitions_.find(m.partition);
    if (it == partitions_.end()) {
      spdlog::warn("message for unowned partition {} ignored", m.partition);
      continue;
    }
    lanes_[it->second.lane]->batch.push_back(&m);
  }
  threads_.run([this](int i) {
    Lane& lane = *lanes_[static_cast<size_t>(i)];
    PartitionState* part = nullptr;
    for (const InputMessage* m : lane.batch) {
      if (!part || part->partition() != m->partition)
        part = partitions_.find(m->partition)->second.state.get();
      // The key is the user id of every message apply() accepts: its cache entry is fetched
      // while the message is decoded (as replay's workers do).
      part->users().prefetch(m->key);
      apply(lane, *part, *m, lane.decoder.decode(m->value, lane.event, false));
    }
  });
}

void Pipeline::apply(Lane& lane, PartitionState& part, const InputMessage& m,
                     std::optional<Rejection> rejection) {
  const Event& event = lane.event;
  if (m.offset < part.next_offset()) return;  // applied before the last restart
  if (m.offset > part.next_offset()) {        // retention or a full embedded log dropped them
    ++lane.offset_gaps;
    lane.skipped += m.offset - part.next_offset();
    spdlog::error("partition {}: offsets {}..{} were never seen ({} messages lost upstream)",
                  m.partition, part.next_offset(), m.offset - 1, m.offset - part.next_offset());
  }
  ++lane.consumed;
  if (!rejection && event.ts_ms > now_ms_ + config_.max_future_ms)
    rejection = Rejection{RejectReason::kFromFuture, "ts ahead of the wall clock"};
  // A user is counted in the partition its key chose: any other key would count them twice.
  if (!rejection && event.type != EventType::kTick && m.key != event.user_id)
    rejection = Rejection{RejectReason::kKeyMismatch, "the message key must be the user_id"};
  if (rejection) {
    dead_letter(lane, part, m.offset, m.key, m.value, *rejection);
  } else if (event.type == EventType::kTick) {
    // Event time passed in this partition: no user, only the clock moves on.
    const int64_t before = part.aggregates().stream_time_ms;
    if (before == kNoTime || event.ts_ms > before) {
      part.aggregates().stream_time_ms = event.ts_ms;
      lane.task.advance(part, before, epoch_);
    }
    ++lane.processed;
  } else {
    const IdKey event_key = id_key(event.user_id, event.event_id);
    CachedUser& user = part.user(event.user_id, epoch_);
    const UserActivity before = user.activity;
    const int64_t stream_before = part.aggregates().stream_time_ms;
    const int64_t forgotten_before = part.aggregates().forgotten;
    const Verdict verdict =
        lane.processor.process(part.aggregates(), user.activity, user.profile.seen, event,
                               event_key, user.profile.segments);
    if (part.aggregates().stream_time_ms != stream_before)
      lane.task.advance(part, stream_before, epoch_);
    if (verdict == Verdict::kTooLate) {
      ++lane.rejected[static_cast<int>(RejectReason::kTooLate)];
      dead_letters_.send({m.value, m.key, RejectReason::kTooLate, "older than the allowed lateness",
                          config_.topic, m.partition, m.offset});
    } else if (verdict == Verdict::kDuplicate) {
      ++lane.duplicates;
    } else {
      ++lane.processed;
      lane.task.process(part, user, before, event);
    }
    lane.forgotten += part.aggregates().forgotten - forgotten_before;
  }
  part.advance_to(m.offset + 1);
  if (m.source_ts_ms > 0 && metrics_) {
    double seconds = std::max<int64_t>(0, now_ms_ - m.source_ts_ms) / 1000.0;
    const auto& bounds = Metrics::latency_bounds();
    size_t b = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), seconds) -
                                   bounds.begin());
    lane.latency_buckets[b] += 1;
    lane.latency_sum += seconds;
  }
}

void Pipeline::dead_letter(Lane& lane, PartitionState& part, int64_t offset, std::string_view key,
                           std::string_view value, const Rejection& r) {
  ++part.aggregates().rejected[static_cast<int>(r.reason)];
  ++lane.rejected[static_cast<int>(r.reason)];
  dead_letters_.send({value, key, r.reason, r.detail, config_.topic, part.partition(), offset});
}

void Pipeline::end_batch() {
  if (!metrics_) return;
  for (auto& l : lanes_) {
    Lane& lane = *l;
    lane.consumed.publish(metrics_->consumed);
    lane.processed.publish(metrics_->processed);
    lane.offset_gaps.publish(metrics_->offset_gaps);
    lane.duplicates.publish(metrics_->duplicates);
    lane.forgotten.publish(metrics_->forgotten_entries);
    lane.skipped.publish(metrics_->skipped_messages);
    for (int i = 0; i < kRejectReasonCount; ++i) lane.rejected[i].publish(*metrics_->rejected[i]);
    if (lane.latency_sum > 0 ||
        std::any_of(lane.latency_buckets.begin(), lane.latency_buckets.end(),
                    [](double x) { return x > 0; })) {
      metrics_->end_to_end_latency.ObserveMultiple(lane.latency_buckets, lane.latency_sum);
      std::fill(lane.latency_buckets.begin(), lane.latency_buckets.end(), 0.0);
      lane.latency_sum = 0;
    }
    for (int k = 0; k < kNudgeKindCount; ++k) {
      metrics_->nudges_opened[k]->Increment(
          double(lane.nudge_effects.opened[k] - lane.nudge_effects_published.opened[k]));
      metrics_->nudge_returns[k]->Increment(
          double(lane.nudge_effects.returns[k] - lane.nudge_effects_published.returns[k]));
    }
    lane.nudge_effects_published = lane.nudge_effects;
  }
  metrics_->batch_duration.Observe((steady_ns() - batch_start_ns_) / 1e9);
}

int64_t Pipeline::consumed_total() const {
  int64_t n = 0;
  for (auto& lane : lanes_) n += lane->consumed.total;
  return n;
}

int64_t Pipeline::processed_total() const {
  int64_t n = 0;
  for (auto& lane : lanes_) n += lane->processed.total;
  return n;
}

bool Pipeline::checkpoint_due() const {
  if (consumed_total() - consumed_at_checkpoint_ >= config_.checkpoint_max_events ||
      wall_clock_() - last_checkpoint_ms_ >= config_.checkpoint_interval_ms)
    return true;
  // A budget a few times smaller than the users touched in a checkpoint interval: a replay of
  // 1 M users in 64 MiB held 73 MiB of users and a 42 MiB write batch at its peak.
  size_t bytes = 0;
  for (const auto& [id, p] : partitions_) bytes += p.state->cache_bytes();
  return bytes > std::max(user_cache_bytes(config_), cache_bytes_after_trim_) +
                     static_cast<size_t>(config_.memory_budget / 8);
}

void Pipeline::begin_checkpoint(CheckpointExtras* extras) {
  if (pending_) throw std::logic_error("a checkpoint is already in flight");
  checkpoint_start_ns_ = steady_ns();
  std::vector<CheckpointedPartition*> parts;
  for (auto& [id, p] : partitions_) parts.push_back(p.state.get());
  CheckpointOptions options{
      .changelog = changelog_,
      .wall_clock_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count(),
      .reuse = &spare_batch_};
  if (lanes_.size() > 1)
    options.parallel = [this](size_t n, const std::function<void(size_t)>& job) {
      const size_t lanes = lanes_.size();
      threads_.run([&](int lane) {
        for (size_t i = static_cast<size_t>(lane); i < n; i += lanes) job(i);
      });
    };
  pending_.emplace(store_, parts, dead_letters_, options,
                   extras ? std::move(*extras) : CheckpointExtras{});
  collect_checkpoint();
  ++epoch_;
  consumed_at_checkpoint_ = consumed_total();
  last_checkpoint_ms_ = wall_clock_();
}

void Pipeline::collect_checkpoint() {
  // A few partitions at a time (as many as there are lanes, which collect them side by side),
  // for at most kCollectSliceNs per call: the input that arrives meanwhile waits no longer.
  constexpr int64_t kCollectSliceNs = 5'000'000;
  const int64_t start = steady_ns();
  while (!pending_->collect(lanes_.size()) && steady_ns() - start < kCollectSliceNs) {
  }
}

std::optional<CheckpointResult> Pipeline::complete_checkpoint(bool wait) {
  if (!pending_) return std::nullopt;
  if (!wait && !pending_->collected()) {
    collect_checkpoint();
    if (!pending_->collected()) return std::nullopt;
  }
  if (!writing_.valid()) {
    if (!pending_->prepare_commit(wait)) return std::nullopt;
    if (wait) {
      pending_->write();
    } else {
      // The write (tens of milliseconds for a second of input) on a thread of its own, while
      // this one goes on processing: nothing reads the batch, and reads of the store are safe.
      writing_ = std::async(std::launch::async, [this] { pending_->write(); });
      return std::nullopt;
    }
  } else if (!wait && writing_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return std::nullopt;
  }
  if (writing_.valid()) writing_.get();  // rethrows what the write threw
  pending_->committed();
  CheckpointResult r = std::move(pending_->result());
  spare_batch_ = pending_->take_write_batch();
  pending_.reset();
  // An older state's partition-wide windows cannot shrink on demand (they empty as stream time
  // passes their horizons): the user cache gets what they leave of its share of the budget.
  size_t legacy_bytes = 0;
  for (auto& [id, p] : partitions_) legacy_bytes += p.state->aggregates().legacy.memory_bytes();
  const size_t share = user_cache_bytes(config_);
  const TrimmedCache cache =
      trim_user_cache(partitions(), static_cast<size_t>(config_.cache_max_users),
                      share > legacy_bytes ? share - legacy_bytes : 0);
  cache_bytes_after_trim_ = cache.bytes;
  // Evicted users leave free chunks all over the heap that malloc keeps mapped: hand their pages
  // back once the process's memory passes the budget, or it outgrows it by the allocator's holes.
  // Not at every checkpoint that evicts: the trim walks the whole heap, and the pages it returns
  // are faulted in again (16 % of a 3 M-user replay's time when done at each).
  if (cache.evicted > 0) {
    const std::optional<size_t> resident = resident_memory_bytes();
    if (!resident || *resident > static_cast<size_t>(config_.memory_budget)) malloc_trim(0);
  }
  if (metrics_) {
    metrics_->state_memory.Add({{"table", "user_cache"}}).Set(double(cache.bytes));
    metrics_->state_memory.Add({{"table", "legacy_windows"}}).Set(double(legacy_bytes));
    metrics_->state_memory.Add({{"table", "rocksdb"}}).Set(double(store_.memory_bytes()));
    metrics_->checkpoint_duration.Observe((steady_ns() - checkpoint_start_ns_) / 1e9);
    metrics_->checkpoint_size.Observe(static_cast<double>(r.batch_bytes));
    metrics_->cached_users.Set(static_cast<double>(cached_users()));
    metrics_->state_live_bytes.Set(static_cast<double>(store_.live_data_bytes()));
    metrics_->publish_store_health(store_.health());
    const EngagementSnapshot snap = snapshot();
    metrics_->publish_snapshot(snap, lanes_[0]->topology.segments());
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
  for (auto& [id, p] : partitions_) out.push_back(p.state.get());
  return out;
}

std::vector<std::pair<int32_t, int64_t>> Pipeline::positions() const {
  std::vector<std::pair<int32_t, int64_t>> out;
  for (auto& [id, p] : partitions_) out.emplace_back(id, p.state->next_offset());
  return out;
}

EngagementSnapshot Pipeline::snapshot() const {
  std::vector<const PartitionAggregates*> aggs;
  for (auto& [id, p] : partitions_) aggs.push_back(&p.state->aggregates());
  const Lane& lane = *lanes_[0];
  return take_snapshot(aggs, lane.processor.config().time_zone,
                       {.support_sla_ms = config_.support_sla_ms,
                        .aha_within_days = lane.topology.aha().within_days});
}

int64_t Pipeline::total_users() const {
  int64_t n = 0;
  for (auto& [id, p] : partitions_)
    for (auto& [cohort, row] : p.state->aggregates().cohort(CohortTable::kDailyOn).rows())
      if (!row.retained.empty()) n += row.retained[0];
  return n;
}

size_t Pipeline::cached_users() const {
  size_t n = 0;
  for (auto& [id, p] : partitions_) n += p.state->users().size();
  return n;
}

}  // namespace engaged
