// Shared by the report writers: the day range filter, and one table writer for every
// `engaged report` table: CSV (RFC 4180: a field holding a comma, quote, CR or LF is quoted,
// quotes doubled; lines end in LF) or a JSON array of objects (strings escaped; an empty number
// is null), with a fixed column order (tests compare outputs byte for byte).
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sinks/json_text.h"

namespace engaged {

struct DayRange {
  std::optional<int32_t> from, to;  // inclusive
};

inline bool in_range(int32_t d, DayRange r) {
  return (!r.from || d >= *r.from) && (!r.to || d <= *r.to);
}

// First and last day whose row satisfies `nonzero`.
template <typename Map, typename Pred>
std::pair<int32_t, int32_t> span_of(const Map& rows, Pred nonzero) {
  int32_t first = 0, last = -1;
  for (const auto& [day, c] : rows) {
    if (!nonzero(c)) continue;
    if (last < first) first = day;
    last = day;
  }
  return {first, last};
}

inline void check_format(const std::string& f) {
  if (f != "csv" && f != "json") throw std::invalid_argument("format must be csv or json");
}

// One CSV field per RFC 4180.
inline void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// The first `string_columns` columns are JSON strings, the others numbers (or say per column).
class TableWriter {
 public:
  TableWriter(std::vector<std::string> columns, size_t string_columns, const std::string& format,
              std::ostream& out)
      : TableWriter(columns, leading(columns.size(), string_columns), format, out) {}
  // `is_string[i]`: column i is a JSON string (the others are numbers).
  TableWriter(std::vector<std::string> columns, std::vector<bool> is_string,
              const std::string& format, std::ostream& out)
      : columns_(std::move(columns)),
        strings_(std::move(is_string)),
        json_(format == "json"),
        out_(out) {
    check_format(format);
    if (json_)
      out_ << "[";
    else
      out_ << fmt::format("{}\n", fmt::join(columns_, ","));
  }
  ~TableWriter() {
    if (json_) out_ << "\n]\n";
  }
  void row(const std::vector<std::string>& values) {
    line_.clear();
    if (!json_) {
      for (size_t i = 0; i < values.size(); ++i) {
        if (i) line_ += ',';
        append_csv_field(line_, values[i]);
      }
      line_ += '\n';
      out_ << line_;
      return;
    }
    line_ = first_ ? "\n{" : ",\n{";
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i) line_ += ',';
      append_json_string(line_, columns_[i]);
      line_ += ':';
      if (strings_[i])
        append_json_string(line_, values[i]);
      else
        line_ += values[i].empty() ? std::string_view("null") : std::string_view(values[i]);
    }
    line_ += '}';
    out_ << line_;
    first_ = false;
  }

 private:
  static std::vector<bool> leading(size_t columns, size_t strings) {
    std::vector<bool> v(columns, false);
    for (size_t i = 0; i < strings && i < columns; ++i) v[i] = true;
    return v;
  }
  std::vector<std::string> columns_;
  std::vector<bool> strings_;
  bool json_, first_ = true;
  std::ostream& out_;
  std::string line_;
};

}  // namespace engaged
