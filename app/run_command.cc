// `engaged run`: the Kafka shell. One consumer reads the events topic (the pipeline's partitions)
// and the program topic (its one partition: the program stage, on whichever instance owns it).
// Each checkpoint commits the pipeline, the program stage and the acknowledged outbox entries
// in one write; then the new outbox entries and the partitions' watermarks are produced.
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "app/commands.h"
#include "app/metrics.h"
#include "app/pipeline.h"
#include "app/program_runner.h"
#include "app/user_view.h"
#include "ingest/dead_letter.h"
#include "ingest/kafka_source.h"
#include "ingest/outbox_sender.h"
#include "ingest/tick.h"
#include "state/store.h"

namespace engaged {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class RunShell : public PartitionListener {
 public:
  RunShell(const Config& config, const RunOptions& options)
      : config_(config),
        options_(options),
        store_(Store::open(config.state_dir, {.read_only = false, .sync = config.state_sync})),
        dlq_producer_(make_producer(config.kafka)),
        dead_letters_(dlq_producer_.get(), config.dead_letter_topic),
        metrics_(config.metrics_listen),
        pipeline_(config, *store_, dead_letters_, &metrics_, make_wall_clock(config)),
        outbox_(config.kafka, config.program_topic, config.nudges_topic),
        ticks_(config.kafka, config.topic),
        source_(config.kafka, {config.topic, config.program_topic}, *this) {
    metrics_.set_user_lookup(make_user_view(config, *store_));
    // Entries committed before the last stop but never acknowledged go first, in order.
    for (const auto& [key, entry] : store_->all_outbox_entries()) outbox_.send(key, entry);
  }

  int64_t on_assigned(const std::string& topic, int32_t partition) override {
    if (topic == config_.program_topic) {
      int sources = 0;
      while (!(sources = source_.partition_count(config_.topic, 5000)) && !stop_requested())
        spdlog::warn("waiting for the metadata of {}", config_.topic);
      program_ = std::make_unique<ProgramRunner>(config_, *store_, &metrics_, sources);
      spdlog::info("program stage: merging {} partitions of {}", sources, config_.topic);
      return program_->next_offset() > 0 ? program_->next_offset() : RD_KAFKA_OFFSET_BEGINNING;
    }
    last_input_[partition] = steady_ms();
    return pipeline_.on_assigned(partition);
  }

  void on_revoked(const std::string& topic, std::span<const int32_t> partitions) override {
    checkpoint();
    if (topic == config_.program_topic)
      program_.reset();
    else
      pipeline_.drop(partitions);
  }

  int run() {
    std::vector<rd_kafka_message_t*> batch;
    batch.reserve(static_cast<size_t>(config_.batch_size));
    int64_t last_input = steady_ms(), last_progress = steady_ms(), consumed_at_progress = 0;
    int64_t first_input = 0, consumed_before_first = 0;  // for the closing throughput figure
    while (!stop_requested() && !(options_.should_stop && options_.should_stop())) {
      source_.poll(batch, static_cast<size_t>(config_.batch_size), 100);
      pipeline_.begin_batch();
      const int64_t now = steady_ms();
      bool had_input = false;  // anything but our own ticks
      for (rd_kafka_message_t* m : batch) {
        had_input |= handle(m, now);
        rd_kafka_message_destroy(m);
      }
      batch.clear();
      pipeline_.end_batch();
      if (program_) program_->run();
      rd_kafka_poll(dlq_producer_.get(), 0);  // serve dead-letter delivery reports
      outbox_.poll();
      if (had_input && first_input == 0) {
        first_input = now;
        consumed_before_first = pipeline_.consumed_total();
      }
      if (had_input || pipeline_.positions().empty()) last_input = now;  // idle only once assigned
      if (config_.idle_tick_ms > 0) tick_idle_partitions(now);
      if (pipeline_.checkpoint_due()) checkpoint();
      if (options_.on_progress && now - last_progress >= 1000) {
        int64_t consumed = pipeline_.consumed_total();
        options_.on_progress({(consumed - consumed_at_progress) * 1000.0 / (now - last_progress),
                              consumed, lag_total_, pipeline_.total_users()});
        consumed_at_progress = consumed;
        last_progress = now;
      }
      if (options_.idle_exit_ms > 0 && now - last_input >= options_.idle_exit_ms &&
          outbox_.in_flight()[0] + outbox_.in_flight()[1] == 0 && program_caught_up()) {
        spdlog::info("no input for {} ms: stopping", options_.idle_exit_ms);
        break;
      }
    }
    checkpoint();
    outbox_.flush(30000);
    source_.close();  // leaves the group; the revoke callback checkpoints once more
    outbox_.flush(30000);
    checkpoint();  // deletes what the last flush acknowledged
    const double busy_s = first_input ? std::max<int64_t>(1, last_input - first_input) / 1000.0 : 0;
    spdlog::info(
        "stopped cleanly: {} consumed, {} processed; {:.0f} events/s from first to last input",
        pipeline_.consumed_total(), pipeline_.processed_total(),
        busy_s > 0 ? (pipeline_.consumed_total() - consumed_before_first) / busy_s : 0.0);
    return 0;
  }

