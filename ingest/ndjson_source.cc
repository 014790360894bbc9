// Block reader: lines never cross a refill, because a refill moves the unread tail to the front,
// of the same block unless its lines are still held (then of a spare one, or a new one).
#include "ingest/ndjson_source.h"

#include <simdjson.h>

#include <atomic>
#include <cstring>
#include <stdexcept>

namespace engaged {

namespace {
constexpr size_t kBlock = 4 << 20;
}

NdjsonSource::NdjsonSource(const std::string& path)
    : file_(path == "-" ? stdin : std::fopen(path.c_str(), "rb")),
      owns_(path != "-"),
      blocks_{std::shared_ptr<char[]>(new char[kBlock + simdjson::SIMDJSON_PADDING])},
      buffer_(blocks_[0].get()),
      capacity_(kBlock) {
  if (!file_) throw std::runtime_error("cannot open input " + path);
}

NdjsonSource::~NdjsonSource() {
  if (owns_ && file_) std::fclose(file_);
}

bool NdjsonSource::refill() {
  if (eof_) return false;
  size_t tail = end_ - begin_;
  const char* from = buffer() + begin_;
  if (blocks_[current_].use_count() > 1) {  // its lines are held: a block nobody holds
    const size_t held = current_;
    for (current_ = 0; current_ < blocks_.size(); ++current_)
      if (current_ != held && blocks_[current_].use_count() == 1) break;
    if (current_ == blocks_.size())
      blocks_.emplace_back(new char[kBlock + simdjson::SIMDJSON_PADDING]);
    // Its last holder (another thread) read it before letting it go: see those reads done.
    std::atomic_thread_fence(std::memory_order_acquire);
    buffer_ = blocks_[current_].get();
  }
  std::memmove(buffer(), from, tail);
  begin_ = 0;
  end_ = tail;
  size_t n = std::fread(buffer() + end_, 1, capacity_ - end_, file_);
  end_ += n;
  std::memset(buffer() + end_, 0, simdjson::SIMDJSON_PADDING);
  if (n == 0) eof_ = true;
  return n > 0;
}

bool NdjsonSource::next(std::string_view& line, bool& oversized) {
  for (;;) {
    char* start = buffer() + begin_;
    auto* nl = static_cast<char*>(std::memchr(start, '\n', end_ - begin_));
    if (!nl) {
      if (begin_ == 0 && end_ == capacity_) {
        // A line longer than the whole buffer: return its head, skip the rest.
        line = std::string_view(start, end_);
        oversized = true;
        begin_ = end_ = 0;
        while (true) {
          int c = std::fgetc(file_);
          if (c == EOF || c == '\n') break;
        }
        std::memset(buffer() + line.size(), 0, simdjson::SIMDJSON_PADDING);
        return true;
      }
      if (refill()) continue;
      if (begin_ == end_) return false;
      nl = buffer() + end_;  // last line without newline
      start = buffer() + begin_;
    }
    size_t len = static_cast<size_t>(nl - start);
    begin_ = static_cast<size_t>(nl - buffer()) + (nl < buffer() + end_ ? 1 : 0);
    if (len > 0 && start[len - 1] == '\r') --len;
    if (len == 0) continue;
    line = std::string_view(start, len);
    oversized = false;
    return true;
  }
}

}  // namespace engaged
