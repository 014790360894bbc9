// A line's key is found as a lone worker finds it (replay_command.cc): the text before the tab
// with --keyed; otherwise the textual scan of its user_id, else the decoded user_id, else none
// (a rejected line: partition_of("")). Oversized lines have no key.
#include "app/replay_lines.h"

#include <optional>

#include "domain/event.h"
#include "ingest/event_decoder.h"
#include "ingest/line_router.h"
#include "ingest/ndjson_source.h"

namespace engaged {
namespace {

constexpr size_t kBatchLines = 4096;  // lines per batch handed to a worker
constexpr size_t kQueuedBatches = 8;  // per worker: the reader waits beyond this

}  // namespace

ReplayLines::ReplayLines(const std::string& input, bool keyed, int partitions,
                         const Partitioner& partitioner, size_t max_event_bytes, int workers)
    : keyed_(keyed),
      partitions_(partitions),
      partitioner_(partitioner),
      max_event_bytes_(max_event_bytes),
      queues_(static_cast<size_t>(workers)) {
  auto source = std::make_shared<NdjsonSource>(input);  // throws here if it cannot be opened
  reader_ = std::thread([this, source] {
    try {
      read_from(*source);
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
  });
}

ReplayLines::~ReplayLines() {
  stop();
  reader_.join();
}

void ReplayLines::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  changed_.notify_all();
}

bool ReplayLines::next(int worker, Batch& out) {
  std::unique_lock lock(mutex_);
  auto& queue = queues_[static_cast<size_t>(worker)];
  changed_.wait(lock, [&] { return !queue.empty() || ended_ || stopped_; });
  if (error_) std::rethrow_exception(error_);
  if (queue.empty()) return false;
  out = std::move(queue.front());
  queue.pop_front();
  changed_.notify_all();
  return true;
}

void ReplayLines::push(size_t worker, Batch& batch) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queues_[worker].size() < kQueuedBatches || stopped_; });
  queues_[worker].push_back(std::move(batch));
  changed_.notify_all();
  batch = Batch();
}

void ReplayLines::read_from(NdjsonSource& source) {
  const size_t workers = queues_.size();
  std::vector<Batch> batches(workers);
  std::vector<int64_t> offsets(static_cast<size_t>(partitions_), 0);
  EventDecoder decoder(max_event_bytes_);
  Event event;
  std::string_view line;
  bool oversized = false;
  while (source.next(line, oversized)) {
    std::string_view key;
    bool key_decoded = false;
    if (keyed_) {
      if (size_t tab = line.find('\t'); tab != std::string_view::npos) {
        key = line.substr(0, tab);
        line.remove_prefix(tab + 1);
      }
    } else if (!oversized) {
      if (std::optional<std::string_view> id = scan_user_id(line)) {
        key = *id;
      } else if (!decoder.decode(line, event, /*padded=*/true)) {
        key = event.user_id;  // a view into the decoder's buffer: copied below
        key_decoded = true;
      }
    }
    const int32_t p = partitioner_.partition(key, partitions_);
    const size_t worker = static_cast<size_t>(p) % workers;
    Batch& b = batches[worker];
    if (b.blocks_.empty() || b.blocks_.back() != source.block())
      b.blocks_.push_back(source.block());
    if (key_decoded) key = b.decoded_keys_.emplace_back(key);
    b.lines_.push_back({line, key, p, offsets[static_cast<size_t>(p)]++, oversized});
    if (b.lines_.size() == kBatchLines) {
      push(worker, b);
      std::lock_guard lock(mutex_);
      if (stopped_) return;
    }
  }
  for (size_t w = 0; w < workers; ++w)
    if (batches[w].size() > 0) push(w, batches[w]);
}

}  // namespace engaged
