// `engaged replay`: NDJSON through the very same pipeline as `run`. Each line goes to the
// partition the producers' partitioner (input.partitioner) gives its key: with --keyed the line
// carries the Kafka key ("key<TAB>json", as kcat -K'\t' reads and writes them); otherwise the key
// is the line's user_id, as if the app had produced it keyed by user id (lines without one go to
// partition 0). Offsets are per-partition record numbers, so replaying the file a topic was
// produced from yields the same state. Re-running on an existing state resumes after the
// records already applied.
// Partitions are independent: with several workers, a reader thread reads and routes the file
// once (replay_lines.h) and each worker decodes and applies the lines of its own partitions.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "app/http_server.h"
#include "app/metrics.h"
#include "app/pipeline.h"
#include "app/program_runner.h"
#include "app/replay_lines.h"
#include "ingest/line_router.h"
#include "ingest/ndjson_source.h"
#include "processors/runtime/partition_store.h"
#include "sinks/dead_letter.h"
#include "state/change_batch.h"
#include "state/kafka/partitioner.h"
#include "state/store.h"

namespace engaged {
namespace {

struct Totals {
  std::atomic<int64_t> consumed{0}, processed{0};
};

// One worker: partitions p with p % threads == index. With several, `lines` reads and routes the
// input for all of them; one reads it itself.
void replay_partitions(const Config& shared_config, const ReplayOptions& options, int index,
                       int threads, Store& store, DeadLetterSink& dead_letters, Metrics* metrics,
                       Totals& totals, ReplayLines* lines) {
  Config config = shared_config;  // the user cache budget is shared between the workers
  config.cache_max_users = std::max<int64_t>(1, config.cache_max_users / threads);
  config.memory_budget /= threads;  // the user cache's share is per worker
  Pipeline pipeline(config, store, dead_letters, metrics, make_wall_clock(config));
  for (int p = index; p < options.partitions; p += threads) pipeline.open_partition(p);

  int64_t in_batch = 0;
  // Applies one line (decoded already, or not yet); false once the replay is asked to stop.
  using Decoded = std::optional<std::optional<Rejection>>;  // set once the line was decoded
  auto apply = [&](int32_t p, int64_t offset, std::string_view key, std::string_view line,
                   bool oversized, const Decoded& decoded) {
    if (!decoded && !oversized) pipeline.prefetch_user(p, key);
    std::optional<Rejection> rejection;
    if (oversized)
      rejection = Rejection{RejectReason::kTooLarge, "message over size limit"};
    else
      rejection = decoded ? *decoded : pipeline.decode(line, /*padded=*/true);
    pipeline.apply(p, offset, key, line, rejection, 0);
    // Often enough for a small budget's byte trigger (Pipeline::checkpoint_due) to hold.
    if (++in_batch < 8192) return true;
    pipeline.end_batch();
    if (pipeline.checkpoint_due()) pipeline.checkpoint();
    if (stop_requested()) return false;
    pipeline.begin_batch();
    in_batch = 0;
    return true;
  };
  pipeline.begin_batch();
  if (lines) {
    ReplayLines::Batch batch;
    const Decoded not_decoded;
    bool go = true;
    while (go && lines->next(index, batch))
      for (size_t i = 0; go && i < batch.size(); ++i) {
        const RoutedLine& l = batch[i];
        go = apply(l.partition, l.offset, l.key, l.line, l.oversized, not_decoded);
      }
    if (!go) lines->stop();
  } else {
    const Partitioner partitioner = *Partitioner::parse(config.partitioner);
    std::vector<int64_t> records(static_cast<size_t>(options.partitions), 0);
    NdjsonSource source(options.input);
    std::string_view line;
    bool oversized = false;
    int64_t pause_at_ms = options.pause_at_ms;
    while (source.next(line, oversized)) {
      std::string_view key;
      Decoded decoded;
      if (options.keyed) {
        if (size_t tab = line.find('\t'); tab != std::string_view::npos) {
          key = line.substr(0, tab);
          line.remove_prefix(tab + 1);
        }
      } else if (!oversized) {
        // An accepted line's key is its decoded user_id (decoded first: no scan on the hot
        // path), a rejected line's what the scan of its text finds (as replay_lines.cc routes).
        decoded = pipeline.decode(line, /*padded=*/true);
        if (!*decoded)
          key = pipeline.event().user_id;
        else
          key = scan_user_id(line).value_or(std::string_view());
      }
      if (options.on_pause && !oversized) {
        if (!decoded) decoded = pipeline.decode(line, /*padded=*/true);
        while (!*decoded && pipeline.event().ts_ms >= pause_at_ms) {
          pipeline.end_batch();
          pipeline.checkpoint();
          pause_at_ms = options.on_pause(store, pipeline.event().ts_ms);
          pipeline.begin_batch();
          in_batch = 0;
        }
      }
      const int32_t p = partitioner.partition(key, options.partitions);
      if (!apply(p, records[static_cast<size_t>(p)]++, key, line, oversized, decoded)) break;
    }
  }
  pipeline.end_batch();
  pipeline.checkpoint();
  totals.consumed += pipeline.consumed_total();
  totals.processed += pipeline.processed_total();
}

// The mentor program over what the partitions emitted: their outbox entries are its input (in
// `run` they travel over the program topic instead). It follows the workers' checkpoints while
// they run, so its work overlaps theirs: each pass reads a partition's committed stream time,
// then the entries it has not read yet (every record at or below that time is among them, since
// a checkpoint commits both together), and raises the partition's watermark to it. The last pass,
// after the workers, raises each watermark to the partition's final stream time, as a consumer of
// the program topic would see it; a partition without any event holds nothing back then. An entry
// (a checkpoint's records of one partition) leaves the outbox once the merge released all its
// records; one with a record still pending stays, as on the program topic, and the next replay
// reads it again (the merge skips the records it took already). Then the decided nudges go to the
// file, and leave the outbox.
class ProgramFeed {
 public:
  ProgramFeed(const Config& config, const ReplayOptions& options, Store& store, Metrics* metrics)
      : store_(store),
        runner_(config, store, metrics, options.partitions),
        last_key_(static_cast<size_t>(options.partitions)) {}

