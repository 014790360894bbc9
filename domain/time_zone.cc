// TZif (RFC 8536) reader: only the 64-bit v2+ body is used; Debian ships "fat" files, whose
// explicit transitions reach 2037, and the last offset holds after that.
#include "domain/time_zone.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "domain/timestamp.h"

namespace engaged {
namespace {

int64_t be(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

struct Header {
  int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

Header read_header(const unsigned char* p) {
  return {be(p + 20, 4), be(p + 24, 4), be(p + 28, 4), be(p + 32, 4), be(p + 36, 4), be(p + 40, 4)};
}

}  // namespace

TimeZone TimeZone::from_tzif(std::string name, std::string_view bytes, std::string_view source) {
  TimeZone tz;
  tz.name_ = std::move(name);
  const std::string path(source);
  auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 44 || std::memcmp(p, "TZif", 4) != 0 || p[4] < '2')
    throw std::runtime_error("time zone file is not TZif v2+: " + path);
  Header h1 = read_header(p);
  size_t skip = 44 + h1.timecnt * 4 + h1.timecnt + h1.typecnt * 6 + h1.charcnt + h1.leapcnt * 8 +
                h1.isstdcnt + h1.isutcnt;
  if (bytes.size() < skip + 44) throw std::runtime_error("truncated time zone file: " + path);
  p += skip;
  Header h = read_header(p);
  const unsigned char* times = p + 44;
  const unsigned char* idx = times + h.timecnt * 8;
  const unsigned char* types = idx + h.timecnt;
  if (bytes.size() < skip + 44 + h.timecnt * 9 + h.typecnt * 6)
    throw std::runtime_error("truncated time zone file: " + path);
  auto type_offset = [&](int i) { return static_cast<int32_t>(be(types + i * 6, 4)); };
  tz.initial_offset_ = h.typecnt > 0 ? type_offset(0) : 0;
  for (int64_t i = 0; i < h.timecnt; ++i) {
    tz.transitions_s_.push_back(be(times + i * 8, 8));
    tz.offsets_.push_back(type_offset(idx[i]));
  }
  return tz;
}

void ZoneTable::add(TimeZone zone) {
  std::string name = zone.name();
  zones_.insert_or_assign(std::move(name), std::move(zone));
}

const TimeZone* ZoneTable::find(std::string_view name) const {
  const auto it = zones_.find(name);
  return it == zones_.end() ? nullptr : &it->second;
}

int32_t TimeZone::offset_seconds_at(int64_t utc_ms) const {
  if (transitions_s_.empty()) return initial_offset_;
  int64_t s = utc_ms >= 0 ? utc_ms / 1000 : -((-utc_ms + 999) / 1000);
  auto it = std::upper_bound(transitions_s_.begin(), transitions_s_.end(), s);
  if (it == transitions_s_.begin()) return initial_offset_;
  return offsets_[static_cast<size_t>(it - transitions_s_.begin() - 1)];
}

int32_t TimeZone::day_of(int64_t utc_ms) const {
  return utc_day_of(utc_ms + int64_t{offset_seconds_at(utc_ms)} * 1000);
}

int64_t TimeZone::day_start_ms(int32_t day) const {
  // Local midnight is UTC midnight minus the offset; iterate once in case the offset changes.
  if (transitions_s_.empty()) return int64_t{day} * 86400000 - int64_t{initial_offset_} * 1000;
  int64_t guess = int64_t{day} * 86400000;
  int64_t t = guess - int64_t{offset_seconds_at(guess)} * 1000;
  t = guess - int64_t{offset_seconds_at(t)} * 1000;
  if (day_of(t) == day && day_of(t - 1) < day) return t;  // no transition near midnight
  while (day_of(t) >= day) t -= 3600000;
  while (day_of(t) < day) t += 60000;
  return t;
}

}  // namespace engaged
