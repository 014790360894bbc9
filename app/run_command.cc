// `engaged run`: the Kafka shell. One consumer reads the events topic (the pipeline's partitions)
// and the program topic (its one partition: the program stage, on whichever instance owns it).
// A newly assigned partition's state is restored from its changelog before its first fetch (from
// where the local copy stands, or from the start on an empty disk), and its input resumes at the
// offset the restored state ends at. Each checkpoint mirrors its writes to the changelog,
// then commits the pipeline, the program stage and the acknowledged outbox entries in one local
// write, on a thread of its own while processing goes on. Program records and nudges are
// produced at the end of the batch that decided them, each partition's records followed by its
// stream time as a watermark (processing.send_outputs=on_decision), or after that commit.
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "app/commands.h"
#include "app/http_server.h"
#include "app/kafka_stats.h"
#include "app/members.h"
#include "app/metrics.h"
#include "app/pipeline.h"
#include "app/program_runner.h"
#include "app/user_view.h"
#include "ingest/kafka_source.h"
#include "ingest/topic_admin.h"
#include "sinks/dead_letter.h"
#include "sinks/json_text.h"
#include "sinks/outbox_sender.h"
#include "sinks/tick.h"
#include "state/changelog_tails.h"
#include "state/changelog_writer.h"
#include "state/kafka/partitioner.h"
#include "state/kafka/topic_reader.h"
#include "state/steady_clock.h"
#include "state/store.h"

namespace engaged {
namespace {

int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int32_t kProgram = codec::kProgramPartition;

constexpr int kExitUnreachable = 2;  // see docs/deploy.md, "Exit codes"

struct BrokersUnreachable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The input topic's partition count; the members, changelog and program changelog topics exist
// as they must (created on a real cluster).
int prepare_topics(const Config& config) {
  const int partitions = topic_partitions(config.kafka, {config.topic})[0];
  if (partitions == 0)
    throw std::runtime_error("input topic " + config.topic +
                             " does not exist (or the broker is unreachable)");
  std::vector<TopicSpec> topics = {{members_topic(config), 1, true}};
  if (config.changelog) {
    topics.push_back({changelog_topic(config), partitions, true});
    topics.push_back({program_changelog_topic(config), 1, true});
  }
  ensure_topics(config.kafka, topics, static_cast<int>(config.changelog_replication_factor));
  return partitions;
}

class RunShell : public PartitionListener {
 public:
  RunShell(const Config& config, const RunOptions& options)
      : config_(config),
        options_(options),
        partitions_(prepare_topics(config)),
        store_(Store::open(config.state_dir, {.read_only = false,
                                              .sync = config.state_sync,
                                              .memory_bytes = rocksdb_memory_bytes(config)})),
        dead_letters_(config.kafka, config.dead_letter_topic),
        http_(serve_http(config, metrics_.registry())),
        pipeline_(config, *store_, dead_letters_, &metrics_, make_wall_clock(config),
                  static_cast<int>(config.processing_threads)),
        outbox_(config.kafka, config.program_topic, config.nudges_topic),
        ticks_(config.kafka, config.topic, *Partitioner::parse(config.partitioner)),
        reader_(config.kafka, "restore"),
        restores_(*store_, reader_),
        standby_reader_(config.kafka, "standby"),
        standbys_(*store_, standby_reader_),
        source_(config.kafka, {config.topic, config.program_topic}, *this,
                fetch_queue_bytes(config)) {
    const Manifest manifest = manifest_for(config, partitions_);
    check_manifest(*store_, config.state_dir, &manifest);
    metrics_.set_currencies(split_list(config.revenue_currencies));
    spdlog::info("{} stream thread(s) (processing.threads)", config.processing_threads);
    if (config.changelog) {
      changelog_ = std::make_unique<KafkaChangelog>(
          config.kafka,
          ChangelogOptions{changelog_topic(config), program_changelog_topic(config),
                           config.changelog_compression, config.changelog_materialize_ms,
                           static_cast<size_t>(config.changelog_buffer_bytes), 900000,
                           config.unreachable_timeout_ms});
      pipeline_.set_changelog(changelog_.get());
    }
    std::string address = config.advertised_address;
    if (address.empty() && http_)
      address = config.metrics_listen.substr(0, config.metrics_listen.rfind(':') + 1) +
                std::to_string(http_->port());
    members_ =
        std::make_unique<Members>(config.kafka, members_topic(config), store_->identity(), address);
    UserRoutes routes{
        *Partitioner::parse(config.partitioner), partitions_,
        [this](int32_t p) { return std::atomic_load(&served_)->count(p) > 0; },
        [this](int32_t p) -> std::optional<std::string> {
          auto owner = members_->owner(p);
          if (!owner || owner->instance == members_->instance() || owner->address.empty())
            return std::nullopt;
          return owner->address;
        }};
    if (http_) {
      http_->set_user_lookup(make_user_view(config, *store_, routes),
                             make_program_view(*store_, routes));
      http_->set_readiness([this] { return readiness(); });
    }
    metrics_.kafka_reachable.Set(1);  // the topics were just read from it
  }