  void pass(bool last) {
    for (int32_t p = 0; p < static_cast<int32_t>(last_key_.size()); ++p) {
      const int64_t stream_time = read_stream_time(store_, p);
      std::string& last_key = last_key_[static_cast<size_t>(p)];
      for (auto& [key, entry] : store_.outbox_entries(p, last_key)) {  // after an earlier pass's
        last_key = key;
        if (entry.sink() != codec::OutboxSink::kProgram) continue;
        const std::vector<codec::OutboxMessage> records = entry.messages();
        if (records.empty()) continue;
        for (const codec::OutboxMessage& m : records)
          if (!runner_.add(m.payload, 0))
            throw std::runtime_error("corrupt program record in outbox");
        unreleased_.emplace_back(key, std::string(records.back().payload));
      }
      if (last)
        runner_.advance_source(p, stream_time == kNoTime ? INT64_MAX : stream_time);
      else if (stream_time != kNoTime)
        runner_.advance_source(p, stream_time);
    }
    ChangeBatch batch(store_, /*record_ops=*/false, std::move(spare_batch_));
    CheckpointResult result;
    runner_.write(batch, result);
    // An entry is released with its last record: the merge releases a partition's records in
    // their order.
    std::erase_if(unreleased_, [&](const auto& entry) {
      if (runner_.pending(entry.second)) return false;
      batch.del(Family::kOutbox, entry.first);
      return true;
    });
    store_.write(batch.write_batch());
    spare_batch_ = std::move(batch.write_batch());
  }

