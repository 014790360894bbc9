// RFC 3339 parsing without locale, allocation or libc time functions (they are slow and global).
#include "domain/timestamp.h"

#include <fmt/format.h>

#include <cstdio>

namespace engaged {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days.
int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_days(int32_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe) + era * 400 + (m <= 2);
}

std::string format_day(int32_t day) {
  int y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

std::optional<int32_t> parse_day(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) ||
      !digits(s, 8, 2, d) || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > days_in_month(y, m))
    return std::nullopt;
  return days_from_civil(y, m, d);
}

std::optional<int64_t> parse_rfc3339_ms(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  // "YYYY-MM-DDTHH:MM:SS" without a branch per character (once per event: the branching loop was
  // an eighth of a replay's decoding): each digit's value, and one flag for any byte out of place.
  const char* p = s.data();
  unsigned bad = 0;
  auto dig = [&](size_t i) {
    const unsigned v = static_cast<unsigned char>(p[i]) - unsigned{'0'};
    bad |= v > 9;
    return static_cast<int>(v);
  };
  const int y = dig(0) * 1000 + dig(1) * 100 + dig(2) * 10 + dig(3);
  const int mo = dig(5) * 10 + dig(6), d = dig(8) * 10 + dig(9), h = dig(11) * 10 + dig(12),
            mi = dig(14) * 10 + dig(15), sec = dig(17) * 10 + dig(18);
  bad |= (p[4] != '-') | (p[7] != '-') | ((p[10] | 0x20) != 't') | (p[13] != ':') | (p[16] != ':');
  if (bad) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo) || h > 23 ||
      mi > 59 || sec > 59)
    return std::nullopt;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 3) millis = millis * 10 + (s[pos] - '0');
      ++pos;
    }
    size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (size_t i = n; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return std::nullopt;
  int64_t offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t secs =
      int64_t{days_from_civil(y, mo, d)} * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  int64_t ms = secs * 1000 + millis;
  if (ms < kMinEventMs || ms > kMaxEventMs) return std::nullopt;
  return ms;
}

std::string format_rfc3339_ms(int64_t ms) {
  const int32_t day = utc_day_of(ms);
  int y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  const int64_t t = ms - int64_t{day} * 86400000;
  const int hh = static_cast<int>(t / 3600000), mm = static_cast<int>(t / 60000 % 60);
  const int ss = static_cast<int>(t / 1000 % 60), fff = static_cast<int>(t % 1000);
  if (y < 0 || y > 9999) {  // beyond RFC 3339's four-digit years: as printf writes them
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, hh, mm, ss, fff);
    return buf;
  }
  // Digits by hand: snprintf's format parsing cost 30 times this, once per nudge and report row.
  std::string out(24, '0');
  auto put = [&](size_t at, int value, int digits) {
    for (size_t i = at + static_cast<size_t>(digits); i-- > at; value /= 10)
      out[i] = static_cast<char>('0' + value % 10);
  };
  put(0, y, 4);
  out[4] = '-';
  put(5, static_cast<int>(m), 2);
  out[7] = '-';
  put(8, static_cast<int>(d), 2);
  out[10] = 'T';
  put(11, hh, 2);
  out[13] = ':';
  put(14, mm, 2);
  out[16] = ':';
  put(17, ss, 2);
  out[19] = '.';
  put(20, fff, 3);
  out[23] = 'Z';
  return out;
}

}  // namespace engaged