  // The partitions' state is put in place before they are assigned: restored from their
  // changelogs (all at once), then loaded; each resumes where its state ends.
  void on_assigned(std::vector<AssignedPartition>& partitions) override {
    std::vector<int32_t> logical;
    for (const auto& a : partitions)
      logical.push_back(a.topic == config_.program_topic ? kProgram : a.partition);
    if (changelog_) {
      for (int32_t p : logical) standbys_.stop(p, system_ms());  // its copy is the head start
      claim_and_restore(logical);
    }
    for (size_t i = 0; i < partitions.size(); ++i) partitions[i].offset = activate(logical[i]);
    publish_ownership();
  }

  void on_revoked(const std::string& topic, std::span<const int32_t> partitions,
                  bool lost) override {
    std::vector<int32_t> logical;
    for (int32_t p : partitions) logical.push_back(topic == config_.program_topic ? kProgram : p);
    // Everything owned is committed (and on its changelog) now. A lost assignment gets no new
    // checkpoint, but the one in flight is committed first: it holds the partitions.
    if (lost)
      complete_checkpoint(true);
    else
      checkpoint();
    for (int32_t p : logical) {
      if (owned_.erase(p)) {
        if (changelog_) {
          if (lost)
            changelog_->discard(p);
          else
            changelog_->release(p);
        }
        if (p == kProgram) {
          program_.reset();
          metrics_.publish_program({}, 0);  // its gauges belong to the new owner now
        } else {
          pipeline_.drop(p);
          watermarks_.erase(p);
          last_input_.erase(p);
        }
        // Lost: another owner may have claimed it before this instance's last records landed,
        // which the changelog then skips; a copy holding them is no head start.
        if (lost && changelog_) store_->erase_partition(p);
      }
      if (!closing_) mark_released(p);
    }
    publish_ownership();
  }

  void on_rebalanced() override {
    joined_ = true;
    publish_ownership();
    if (first_assignment_seen_) return;
    first_assignment_seen_ = true;
    // What this disk holds of partitions not assigned here belongs to others now: kept only as
    // a head start, never reported or served.
    std::vector<int32_t> local = store_->partitions();
    local.push_back(kProgram);
    for (int32_t p : local)
      if (!owned_.count(p)) mark_released(p);
  }

  // Runs until stopped: 0 after a clean stop, 1 after an error, 2 when no broker answered for
  // input.unreachable_timeout. Every failure ends alike: the error logged, nothing more written
  // (the state stays at its last committed checkpoint, as after kill -9: a restart resumes
  // there exactly), the consumer destroyed without the revoke callback.
  int run() {
    try {
      loop();
      stop_cleanly();
      return 0;
    } catch (const std::exception& e) {
      const bool unreachable = dynamic_cast<const BrokersUnreachable*>(&e) != nullptr ||
                               brokers_down_since_ != 0 || source_.all_brokers_down();
      spdlog::error("run failed: {}", e.what());
      spdlog::error(
          "nothing more is written: the state stays at its last committed checkpoint, which a "
          "restart resumes from exactly");
      source_.abandon();
      return unreachable ? kExitUnreachable : 1;
    }
  }

