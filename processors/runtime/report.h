// A table a processor reports from a state directory (`engaged report <name>`): the processor
// reads its stores and fills rows; the shell writes them as CSV or JSON (app/table_writer.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/day_bitmap.h"

namespace engaged {

class Store;

struct ReportTable {
  std::vector<std::string> columns;
  size_t string_columns = 0;  // the first ones are strings (JSON), the others numbers
  std::vector<std::vector<std::string>> rows;
};

// What a report is asked for.
struct ReportQuery {
  std::optional<int32_t> from, to;  // days, inclusive
  int32_t stream_day = kNoDay;      // the newest stream time's day in the configured zone
  bool contains(int32_t day) const { return (!from || day >= *from) && (!to || day <= *to); }
};

struct ReportSpec {
  std::string_view name;   // `engaged report <name>`
  std::string_view store;  // the store it reads (StoreSpec::name)
  std::function<ReportTable(Store& store, const ReportQuery& query)> make;
};

}  // namespace engaged
