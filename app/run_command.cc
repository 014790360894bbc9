// `engaged run`: Kafka source -> pipeline -> checkpoint, with lag gauges and a progress callback.
#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "app/commands.h"
#include "app/metrics.h"
#include "app/pipeline.h"
#include "ingest/dead_letter.h"
#include "ingest/kafka_source.h"
#include "state/store.h"

namespace engaged {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int run_pipeline(const Config& config, const RunOptions& options) {
  auto store = Store::open(config.state_dir, {.read_only = false, .sync = config.state_sync});
  KafkaHandle dlq_producer = make_producer(config.kafka);
  KafkaDeadLetterSink dead_letters(dlq_producer.get(), config.dead_letter_topic);
  Metrics metrics(config.metrics_listen);
  Pipeline pipeline(config, *store, dead_letters, &metrics, make_wall_clock(config));
  KafkaSource source(config.kafka, config.topic, pipeline);

  int64_t lag_total = 0;
  pipeline.set_after_checkpoint([&] {
    auto positions = pipeline.positions();
    source.commit_async(positions);
    lag_total = 0;
    for (auto [p, next] : positions) {
      int64_t hi = source.high_watermark(p);
      int64_t lag = hi >= 0 ? std::max<int64_t>(0, hi - next) : 0;
      lag_total += lag;
      metrics.consumer_lag.Add({{"partition", std::to_string(p)}}).Set(static_cast<double>(lag));
    }
  });

  std::vector<rd_kafka_message_t*> batch;
  batch.reserve(static_cast<size_t>(config.batch_size));
  int64_t last_input = steady_ms(), last_progress = steady_ms(), consumed_at_progress = 0;
  int64_t first_input = 0, consumed_before_first = 0;  // for the closing throughput figure
  while (!stop_requested() && !(options.should_stop && options.should_stop())) {
    source.poll(batch, static_cast<size_t>(config.batch_size), 100);
    pipeline.begin_batch();
    for (rd_kafka_message_t* m : batch) {
      if (m->err) {
        spdlog::error("consumer: {} (partition {}, offset {})", rd_kafka_message_errstr(m),
                      m->partition, m->offset);
      } else {
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(m, &tstype);
        pipeline.handle(m->partition, m->offset, {static_cast<const char*>(m->key), m->key_len},
                        {static_cast<const char*>(m->payload), m->len}, ts);
      }
      rd_kafka_message_destroy(m);
    }
    const bool had_input = !batch.empty();
    batch.clear();
    pipeline.end_batch();
    rd_kafka_poll(dlq_producer.get(), 0);  // serve dead-letter delivery reports
    const int64_t now = steady_ms();
    if (had_input && first_input == 0) {
      first_input = now;
      consumed_before_first = pipeline.consumed_total();
    }
    if (had_input || pipeline.positions().empty()) last_input = now;  // idle only once assigned
    if (pipeline.checkpoint_due()) pipeline.checkpoint();
    if (options.on_progress && now - last_progress >= 1000) {
      int64_t consumed = pipeline.consumed_total();
      options.on_progress({(consumed - consumed_at_progress) * 1000.0 / (now - last_progress),
                           consumed, lag_total, pipeline.total_users()});
      consumed_at_progress = consumed;
      last_progress = now;
    }
    if (options.idle_exit_ms > 0 && now - last_input >= options.idle_exit_ms) {
      spdlog::info("no input for {} ms: stopping", options.idle_exit_ms);
      break;
    }
  }
  pipeline.checkpoint();
  source.close();  // leaves the group; the revoke callback checkpoints once more
  const double busy_s = first_input ? std::max<int64_t>(1, last_input - first_input) / 1000.0 : 0;
  spdlog::info(
      "stopped cleanly: {} consumed, {} processed; {:.0f} events/s from first to last input",
      pipeline.consumed_total(), pipeline.processed_total(),
      busy_s > 0 ? (pipeline.consumed_total() - consumed_before_first) / busy_s : 0.0);
  return 0;
}

}  // namespace engaged