 private:
  void loop() {
    std::vector<rd_kafka_message_t*> batch;
    batch.reserve(static_cast<size_t>(config_.batch_size));
    int64_t last_input = steady_ms(), last_progress = steady_ms(), consumed_at_progress = 0;
    int64_t first_input = 0, consumed_before_first = 0;  // for the closing throughput figure
    int64_t last_cleanup = steady_ms(), last_standby_check = 0;
    while (!stop_requested() && !(options_.should_stop && options_.should_stop())) {
      source_.poll(batch, static_cast<size_t>(config_.batch_size), 100);
      pipeline_.begin_batch();
      const int64_t now = steady_ms();
      bool had_input = false;  // anything but our own ticks
      for (rd_kafka_message_t* m : batch) had_input |= take(m, now);
      // The program stage first: the records it just took do not wait for the input batch.
      if (program_) {
        program_->run();
        if (config_.send_on_decision) {
          for (const auto& [key, entry] : program_->nudges().unsent()) outbox_.send(key, entry);
          program_->nudges().mark_sent();
        }
      }
      pipeline_.apply_batch(input_);
      input_.clear();
      for (rd_kafka_message_t* m : batch) rd_kafka_message_destroy(m);
      batch.clear();
      pipeline_.end_batch();
      if (config_.send_on_decision) send_program_records();
      members_->poll();
      if (changelog_ && config_.standby_replicas > 0) {
        if (now - last_standby_check >= 1000) {
          update_standbys();
          last_standby_check = now;
        }
        standbys_.step(system_ms());
      }
      dead_letters_.poll();
      outbox_.poll();
      if (changelog_) {
        changelog_->poll();
        changelog_->step();
      }
      if (had_input && first_input == 0) {
        first_input = now;
        consumed_before_first = pipeline_.consumed_total();
      }
      if (had_input || pipeline_.positions().empty()) last_input = now;  // idle once assigned
      if (config_.idle_tick_ms > 0) tick_idle_partitions(now);
      complete_checkpoint(false);
      if (pipeline_.checkpoint_due()) {
        complete_checkpoint(true);  // one in flight at a time
        begin_checkpoint();
      }
      if (now - last_cleanup >= 10000) {
        cleanup_released();
        last_cleanup = now;
      }
      if (options_.on_progress && now - last_progress >= 1000) {
        int64_t consumed = pipeline_.consumed_total();
        options_.on_progress({(consumed - consumed_at_progress) * 1000.0 / (now - last_progress),
                              consumed, lag_total_, pipeline_.total_users(), 0, restored_records_});
        consumed_at_progress = consumed;
        last_progress = now;
      }
      check_brokers(now);
      metrics_.dead_letters_truncated.Increment(double(dead_letters_.truncated_total()) -
                                                metrics_.dead_letters_truncated.Value());
      if (options_.idle_exit_ms > 0 && now - last_input >= options_.idle_exit_ms &&
          brokers_down_since_ == 0 && outbox_.in_flight()[0] + outbox_.in_flight()[1] == 0 &&
          program_caught_up() && input_caught_up()) {
        spdlog::info("no input for {} ms: stopping", options_.idle_exit_ms);
        break;
      }
    }
    if (first_input)
      busy_s_ = std::max<int64_t>(1, last_input - first_input) / 1000.0,
      consumed_busy_ = pipeline_.consumed_total() - consumed_before_first;
  }

  void stop_cleanly() {
    checkpoint();
    outbox_.flush(30000);
    for (int32_t p : standbys_.partitions()) standbys_.stop(p, system_ms());
    closing_ = true;  // what this instance owns stays owned on its disk until it is assigned
    source_.close();  // leaves the group; the revoke callback checkpoints once more
    outbox_.flush(30000);
    checkpoint();  // deletes what the last flush acknowledged
    members_->leave();
    store_->flush();  // the state in SST files, not only in the WAL
    spdlog::info(
        "stopped cleanly: {} consumed, {} processed; {:.0f} events/s from first to last input",
        pipeline_.consumed_total(), pipeline_.processed_total(),
        busy_s_ > 0 ? consumed_busy_ / busy_s_ : 0.0);
    if (changelog_) {
      const ChangelogStats& s = changelog_->stats();
      spdlog::info("changelog: {} redo records, {} state records, {} tombstones, {:.1f} MiB",
                   s.redo_records, s.state_records, s.tombstones, s.bytes / 1048576.0);
    }
  }

  // Tracks whether Kafka answers: down from the consumer's "all brokers down" until a probe
  // (every 2 s meanwhile) or a fetched message says otherwise; down for longer than
  // input.unreachable_timeout ends the run.
  void check_brokers(int64_t now) {
    if (source_.all_brokers_down() && brokers_down_since_ == 0) {
      brokers_down_since_ = now;
      metrics_.kafka_reachable.Set(0);
      spdlog::warn("no Kafka broker answers ({}); giving up after {} s",
                   config_.kafka.at("bootstrap.servers"), config_.unreachable_timeout_ms / 1000);
    }
    if (brokers_down_since_ == 0 || now - last_probe_ < 2000) return;
    last_probe_ = now;
    if (source_.reachable(1000)) {
      spdlog::info("Kafka answers again after {} s", (now - brokers_down_since_) / 1000);
      brokers_down_since_ = 0;
      metrics_.kafka_reachable.Set(1);
    } else if (now - brokers_down_since_ >= config_.unreachable_timeout_ms) {
      throw BrokersUnreachable(
          fmt::format("no Kafka broker at {} answered for {} s (input.unreachable_timeout)",
                      config_.kafka.at("bootstrap.servers"), (now - brokers_down_since_) / 1000));
    }
  }

