// Event timestamps: RFC 3339 with a mandatory offset, or epoch milliseconds (contract v1).
// Also the civil-date arithmetic every other part uses, so there is one calendar in the code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace engaged {

// Epoch-ms bounds accepted for `ts`: 2000-01-01T00:00:00Z inclusive to 2100-01-01 inclusive.
inline constexpr int64_t kMinEventMs = 946684800000;
inline constexpr int64_t kMaxEventMs = 4102444800000;

// Parses "2026-06-01T12:00:00.250+02:00" (T/t, Z/z, up to 9 fraction digits, offset required).
// Returns epoch milliseconds (fraction truncated), or nullopt if not RFC 3339 or out of range.
std::optional<int64_t> parse_rfc3339_ms(std::string_view s);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int32_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int32_t z, int& y, unsigned& m, unsigned& d);

// "2026-06-01T12:00:00.250Z": epoch ms as RFC 3339 in UTC with milliseconds.
std::string format_rfc3339_ms(int64_t ms);

// "2026-06-01" <-> day number.
std::string format_day(int32_t day);
std::optional<int32_t> parse_day(std::string_view s);

// Floor division of epoch ms into UTC days.
inline int32_t utc_day_of(int64_t ms) {
  int64_t d = ms / 86400000;
  if (ms % 86400000 < 0) --d;
  return static_cast<int32_t>(d);
}

}  // namespace engaged
