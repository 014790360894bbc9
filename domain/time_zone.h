// The day an event belongs to: its timestamp in the configured IANA time zone (default UTC).
// Offsets come from the system's compiled tz database (TZif files, read once by the shell:
// app/zone_files.h); after parsing, lookups are pure and allocation-free. ZoneTable holds every
// zone of the database, so the mentor program looks recipients' zones up without reading a file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace engaged {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // The zone `name` from the bytes of its TZif file (`source` names it in errors). Throws
  // std::runtime_error if they are not TZif v2+.
  static TimeZone from_tzif(std::string name, std::string_view bytes, std::string_view source);

  const std::string& name() const { return name_; }
  int32_t offset_seconds_at(int64_t utc_ms) const;
  int32_t day_of(int64_t utc_ms) const;
  // Epoch ms of local midnight starting `day` (first instant whose day_of is `day`).
  int64_t day_start_ms(int32_t day) const;

 private:
  std::string name_ = "UTC";
  std::vector<int64_t> transitions_s_;  // UTC seconds at which offsets_[i] starts
  std::vector<int32_t> offsets_;        // offset in seconds valid from transitions_s_[i]
  int32_t initial_offset_ = 0;          // before the first transition
};

// Zones by name, read at start (app/zone_files.h).
class ZoneTable {
 public:
  void add(TimeZone zone);
  const TimeZone* find(std::string_view name) const;  // nullptr if unknown
  size_t size() const { return zones_.size(); }

 private:
  std::map<std::string, TimeZone, std::less<>> zones_;
};

}  // namespace engaged