 private:
  // Returns false for our own messages (idle ticks, the program topic), which do not count as
  // input for --idle-exit-ms.
  bool handle(rd_kafka_message_t* m, int64_t now) {
    if (m->err) {
      spdlog::error("consumer: {} (partition {}, offset {})", rd_kafka_message_errstr(m),
                    m->partition, m->offset);
      return true;
    }
    const std::string_view value{static_cast<const char*>(m->payload), m->len};
    if (rd_kafka_topic_name(m->rkt) == config_.program_topic) {
      if (!program_ || m->offset < program_->next_offset()) return true;
      if (!program_->add(value))
        spdlog::error("program topic offset {}: not a program record, skipped", m->offset);
      program_->set_next_offset(m->offset + 1);
      return false;
    }
    const std::string_view key{static_cast<const char*>(m->key), m->key_len};
    const bool tick = key.starts_with("~tick-");
    if (!tick) last_input_[m->partition] = now;
    rd_kafka_timestamp_type_t tstype;
    const int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    pipeline_.handle(m->partition, m->offset, key, value, ts);
    return !tick;
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

  void checkpoint() {
    CheckpointExtras extras;
    extras.delivered = outbox_.take_delivered();
    if (program_)
      extras.add = [this](ChangeBatch& b, CheckpointResult& r) { program_->write(b, r); };
    const CheckpointResult r = pipeline_.checkpoint(&extras);
    for (const auto& [key, entry] : r.outbox) outbox_.send(key, entry);
    for (PartitionState* p : pipeline_.partitions()) {
      const int64_t t = p->aggregates().stream_time_ms;
      if (t == kNoTime || watermarks_[p->partition()] == t) continue;
      outbox_.send_watermark(p->partition(), p->next_program_seq(), t);
      watermarks_[p->partition()] = t;
    }
    for (size_t sink = 0; sink < 2; ++sink) {
      const char* name = sink == 0 ? "program" : "nudges";
      metrics_.outbox_entries.Add({{"sink", name}}).Set(double(outbox_.in_flight()[sink]));
      auto& delivered = metrics_.outbox_delivered.Add({{"sink", name}});
      delivered.Increment(double(outbox_.delivered_total()[sink]) - delivered.Value());
    }
    update_lag();
  }

  void update_lag() {
    auto positions = pipeline_.positions();
    source_.commit_async(positions);
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
  std::unique_ptr<Store> store_;
  KafkaHandle dlq_producer_;
  KafkaDeadLetterSink dead_letters_;
  Metrics metrics_;
  Pipeline pipeline_;
  OutboxSender outbox_;
  TickProducer ticks_;
  std::unique_ptr<ProgramRunner> program_;
  KafkaSource source_;
  std::map<int32_t, int64_t> last_input_;  // steady ms of a partition's newest message
  std::map<int32_t, int64_t> watermarks_;  // last watermark sent per partition
  int64_t lag_total_ = 0;
};

}  // namespace

int run_pipeline(const Config& config, const RunOptions& options) {
  RunShell shell(config, options);
  return shell.run();
}

}  // namespace engaged
