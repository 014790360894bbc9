// Block reader: lines never cross a refill, because a refill moves the unread tail to the front.
#include "ingest/ndjson_source.h"

#include <simdjson.h>

#include <cstring>
#include <stdexcept>

namespace engaged {

namespace {
constexpr size_t kBlock = 4 << 20;
}

NdjsonSource::NdjsonSource(const std::string& path)
    : file_(path == "-" ? stdin : std::fopen(path.c_str(), "rb")),
      owns_(path != "-"),
      buffer_(new char[kBlock + simdjson::SIMDJSON_PADDING]),
      capacity_(kBlock) {
  if (!file_) throw std::runtime_error("cannot open input " + path);
}

NdjsonSource::~NdjsonSource() {
  if (owns_ && file_) std::fclose(file_);
}

bool NdjsonSource::refill() {
  if (eof_) return false;
  size_t tail = end_ - begin_;
  std::memmove(buffer_.get(), buffer_.get() + begin_, tail);
  begin_ = 0;
  end_ = tail;
  size_t n = std::fread(buffer_.get() + end_, 1, capacity_ - end_, file_);
  end_ += n;
  std::memset(buffer_.get() + end_, 0, simdjson::SIMDJSON_PADDING);
  if (n == 0) eof_ = true;
  return n > 0;
}

bool NdjsonSource::next(std::string_view& line, bool& oversized) {
  for (;;) {
    char* start = buffer_.get() + begin_;
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
        std::memset(buffer_.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);
        return true;
      }
      if (refill()) continue;
      if (begin_ == end_) return false;
      nl = buffer_.get() + end_;  // last line without newline
      start = buffer_.get() + begin_;
    }
    size_t len = static_cast<size_t>(nl - start);
    begin_ = static_cast<size_t>(nl - buffer_.get()) + (nl < buffer_.get() + end_ ? 1 : 0);
    if (len > 0 && start[len - 1] == '\r') --len;
    if (len == 0) continue;
    line = std::string_view(start, len);
    oversized = false;
    return true;
  }
}

}  // namespace engaged
