// The day an event belongs to: its timestamp in the configured IANA time zone (default UTC).
// Offsets come from the system's compiled tz database (TZif files, loaded once by the shell);
// after loading, lookups are pure and allocation-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace engaged {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // Loads /usr/share/zoneinfo/<name> (or $TZDIR/<name>). Throws std::runtime_error if unknown.
  static TimeZone load(const std::string& name);

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

}  // namespace engaged