  const std::string& changelog_of(int32_t logical) const {
    return logical == kProgram ? program_changelog_ : changelog_topic_;
  }
  static int32_t changelog_partition(int32_t logical) { return logical == kProgram ? 0 : logical; }

  // Whether this disk holds any state of the partition.
  bool has_copy(int32_t logical) {
    std::string from, to;
    codec::put_partition(from, logical);
    codec::put_partition(to, logical + 1);
    const Family f = logical == kProgram ? Family::kProgram : Family::kOffsets;
    return !store_->keys_in_range(f, from, to).empty();
  }

  // Where the restore of a partition starts: the local copy's position if it is a head start
  // the changelog can extend, else the start of the changelog (the copy is dropped first). A
  // copy from before the changelog was on, with an empty changelog, seeds it instead: then the
  // copy is complete as it is (`seeded`).
  struct Start {
    int64_t from = 0;
    bool seeded = false;
  };
  // Where a copy on the changelog (a head start) can be brought up to date from, or nullopt
  // when it cannot (then it is deleted).
  std::optional<int64_t> head_start(int32_t logical, int64_t lo, int64_t hi) {
    const auto position = store_->changelog_position(logical);
    if (!position || position->next_offset < 0) return std::nullopt;
    // From the first redo record nobody covered yet, if before: the writer takes those over.
    int64_t from = position->restoring_from >= 0 ? position->restoring_from : position->next_offset;
    if (position->uncovered_from >= 0) from = std::min(from, position->uncovered_from);
    std::string why;
    if (from > hi)
      why = "it is ahead of the changelog (was the topic recreated?)";
    else if (from < lo)
      why = "the changelog no longer holds the records after it";
    else if (hi > from && system_ms() - position->written_ms > config_.head_start_max_age_ms)
      why = "it is older than state.head_start_max_age";
    if (why.empty()) return from;
    spdlog::warn("{}[{}]: the local copy (at changelog offset {}) is not used: {}",
                 changelog_of(logical), changelog_partition(logical), from, why);
    store_->erase_partition(logical);
    return std::nullopt;
  }

  Start restore_start(int32_t logical, int64_t lo, int64_t hi) {
    const auto position = store_->changelog_position(logical);
    const std::string name =
        changelog_of(logical) + "[" + std::to_string(changelog_partition(logical)) + "]";
    if (position && position->next_offset >= 0) return {head_start(logical, lo, hi).value_or(0)};
    if (!has_copy(logical)) return {0};
    if (hi == 0) {
      const int64_t end = changelog_->seed(logical, *store_);
      spdlog::info("{}: the changelog was empty: seeded with the local copy ({} records)", name,
                   end);
      return {end, true};
    }
    spdlog::warn("{}: the local copy was never on this changelog: restoring from it instead", name);
    store_->erase_partition(logical);
    return {0};
  }

  // Where the copy of `logical` restores from; throws if the changelog lost what it needs.
  int64_t prepare_restore(int32_t logical) {
    const std::string& topic = changelog_of(logical);
    const int32_t cp = changelog_partition(logical);
    const auto [lo, hi] = reader_.watermarks(topic, cp);
    const Start start = restore_start(logical, lo, hi);
    if (!start.seeded && start.from < lo)
      throw std::runtime_error(fmt::format(
          "changelog {}[{}] starts at offset {}: its head was dropped (retention, or the "
          "embedded cluster's per-partition limit), so this partition's state cannot be "
          "restored exactly; raise the topic's retention, or rebuild the state with a replay",
          topic, cp, lo));
    return start.from;
  }

