// The input of a replay with several workers, read and routed once. A reader thread splits the
// file into lines, finds each line's key and partition, numbers it within its partition (its
// offset), and hands each worker the lines of its own partitions in file order. Before, every
// worker read the whole file and routed every line itself, so at 2 workers half of that work was
// done twice (docs/performance.md, 2026-12-06). One worker reads and routes for itself:
// replay_command.cc.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "state/kafka/partitioner.h"

namespace engaged {

class NdjsonSource;

struct RoutedLine {
  std::string_view line, key;
  int32_t partition = 0;
  int64_t offset = 0;  // the line's number within its partition
  bool oversized = false;
};

class ReplayLines {
 public:
  // Lines of one worker: views into the input's blocks, which the batch holds.
  class Batch {
   public:
    size_t size() const { return lines_.size(); }
    const RoutedLine& operator[](size_t i) const { return lines_[i]; }

   private:
    friend class ReplayLines;
    std::vector<RoutedLine> lines_;
    std::vector<std::shared_ptr<char[]>> blocks_;
    std::deque<std::string> decoded_keys_;  // keys only decoding found (not in a block)
  };

  // Starts the reader. `keyed`: lines are "key<TAB>json"; `max_event_bytes`: the decoder's limit,
  // for lines whose key only decoding finds. Throws if the input cannot be opened.
  ReplayLines(const std::string& input, bool keyed, int partitions, const Partitioner& partitioner,
              size_t max_event_bytes, int workers);
  // Stops the reader (if it is still running) and joins it.
  ~ReplayLines();

  // The next batch of `worker`'s lines (partitions p with p % workers == worker); false at the
  // end of the input. Rethrows the reader's error.
  bool next(int worker, Batch& out);
  // A worker that stops before the end: the reader stops too.
  void stop();

 private:
  void read_from(NdjsonSource& source);
  void push(size_t worker, Batch& batch);

  bool keyed_;
  int partitions_;
  Partitioner partitioner_;
  size_t max_event_bytes_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::deque<Batch>> queues_;  // by worker
  bool ended_ = false, stopped_ = false;
  std::exception_ptr error_;
  std::thread reader_;
};

}  // namespace engaged