 private:
  Store& store_;
  rocksdb::WriteBatch spare_batch_;  // the last pass's, its memory reused by the next
  ProgramRunner runner_;
  std::vector<std::string> last_key_;  // by partition: the last outbox key read
  // (outbox key, its last program record)
  std::vector<std::pair<std::string, std::string>> unreleased_;
};

void write_nudges_file(const ReplayOptions& options, Store& store) {
  if (options.nudges_file.empty()) return;
  // The state (nudges still in its outbox) is durable before the file gets them: if this flush
  // fails (a full disk), nothing was appended, and a rerun writes each nudge once.
  store.flush();
  std::FILE* f = options.nudges_file == "-" ? stdout : std::fopen(options.nudges_file.c_str(), "a");
  if (!f) throw std::runtime_error("cannot open nudges file " + options.nudges_file);
  ChangeBatch drained(store, /*record_ops=*/false);
  for (const auto& [key, entry] : store.outbox_entries(codec::kProgramPartition)) {
    for (const codec::OutboxMessage& m : entry.messages()) {
      std::fwrite(m.payload.data(), 1, m.payload.size(), f);
      std::fputc('\n', f);
    }
    drained.del(Family::kOutbox, key);
  }
  if (std::fflush(f) != 0 || (f != stdout && ::fsync(fileno(f)) != 0))
    throw std::runtime_error("writing nudges failed");
  if (f != stdout) std::fclose(f);
  store.write(drained.write_batch());
}

}  // namespace

int replay(const Config& config, const ReplayOptions& options) {
  // The input file can be re-read from any stored offset, so the WAL is not needed: a crash
  // rolls state and offsets back together to the last flush and the next replay resumes there.
  auto store = Store::open(config.state_dir, {.read_only = false,
                                              .sync = config.state_sync,
                                              .wal = false,
                                              .memory_bytes = rocksdb_memory_bytes(config)});
  const Manifest manifest = manifest_for(config, options.partitions);
  check_manifest(*store, config.state_dir, &manifest);
  FileDeadLetterSink dead_letters(options.dead_letter_file);
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<HttpServer> http;
  if (!config.metrics_listen.empty()) {
    metrics = std::make_unique<Metrics>();
    metrics->set_currencies(split_list(config.revenue_currencies));
    http = serve_http(config, metrics->registry());
  }
  // The product gauges are a snapshot of all partitions (one worker owns them all), and `train`'s
  // pauses checkpoint the one worker's state.
  int threads = std::clamp(options.threads, 1, options.partitions);
  if (metrics || options.on_pause) threads = 1;

  Totals totals;
  const auto start = std::chrono::steady_clock::now();
  // The program stage follows the workers' checkpoints from this thread while they run. It is
  // restored before they start, so that a state it refuses stops the replay with nothing started.
  ProgramFeed program(config, options, *store, metrics.get());
  std::unique_ptr<ReplayLines> lines;
  if (threads > 1)
    lines = std::make_unique<ReplayLines>(options.input, options.keyed, options.partitions,
                                          *Partitioner::parse(config.partitioner),
                                          static_cast<size_t>(config.max_event_bytes), threads);
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  std::mutex done_mutex;
  std::condition_variable done_cv;
  int done = 0;  // workers finished
  for (int i = 0; i < threads; ++i)
    workers.emplace_back([&, i] {
      try {
        replay_partitions(config, options, i, threads, *store, dead_letters, metrics.get(), totals,
                          lines.get());
      } catch (...) {
        errors[static_cast<size_t>(i)] = std::current_exception();
        if (lines) lines->stop();  // the reader would wait for this worker's queue
      }
      std::lock_guard lock(done_mutex);
      ++done;
      done_cv.notify_one();
    });
  std::exception_ptr program_error;  // a pass's, raised after the workers are joined
  {
    std::unique_lock lock(done_mutex);
    while (done < threads && !program_error) {
      done_cv.wait_for(lock, std::chrono::milliseconds(200));
      if (done == threads) break;
      lock.unlock();
      try {
        program.pass(/*last=*/false);
      } catch (...) {
        program_error = std::current_exception();
      }
      lock.lock();
    }
  }
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  if (program_error) std::rethrow_exception(program_error);
  const auto program_start = std::chrono::steady_clock::now();
  program.pass(/*last=*/true);
  write_nudges_file(options, *store);
  const double program_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - program_start).count();
  store->flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.quiet)
    spdlog::info(
        "replayed {} records ({} applied) in {:.2f} s with {} thread(s): {:.0f} events/s "
        "({:.2f} s of it in the mentor program after the workers)",
        totals.consumed.load(), totals.processed.load(), seconds, threads,
        totals.consumed.load() / std::max(seconds, 1e-9), program_seconds);
  return 0;
}

}  // namespace engaged