  // Claims the partitions on their changelogs, then restores each up to and including its
  // claim: the state this writer continues, whatever a replaced owner still writes after it. A
  // claim outbid by one with a higher epoch before it (a replaced owner's, late, with a clock
  // ahead of ours) is made again above it.
  void claim_and_restore(std::vector<int32_t> partitions) {
    for (int attempt = 0; !partitions.empty(); ++attempt) {
      if (attempt == 3)
        throw std::runtime_error(fmt::format("{}[{}]: claimed three times, outbid every time",
                                             changelog_of(partitions[0]),
                                             changelog_partition(partitions[0])));
      std::map<int32_t, int64_t> from;
      std::map<int32_t, uint64_t> epochs;
      for (int32_t p : partitions) {
        from[p] = prepare_restore(p);
        const auto position = store_->changelog_position(p);
        epochs[p] = std::max(static_cast<uint64_t>(system_ms()),
                             (position ? position->claim.epoch : 0) + 1);
      }
      const std::map<int32_t, int64_t> claimed = changelog_->claim(epochs);
      for (int32_t p : partitions) begin_restore(p, from[p], claimed.at(p) + 1);
      publish_ownership();
      restore_all();
      std::vector<int32_t> outbid;
      for (int32_t p : partitions) {
        if (store_->changelog_position(p)->claim.owner == changelog_->writer()) continue;
        spdlog::warn("{}[{}]: a claim with a higher epoch came first: claiming again",
                     changelog_of(p), changelog_partition(p));
        changelog_->discard(p);
        outbid.push_back(p);
      }
      partitions = std::move(outbid);
    }
  }

  void begin_restore(int32_t logical, int64_t from, int64_t end) {
    const std::string& topic = changelog_of(logical);
    const int32_t cp = changelog_partition(logical);
    restores_.begin(logical, topic, cp, from, end, system_ms());
    if (end - from > 1)
      spdlog::info("{}[{}]: restoring {} records (offsets {}..{})", topic, cp, end - from, from,
                   end);
    metrics_.restoring_partitions.Set(double(restores_.active()));
  }

  // Runs the begun restores to their end, reporting progress meanwhile.
  void restore_all() {
    int64_t last_progress = steady_ms();
    while (restores_.active() > 0) {
      for (const RestoreSet::Finished& f : restores_.step(100)) {
        if (!f.unfinished.empty()) changelog_->tombstone(f.logical, f.unfinished);
        changelog_->adopt(f.logical, f.uncovered.keys, f.uncovered.ops, f.uncovered.first_offset,
                          f.uncovered.claim);
        metrics_.restore_records.Increment(double(f.records));
        metrics_.restore_bytes.Increment(double(f.bytes));
        metrics_.restore_duration.Observe(f.seconds);
        restored_records_ += f.records;
        if (f.end - f.from > 1)
          spdlog::info("{}[{}]: restored {} records ({:.1f} MiB) in {:.2f} s{}{}", f.topic,
                       f.partition, f.records, f.bytes / 1048576.0, f.seconds,
                       f.unfinished.empty() ? ""
                                            : fmt::format("; {} redo chunks to delete (a "
                                                          "checkpoint never finished, or fenced)",
                                                          f.unfinished.size()),
                       f.fenced == 0
                           ? ""
                           : fmt::format("; skipped {} records of a replaced owner", f.fenced));
      }
      metrics_.restoring_partitions.Set(double(restores_.active()));
      const int64_t now = steady_ms();
      if (options_.on_progress && now - last_progress >= 1000 && restores_.active() > 0) {
        options_.on_progress({0, pipeline_.consumed_total(), lag_total_, pipeline_.total_users(),
                              static_cast<int>(restores_.active()),
                              restored_records_ + restores_.records()});
        last_progress = now;
      }
    }
  }

  // A partition whose state is in place starts: the pipeline (or the program stage) loads it and
  // its unsent outbox entries go out. Returns where its input resumes.
  int64_t activate(int32_t logical) {
    for (const auto& [key, entry] : store_->outbox_entries(logical)) outbox_.send(key, entry);
    owned_.insert(logical);
    if (logical == kProgram) {
      program_ = std::make_unique<ProgramRunner>(config_, *store_, &metrics_, partitions_);
      spdlog::info("program stage: merging {} partitions of {}", partitions_, config_.topic);
      const int64_t from = program_->next_offset();
      // The stage reads its pending envelopes again from there: they must still be on the topic.
      if (const int64_t lo = reader_.watermarks(config_.program_topic, 0).first; from < lo)
        throw std::runtime_error(fmt::format(
            "program topic {} starts at offset {}, after {} where the program stage resumes: "
            "records it had not processed were dropped (retention, or the embedded cluster's "
            "per-partition limit); raise the topic's retention, or rebuild the state with a replay",
            config_.program_topic, lo, from));
      return from;
    }
    PartitionState& p = pipeline_.open_partition(logical);
    last_input_[logical] = steady_ms();
    return p.has_checkpoint() ? p.next_offset() : 0;
  }

