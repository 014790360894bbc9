// Reads NDJSON (one event per line) from a file or stdin in large blocks. Each line is handed
// out as a view into a buffer with simdjson padding after it, so it can be parsed in place.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace engaged {

class NdjsonSource {
 public:
  explicit NdjsonSource(const std::string& path);  // "-" = stdin
  ~NdjsonSource();

  // Next line without its newline; false at end of input. Empty lines are skipped.
  // Lines longer than the buffer are returned truncated to the first `max_line` bytes with
  // `oversized` set (the decoder rejects them as too_large anyway).
  bool next(std::string_view& line, bool& oversized);

 private:
  bool refill();
  std::FILE* file_;
  bool owns_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_, begin_ = 0, end_ = 0;
  bool eof_ = false;
};

}  // namespace engaged
