// Reads NDJSON (one event per line) from a file or stdin in large blocks. Each line is handed
// out as a view into a block with simdjson padding after it, so it can be parsed in place. A
// caller that keeps lines past the next call holds their block (block()): the next read then
// goes into another block, else the same one is reused.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace engaged {

class NdjsonSource {
 public:
  explicit NdjsonSource(const std::string& path);  // "-" = stdin
  ~NdjsonSource();

  // Next line without its newline; false at end of input. Empty lines are skipped.
  // Lines longer than the buffer are returned truncated to the first `max_line` bytes with
  // `oversized` set (the decoder rejects them as too_large anyway).
  bool next(std::string_view& line, bool& oversized);
  // The block the last line is in.
  const std::shared_ptr<char[]>& block() const { return blocks_[current_]; }

 private:
  bool refill();
  char* buffer() { return buffer_; }
  std::FILE* file_;
  bool owns_;
  std::vector<std::shared_ptr<char[]>> blocks_;  // the current one and spares held elsewhere
  size_t current_ = 0;
  char* buffer_;  // blocks_[current_]
  size_t capacity_, begin_ = 0, end_ = 0;
  bool eof_ = false;
};

}  // namespace engaged