  // Keeps warm the partitions this instance is a standby for: the state.standby_replicas
  // instances after each partition's owner, in the members' id order.
  void update_standbys() {
    const std::vector<std::string> instances = members_->instances();
    const std::string& self = members_->instance();
    std::set<int32_t> want;
    const size_t n = instances.size();
    const size_t k =
        n == 0 ? 0 : std::min<size_t>(static_cast<size_t>(config_.standby_replicas), n - 1);
    std::vector<int32_t> all;
    for (int32_t p = 0; p < partitions_; ++p) all.push_back(p);
    all.push_back(kProgram);
    for (int32_t p : all) {
      const auto owner = members_->owner(p);
      if (owned_.count(p) || !owner || owner->instance == self) continue;
      const size_t at = static_cast<size_t>(
          std::find(instances.begin(), instances.end(), owner->instance) - instances.begin());
      for (size_t i = 1; i <= k && at < n; ++i)
        if (instances[(at + i) % n] == self) want.insert(p);
    }
    for (int32_t p : standbys_.partitions())
      if (!want.count(p)) standbys_.stop(p, system_ms());
    for (int32_t p : want) {
      if (standbys_.keeps(p)) continue;
      const std::string& topic = changelog_of(p);
      const auto [lo, hi] = standby_reader_.watermarks(topic, changelog_partition(p));
      const int64_t from = head_start(p, lo, hi).value_or(0);
      if (from < lo) continue;  // the head is gone: a restore will say so
      standbys_.start(p, topic, changelog_partition(p), from, system_ms());
    }
  }

  // Tells the HTTP side and the other instances what this one serves and restores now.
  void publish_ownership() {
    std::atomic_store(&served_, std::make_shared<const std::set<int32_t>>(owned_));
    std::set<int32_t> restoring;
    for (int32_t p : restores_.partitions()) restoring.insert(p);
    members_->announce(owned_, restoring);
  }

  void mark_released(int32_t logical) {
    auto stored = store_->changelog_position(logical);
    if (!stored && !has_copy(logical)) return;
    // A copy never on the changelog keeps next_offset -1: it is not a head start.
    codec::ChangelogPosition fresh;
    fresh.next_offset = -1;
    auto position = stored.value_or(fresh);
    if (position.released) return;
    position.released = true;
    position.released_ms = system_ms();
    std::string key, value;
    codec::put_partition(key, logical);
    codec::encode_changelog_position(value, position);
    rocksdb::WriteBatch batch;
    batch.Put(store_->cf(Family::kChangelog), key, value);
    store_->write(batch);
  }

  // Copies released longer than state.cleanup_delay ago leave the disk.
  void cleanup_released() {
    std::vector<int32_t> local = store_->partitions();
    local.push_back(kProgram);
    for (int32_t p : local) {
      if (owned_.count(p) || standbys_.keeps(p)) continue;
      const auto position = store_->changelog_position(p);
      if (!position || !position->released ||
          system_ms() - position->released_ms < config_.cleanup_delay_ms)
        continue;
      store_->erase_partition(p);
      spdlog::info("partition {}: released {} s ago, its local copy is deleted",
                   p == kProgram ? std::string("program") : std::to_string(p),
                   (system_ms() - position->released_ms) / 1000);
    }
  }

  // Hands a program-topic message to the program stage, and keeps an input message for the
  // pipeline's batch (input_). Returns false for our own messages (idle ticks, the program
  // topic), which do not count as input for --idle-exit-ms.
  bool take(rd_kafka_message_t* m, int64_t now) {
    if (m->err) {
      spdlog::error("consumer: {} (partition {}, offset {})", rd_kafka_message_errstr(m),
                    m->partition, m->offset);
      return false;
    }
    const std::string_view value{static_cast<const char*>(m->payload), m->len};
    if (rd_kafka_topic_name(m->rkt) == config_.program_topic) {
      if (!program_ || m->offset < program_->next_offset()) return true;
      if (!program_->add(value, m->offset))
        spdlog::error("program topic offset {}: not a program record, skipped", m->offset);
      program_->set_next_offset(m->offset + 1);
      return false;
    }
    if (!pipeline_.owns(m->partition)) return true;  // fetched before it was revoked
    const std::string_view key{static_cast<const char*>(m->key), m->key_len};
    const bool tick = key.starts_with("~tick-");
    if (!tick) last_input_[m->partition] = now;
    rd_kafka_timestamp_type_t tstype;
    const int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    input_.push_back({m->partition, m->offset, key, value, ts});
    return !tick;
  }

