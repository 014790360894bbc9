// `engaged replay`: NDJSON through the very same pipeline as `run`. Each line goes to the
// partition librdkafka's default partitioner would give its user id, with per-partition record
// numbers as offsets; so replaying the file a topic was produced from yields the same state.
// With --keyed, lines carry their Kafka key ("key<TAB>json", as kcat -K'\t' reads and writes
// them), so even undecodable messages land in the same partition as through Kafka.
// Re-running on an existing state resumes after the records already applied.
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "app/commands.h"
#include "app/metrics.h"
#include "app/pipeline.h"
#include "ingest/dead_letter.h"
#include "ingest/ndjson_source.h"
#include "state/store.h"

namespace engaged {

int replay(const Config& config, const ReplayOptions& options) {
  // The input file can be re-read from any stored offset, so the WAL is not needed: a crash
  // rolls state and offsets back together to the last flush and the next replay resumes there.
  auto store =
      Store::open(config.state_dir, {.read_only = false, .sync = config.state_sync, .wal = false});
  FileDeadLetterSink dead_letters(options.dead_letter_file);
  std::unique_ptr<Metrics> metrics;
  if (!config.metrics_listen.empty()) metrics = std::make_unique<Metrics>(config.metrics_listen);
  Pipeline pipeline(config, *store, dead_letters, metrics.get(), make_wall_clock(config));
  std::vector<int64_t> records(static_cast<size_t>(options.partitions), 0);
  for (int p = 0; p < options.partitions; ++p) pipeline.open_partition(p);

  NdjsonSource source(options.input);
  const auto start = std::chrono::steady_clock::now();
  std::string_view line;
  bool oversized = false;
  int64_t in_batch = 0;
  pipeline.begin_batch();
  while (source.next(line, oversized)) {
    std::string_view key;
    if (options.keyed) {
      size_t tab = line.find('\t');
      if (tab != std::string_view::npos) {
        key = line.substr(0, tab);
        line.remove_prefix(tab + 1);
      }
    }
    std::optional<Rejection> rejection;
    if (oversized)
      rejection = Rejection{RejectReason::kTooLarge, "message over size limit"};
    else
      rejection = pipeline.decode(line, /*padded=*/true);
    if (!options.keyed) key = rejection ? std::string_view() : pipeline.event().user_id;
    int32_t p = key.empty()
                    ? 0
                    : rd_kafka_msg_partitioner_consistent(nullptr, key.data(), key.size(),
                                                          options.partitions, nullptr, nullptr);
    pipeline.apply(p, records[static_cast<size_t>(p)]++, key, line, rejection, 0);
    if (++in_batch == 65536) {
      pipeline.end_batch();
      if (pipeline.checkpoint_due()) pipeline.checkpoint();
      if (stop_requested()) break;
      pipeline.begin_batch();
      in_batch = 0;
    }
  }
  pipeline.end_batch();
  pipeline.checkpoint();
  store->flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.quiet)
    spdlog::info("replayed {} records ({} applied) in {:.2f} s: {:.0f} events/s",
                 pipeline.consumed_total(), pipeline.processed_total(), seconds,
                 pipeline.consumed_total() / std::max(seconds, 1e-9));
  return 0;
}

}  // namespace engaged