  // Every owned partition has read what its topic holds (our own ticks included).
  bool input_caught_up() {
    for (auto [p, next] : pipeline_.positions()) {
      const int64_t hi = source_.high_watermark(config_.topic, p);
      if (hi < 0 || next < hi) return false;
    }
    return true;
  }

  // The program stage (if here) has read everything on its topic.
  bool program_caught_up() {
    if (!program_) return true;
    const int64_t hi = source_.high_watermark(config_.program_topic, 0);
    return hi >= 0 && program_->next_offset() >= hi;
  }

  // A partition without input for processing.idle_tick gets a tick at the wall-clock time.
  void tick_idle_partitions(int64_t now) {
    for (auto& [partition, last] : last_input_) {
      if (!pipeline_.owns(partition) || now - last < config_.idle_tick_ms) continue;
      ticks_.send(partition, make_wall_clock(config_)());
      last = now;
    }
  }

  // processing.send_outputs=on_decision: the program records the partitions emitted in this
  // batch leave now, each partition's followed by its stream time as a watermark (on the same
  // producer, so the program stage never sees a watermark before the records below it).
  void send_program_records() {
    for (PartitionState* p : pipeline_.partitions()) {
      for (const auto& [key, entry] : p->program_outbox().unsent()) outbox_.send(key, entry);
      p->program_outbox().mark_sent();
      send_watermark(p->watermark());
    }
  }

  // A partition's watermark, unless one as high was sent already.
  void send_watermark(const Watermark& w) {
    if (w.stream_time_ms == kNoTime) return;
    auto [it, first] = watermarks_.try_emplace(w.partition, w.stream_time_ms);
    if (!first && it->second >= w.stream_time_ms) return;
    it->second = w.stream_time_ms;
    outbox_.send_watermark(w.partition, w.next_seq, w.stream_time_ms);
  }

  // A checkpoint committed before this returns (rebalances, shutdown).
  void checkpoint() {
    complete_checkpoint(true);
    begin_checkpoint();
    complete_checkpoint(true);
  }

  // Begins a checkpoint (its first partitions' writes are collected); the loop collects the rest.
  void begin_checkpoint() {
    CheckpointExtras extras;
    // Acknowledged entries of partitions still owned: another's are not ours to delete.
    for (auto& key : outbox_.take_delivered())
      if (owned_.count(codec::partition_of(key))) extras.delivered.push_back(std::move(key));
    if (program_)
      extras.add = [this](ChangeBatch& b, CheckpointResult& r) { program_->write(b, r); };
    pipeline_.begin_checkpoint(&extras);
  }

  // Commits the checkpoint in flight once the changelog acknowledged it (or waits for that),
  // then sends what it committed: outbox entries, and the watermarks it stood at.
  void complete_checkpoint(bool wait) {
    const std::optional<CheckpointResult> r = pipeline_.complete_checkpoint(wait);
    if (!r) return;
    last_checkpoint_ms_ = system_ms();
    for (const auto& [key, entry] : r->outbox) outbox_.send(key, entry);
    for (const Watermark& w : r->watermarks) send_watermark(w);
    for (size_t sink = 0; sink < 2; ++sink) {
      const char* name = sink == 0 ? "program" : "nudges";
      metrics_.outbox_entries.Add({{"sink", name}}).Set(double(outbox_.in_flight()[sink]));
      auto& delivered = metrics_.outbox_delivered.Add({{"sink", name}});
      delivered.Increment(double(outbox_.delivered_total()[sink]) - delivered.Value());
    }
    if (changelog_) {
      const ChangelogStats& s = changelog_->stats();
      metrics_.publish_changelog(s.redo_records, s.state_records, s.tombstones, s.bytes);
    }
    update_lag();
  }

  // /readyz, on an HTTP thread (atomics and gauges only): ready once the group assigned this
  // instance its partitions (none is an answer too), none is being restored, Kafka answers and
  // the last checkpoint completed within health.checkpoint_max_age.
  HttpAnswer readiness() const {
    const bool joined = joined_;
    const double restoring = metrics_.restoring_partitions.Value();
    const bool reachable = metrics_.kafka_reachable.Value() == 1;
    const int64_t age_ms = system_ms() - last_checkpoint_ms_;
    std::vector<std::string> failing;
    if (!joined) failing.push_back("waiting for the consumer group to assign partitions");
    if (restoring > 0)
      failing.push_back(fmt::format("restoring {} partitions from the changelog", restoring));
    if (!reachable) failing.push_back("no Kafka broker answers");
    if (age_ms > config_.ready_checkpoint_age_ms)
      failing.push_back(fmt::format("last checkpoint {} s ago (health.checkpoint_max_age {} s)",
                                    age_ms / 1000, config_.ready_checkpoint_age_ms / 1000));
    std::string body = fmt::format(
        "{{\"ready\":{},\"assigned\":{},\"restoring_partitions\":{},\"kafka_reachable\":{},"
        "\"checkpoint_age_seconds\":{:.3f},\"failing\":[",
        failing.empty(), joined, restoring, reachable, age_ms / 1000.0);
    for (size_t i = 0; i < failing.size(); ++i) {
      if (i) body += ',';
      append_json_string(body, failing[i]);
    }
    body += "]}";
    return {failing.empty() ? 200 : 503, std::move(body), {}, 0};
  }

  void update_lag() {
    // No offsets are committed to Kafka: positions live in the state. A commit racing a rebalance
    // fails with ILLEGAL_GENERATION, which librdkafka takes for a lost assignment (every
    // partition revoked without a checkpoint), so even informational commits would churn.
    auto positions = pipeline_.positions();
    lag_total_ = 0;
    for (auto [p, next] : positions) {
      int64_t hi = source_.high_watermark(config_.topic, p);
      int64_t lag = hi >= 0 ? std::max<int64_t>(0, hi - next) : 0;
      lag_total_ += lag;
      metrics_.consumer_lag.Add({{"partition", std::to_string(p)}}).Set(static_cast<double>(lag));
    }
  }

  const Config& config_;
  const RunOptions& options_;
  const int partitions_;  // of the input topic
  const std::string changelog_topic_ = changelog_topic(config_);
  const std::string program_changelog_ = program_changelog_topic(config_);
  std::unique_ptr<Store> store_;
  KafkaDeadLetterSink dead_letters_;
  Metrics metrics_;
  // librdkafka's statistics of the clients made from here on (the consumer, the outbox...).
  KafkaStatsMetrics kafka_stats_{*metrics_.registry()};
  // For /readyz (read by the HTTP threads, so declared before http_).
  std::atomic<bool> joined_ = false;
  std::atomic<int64_t> last_checkpoint_ms_ = system_ms();
  std::unique_ptr<HttpServer> http_;  // /metrics and /v1/users; none without metrics.listen
  Pipeline pipeline_;
  std::vector<InputMessage> input_;  // the poll's input messages, for the pipeline
  OutboxSender outbox_;
  TickProducer ticks_;
  std::unique_ptr<KafkaChangelog> changelog_;
  TopicReader reader_;
  RestoreSet restores_;  // by logical partition (kProgram: the program stage)
  TopicReader standby_reader_;
  StandbySet standbys_;  // warm copies of partitions others own
  std::unique_ptr<ProgramRunner> program_;
  std::unique_ptr<Members> members_;
  // What the HTTP threads may answer for: replaced whole whenever it changes.
  std::shared_ptr<const std::set<int32_t>> served_ = std::make_shared<const std::set<int32_t>>();
  std::set<int32_t> owned_;  // active here
  bool first_assignment_seen_ = false;
  bool closing_ = false;
  int64_t restored_records_ = 0;
  std::map<int32_t, int64_t> last_input_;  // steady ms of a partition's newest message
  std::map<int32_t, int64_t> watermarks_;  // last watermark sent per partition
  int64_t lag_total_ = 0;
  int64_t brokers_down_since_ = 0, last_probe_ = 0;  // steady ms
  double busy_s_ = 0;                                // first to last input
  int64_t consumed_busy_ = 0;                        // consumed in that time
  KafkaSource source_;  // last: closed (revoke callback) before anything it uses goes
};

}  // namespace

int run_pipeline(const Config& config, const RunOptions& options) {
  arm_shutdown_deadline(config.shutdown_timeout_ms);
  RunShell shell(config, options);
  return shell.run();
}

}  // namespace engaged
