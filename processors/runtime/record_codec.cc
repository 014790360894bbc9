// Byte layout of the processors' records (record_codec.h): fixed-width little-endian words and
// zigzag varints (state/byte_io.h).
#include "processors/runtime/record_codec.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "domain/event.h"
#include "state/byte_io.h"

namespace engaged::codec {
namespace {

constexpr uint8_t kUserVersion1 = 1;  // activity only
constexpr uint8_t kUserVersion2 = 2;  // activity, signup day and the profile, as varints
constexpr uint8_t kUserVersion3 = 3;  // version 2 + risk, program entry and mentor-program inputs
// Version 3 + weekly counts of the risk.actions names. A user without counts (risk.actions
// empty, the default) is written as version 3: the previous release reads it, and a state it
// wrote goes on byte for byte the same.
constexpr uint8_t kUserVersion4 = 4;
// Version 4 (the counts' week always, INT32_MIN: none) + the user's event ids in the dedupe
// window and their id sessions that may still change, by 128-bit keys. Read, no longer written.
constexpr uint8_t kUserVersion5 = 5;
// Version 5 with 64-bit keys (UserProfile::seen) and each id's time as the difference from the
// one before it (a list is oldest first): 9-10 bytes an id instead of 22. A user without ids or
// sessions is written as version 3 or 4.
constexpr uint8_t kUserVersion = 6;
constexpr size_t kUserSize1 = 1 + 4 + 4 + 16;

void put_u128(std::string& out, unsigned __int128 x) {
  put_le64(out, static_cast<uint64_t>(x));
  put_le64(out, static_cast<uint64_t>(x >> 64));
}
unsigned __int128 get_u128(Reader& r) {
  uint64_t lo = r.le64();
  return (static_cast<unsigned __int128>(r.le64()) << 64) | lo;
}
void put_bitmap(std::string& out, const DayBitmap& b) {
  put_varint(out, b.last_day);
  if (!b.empty()) put_u128(out, b.days);
}
void get_bitmap(Reader& r, DayBitmap& b) {
  b.last_day = static_cast<int32_t>(r.varint());
  b.days = b.empty() ? 0 : get_u128(r);
}
constexpr size_t kDaySize = 7 * 8;

// The version each record type starts with (state/codec.h, begin_record); all at 1, the layout
// they had before they carried one.
constexpr uint8_t kDailyVersion = 1;  // daily and segment_daily
constexpr uint8_t kFiguresVersion = 1;
constexpr uint8_t kCohortFiguresVersion = 1;
constexpr uint8_t kSessionsVersion = 1;
constexpr uint8_t kSessionDailyVersion = 1;
constexpr uint8_t kFeedbackVersion = 1;
constexpr uint8_t kRevenueVersion = 1;
constexpr uint8_t kRetentionVersion = 1;
constexpr uint8_t kDedupeVersion = 1;

}  // namespace

void encode_user(std::string& out, const UserActivity& u, const UserProfile& p) {
  out.clear();
  const bool windows = !p.seen.empty() || !p.sessions.empty();
  out.push_back(static_cast<char>(windows                      ? kUserVersion
                                  : p.action_week == INT32_MIN ? kUserVersion3
                                                               : kUserVersion4));
  put_varint(out, u.cohort_day);
  put_varint(out, u.signup_day);
  put_bitmap(out, u);
  put_bitmap(out, p.check_ins);
  put_varint(out, p.longest_streak);
  put_bitmap(out, p.purchase_days);
  put_varint(out, static_cast<int64_t>(p.purchases.size()));
  for (const auto& x : p.purchases) {
    put_varint(out, x.day);
    out.append(x.currency.data(), 3);
    put_varint(out, x.micros);
  }
  put_varint(out, static_cast<int64_t>(p.key_action_ms.size()));
  for (int64_t t : p.key_action_ms) put_varint(out, t);
  put_varint(out, static_cast<int64_t>(p.first_week.size()));
  for (const auto& c : p.first_week) {
    put_varint(out, c.candidate);
    put_varint(out, c.day);
    put_varint(out, c.count);
  }
  put_varint(out, static_cast<int64_t>(p.tickets.size()));
  for (const auto& t : p.tickets) {
    put_le64(out, t.id);
    put_varint(out, t.opened_ms);
    put_varint(out, t.replied_ms);
  }
  put_varint(out, static_cast<int64_t>(p.gap_sessions.size()));
  for (const auto& g : p.gap_sessions) {
    put_varint(out, g.start_ms);
    put_varint(out, g.end_ms - g.start_ms);
    put_varint(out, g.actions);
  }
  put_bitmap(out, p.referral_days);
  put_varint(out, p.referred);
  for (size_t i = 0; i < p.segments.size(); ++i) {
    put_varint(out, p.segments[i]);
    if (p.segments[i]) put_varint(out, p.segment_ts[i]);
  }
  put_string(out, p.tz);
  put_string(out, p.language);
  put_varint(out, static_cast<int64_t>(p.topics.size()));
  for (const auto& t : p.topics) put_string(out, t);
  put_varint(out, p.nps);
  put_varint(out, p.nps_ms);
  put_varint(out, p.mentor_contact_day);
  put_varint(out, p.session_day);
  if (p.session_day != INT32_MIN)
    for (size_t i = 0; i < p.session_seconds.size(); ++i) {
      put_varint(out, p.session_seconds[i]);
      put_varint(out, p.session_count[i]);
    }
  put_varint(out, static_cast<int64_t>(p.intent_ms.size()));
  for (int64_t t : p.intent_ms) put_varint(out, t);
  put_varint(out, p.lead_ms);
  put_varint(out, p.eligible_ms);
  put_varint(out, p.risk.bucket);
  put_varint(out, p.risk.at_risk);
  put_varint(out, p.risk.day);
  put_varint(out, p.risk.timer_ms);
  put_varint(out, p.entry.entered_ms);
  put_varint(out, p.entry.holdout | p.entry.returned_7d << 1 | p.entry.active_d7 << 2 |
                      p.entry.active_d30 << 3 | p.entry.retained_sent << 4);
  put_varint(out, static_cast<int64_t>(p.opens.size()));
  for (const auto& o : p.opens) {
    put_varint(out, o.kind);
    put_varint(out, o.day);
  }
  if (p.action_week == INT32_MIN && !windows) return;
  put_varint(out, p.action_week);
  if (p.action_week != INT32_MIN)
    for (const auto& week : p.action_counts)
      for (uint16_t n : week) put_varint(out, n);
  if (!windows) return;
  put_varint(out, static_cast<int64_t>(p.seen.size()));
  uint64_t previous = 0;  // unsigned: differences of any two times wrap, never overflow
  for (const SeenEvent& e : p.seen) {
    put_le64(out, e.key);
    put_varint(out, static_cast<int64_t>(static_cast<uint64_t>(e.ts_ms) - previous));
    previous = static_cast<uint64_t>(e.ts_ms);
  }
  put_varint(out, static_cast<int64_t>(p.sessions.size()));
  for (const IdSession& s : p.sessions) {
    put_le64(out, s.key);
    put_varint(out, s.state.start_ms);
    put_varint(out, s.state.end_ms - s.state.start_ms);
    put_varint(out, s.state.actions);
  }
}

bool decode_user(std::string_view v, UserActivity& u, UserProfile& p) {
  u = UserActivity{};
  p = UserProfile{};
  if (v.size() == kUserSize1 && static_cast<uint8_t>(v[0]) == kUserVersion1) {
    u.cohort_day = static_cast<int32_t>(get_be32(v.data() + 1));
    u.last_day = static_cast<int32_t>(get_be32(v.data() + 5));
    u.days =
        (static_cast<unsigned __int128>(get_le64(v.data() + 17)) << 64) | get_le64(v.data() + 9);
    return true;
  }
  const uint8_t version = record_version(v, "users", kUserVersion);
  if (version == kUserVersion1) return false;  // a version 1 record has exactly kUserSize1 bytes
  Reader r(v.substr(1));
  u.cohort_day = static_cast<int32_t>(r.varint());
  u.signup_day = static_cast<int32_t>(r.varint());
  get_bitmap(r, u);
  get_bitmap(r, p.check_ins);
  p.longest_streak = static_cast<int32_t>(r.varint());
  get_bitmap(r, p.purchase_days);
  p.purchases.resize(r.count(1 << 16));
  for (auto& x : p.purchases) {
    x.day = static_cast<int32_t>(r.varint());
    std::string_view c = r.bytes(3);
    if (c.size() == 3) std::copy(c.begin(), c.end(), x.currency.begin());
    x.micros = r.varint();
  }
  p.key_action_ms.resize(r.count(1 << 10));
  for (auto& t : p.key_action_ms) t = r.varint();
  p.first_week.resize(r.count(1 << 16));
  for (auto& c : p.first_week) {
    c.candidate = static_cast<uint8_t>(r.varint());
    c.day = static_cast<int32_t>(r.varint());
    c.count = static_cast<uint16_t>(r.varint());
  }
  p.tickets.resize(r.count(1 << 16));
  for (auto& t : p.tickets) {
    t.id = r.le64();
    t.opened_ms = r.varint();
    t.replied_ms = r.varint();
  }
  p.gap_sessions.resize(r.count(1 << 16));
  for (auto& g : p.gap_sessions) {
    g.start_ms = r.varint();
    g.end_ms = g.start_ms + r.varint();
    g.actions = static_cast<int32_t>(r.varint());
  }
  get_bitmap(r, p.referral_days);
  p.referred = r.varint() != 0;
  for (size_t i = 0; i < p.segments.size(); ++i) {
    p.segments[i] = static_cast<uint8_t>(r.varint());
    p.segment_ts[i] = p.segments[i] ? r.varint() : 0;
  }
  if (version == kUserVersion2) return r.done();
  p.tz = r.string(256);
  p.language = r.string(32);
  p.topics.resize(r.count(kMaxListProps));
  for (auto& t : p.topics) t = r.string(256);
  p.nps = static_cast<int8_t>(r.varint());
  p.nps_ms = r.varint();
  p.mentor_contact_day = static_cast<int32_t>(r.varint());
  p.session_day = static_cast<int32_t>(r.varint());
  if (p.session_day != INT32_MIN)
    for (size_t i = 0; i < p.session_seconds.size(); ++i) {
      p.session_seconds[i] = static_cast<uint32_t>(r.varint());
      p.session_count[i] = static_cast<uint16_t>(r.varint());
    }
  p.intent_ms.resize(r.count(1 << 10));
  for (auto& t : p.intent_ms) t = r.varint();
  p.lead_ms = r.varint();
  p.eligible_ms = r.varint();
  p.risk.bucket = static_cast<uint8_t>(r.varint());
  p.risk.at_risk = r.varint() != 0;
  p.risk.day = static_cast<int32_t>(r.varint());
  p.risk.timer_ms = r.varint();
  p.entry.entered_ms = r.varint();
  const int64_t flags = r.varint();
  p.entry.holdout = flags & 1;
  p.entry.returned_7d = flags & 2;
  p.entry.active_d7 = flags & 4;
  p.entry.active_d30 = flags & 8;
  p.entry.retained_sent = flags & 16;
  p.opens.resize(r.count(kMaxOpenedNudges));
  for (auto& o : p.opens) {
    o.kind = static_cast<uint8_t>(r.varint());
    o.day = static_cast<int32_t>(r.varint());
  }
  if (version == kUserVersion3) return r.done();
  p.action_week = static_cast<int32_t>(r.varint());
  if (p.action_week == INT32_MIN && version == kUserVersion4)
    return false;  // version 4 is only written with counts
  if (p.action_week != INT32_MIN)
    for (auto& week : p.action_counts)
      for (uint16_t& n : week) n = static_cast<uint16_t>(r.varint());
  if (version == kUserVersion4) return r.done();
  // Version 5 held (hi, lo) keys and absolute times; version 6 lo and differences.
  const bool v5 = version == kUserVersion5;
  p.seen.resize(r.count(1 << 20));
  uint64_t previous = 0;
  for (SeenEvent& e : p.seen) {
    if (v5) r.le64();
    e.key = r.le64();
    const auto t = static_cast<uint64_t>(r.varint());
    e.ts_ms = static_cast<int64_t>(v5 ? t : previous + t);
    previous = static_cast<uint64_t>(e.ts_ms);
  }
  p.sessions.resize(r.count(1 << 20));
  for (IdSession& s : p.sessions) {
    if (v5) r.le64();
    s.key = r.le64();
    s.state.start_ms = r.varint();
    s.state.end_ms = s.state.start_ms + r.varint();
    s.state.actions = static_cast<int32_t>(r.varint());
  }
  return r.done();
}

void cohort_key(std::string& key, int32_t partition, CohortTable table, int32_t cohort) {
  put_partition(key, partition);
  key.push_back(static_cast<char>(table));
  put_be32(key, biased(cohort));
}
CohortTable cohort_table_of_key(std::string_view key) {
  return static_cast<CohortTable>(static_cast<uint8_t>(key[4]));
}
int32_t cohort_of_key(std::string_view key) {
  return unbiased(get_be32(key.data() + 5));
}

void encode_day_row(std::string& out, const DayCounters& c) {
  begin_record(out, kDailyVersion);
  for (int64_t v : {c.dau, c.wau, c.mau, c.new_users, c.returning, c.resurrecting, c.dormant})
    put_le64(out, static_cast<uint64_t>(v));
}

bool decode_day_row(std::string_view v, DayCounters& out) {
  v = record_body(v, "daily", kDailyVersion);
  if (v.size() != kDaySize) return false;
  auto f = [&](int i) { return static_cast<int64_t>(get_le64(v.data() + 8 * i)); };
  out = DayCounters{f(0), f(1), f(2), f(3), f(4), f(5), f(6)};
  return true;
}

void encode_day_row(std::string& out, const DayFigures& c) {
  begin_record(out, kFiguresVersion);
  c.visit([&](auto& field) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, int64_t>) {
      put_varint(out, field);
    } else {
      for (int64_t x : field) put_varint(out, x);
    }
  });
}

bool decode_day_row(std::string_view v, DayFigures& out) {
  out = DayFigures{};
  Reader r(record_body(v, "figures_daily", kFiguresVersion));
  out.visit([&](auto& field) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, int64_t>) {
      field = r.varint();
    } else {
      for (int64_t& x : field) x = r.varint();
    }
  });
  return r.done();
}

void encode_day_row(std::string& out, const CohortFigures& c) {
  // Trailing zeros and all-zero vectors are left out: their sizes depend on arrival order, the
  // counts do not, and the stored bytes must not either.
  auto used = [](const std::vector<int64_t>& v) {
    size_t n = v.size();
    while (n > 0 && v[n - 1] == 0) --n;
    return n;
  };
  begin_record(out, kCohortFiguresVersion);
  put_varint(out, c.aha_reached);
  const size_t hours = used(c.hours_to_aha);
  put_varint(out, static_cast<int64_t>(hours));
  for (size_t h = 0; h < hours; ++h) put_varint(out, c.hours_to_aha[h]);
  for (int64_t x : c.payers) put_varint(out, x);
  auto zero = [](const LtvCounters& l) {
    return std::all_of(l.micros.begin(), l.micros.end(), [](int64_t x) { return x == 0; });
  };
  put_varint(out, static_cast<int64_t>(std::count_if(c.ltv.begin(), c.ltv.end(),
                                                     [&](auto& e) { return !zero(e.second); })));
  for (const auto& [currency, l] : c.ltv) {
    if (zero(l)) continue;
    put_varint(out, static_cast<int64_t>(currency.size()));
    out.append(currency);
    for (int64_t x : l.micros) put_varint(out, x);
  }
  put_varint(out, c.week2_active);
  const size_t n = std::max(used(c.did), used(c.did_and_week2));
  put_varint(out, static_cast<int64_t>(n));
  for (size_t i = 0; i < n; ++i) put_varint(out, i < c.did.size() ? c.did[i] : 0);
  for (size_t i = 0; i < n; ++i)
    put_varint(out, i < c.did_and_week2.size() ? c.did_and_week2[i] : 0);
}

bool decode_day_row(std::string_view v, CohortFigures& out) {
  out = CohortFigures{};
  Reader r(record_body(v, "cohort_figures", kCohortFiguresVersion));
  out.aha_reached = r.varint();
  out.hours_to_aha.resize(r.count(1 << 16));
  for (int64_t& x : out.hours_to_aha) x = r.varint();
  for (int64_t& x : out.payers) x = r.varint();
  for (size_t n = r.count(1 << 10); n > 0 && r.ok(); --n) {
    std::string currency(r.bytes(r.count(64)));
    for (int64_t& x : out.ltv[currency].micros) x = r.varint();
  }
  out.week2_active = r.varint();
  const size_t n = r.count(1 << 12);
  out.did.resize(n);
  out.did_and_week2.resize(n);
  for (int64_t& x : out.did) x = r.varint();
  for (int64_t& x : out.did_and_week2) x = r.varint();
  return r.done();
}

void segment_day_key(std::string& key, int32_t partition, int dimension, int value, int32_t day) {
  put_partition(key, partition);
  key.push_back(static_cast<char>(dimension));
  key.push_back(static_cast<char>(value));
  put_be32(key, biased(day));
}
SegmentDayKey parse_segment_day_key(std::string_view key) {
  return {static_cast<uint8_t>(key[4]), static_cast<uint8_t>(key[5]),
          unbiased(get_be32(key.data() + 6))};
}

bool decode_sessions(std::string_view v, std::vector<LegacySession>& out) {
  v = record_body(v, "sessions", kSessionsVersion);
  if (v.size() % 40 != 0) return false;
  for (size_t i = 0; i < v.size(); i += 40) {
    const char* p = v.data() + i;
    out.push_back({{get_le64(p), get_le64(p + 8)},
                   {static_cast<int64_t>(get_le64(p + 16)), static_cast<int64_t>(get_le64(p + 24)),
                    static_cast<int32_t>(get_le64(p + 32))}});
  }
  return true;
}

void encode_day_row(std::string& out, const SessionCounters& c) {
  begin_record(out, kSessionDailyVersion);
  for (int64_t v : {c.sessions, c.actions, c.duration_ms}) put_le64(out, static_cast<uint64_t>(v));
  for (int64_t v : c.length) put_le64(out, static_cast<uint64_t>(v));
}

bool decode_day_row(std::string_view v, SessionCounters& out) {
  v = record_body(v, "session_daily", kSessionDailyVersion);
  if (v.size() != 8 * (3 + kSessionLengthBuckets)) return false;
  auto f = [&](int i) { return static_cast<int64_t>(get_le64(v.data() + 8 * i)); };
  out = SessionCounters{f(0), f(1), f(2)};
  for (int i = 0; i < kSessionLengthBuckets; ++i) out.length[static_cast<size_t>(i)] = f(3 + i);
  return true;
}

void encode_day_row(std::string& out, const FeedbackCounters& c) {
  begin_record(out, kFeedbackVersion);
  for (int64_t v : {c.responses, c.promoters, c.passives, c.detractors})
    put_le64(out, static_cast<uint64_t>(v));
}

bool decode_day_row(std::string_view v, FeedbackCounters& out) {
  v = record_body(v, "feedback_daily", kFeedbackVersion);
  if (v.size() != 32) return false;
  auto f = [&](int i) { return static_cast<int64_t>(get_le64(v.data() + 8 * i)); };
  out = FeedbackCounters{f(0), f(1), f(2), f(3)};
  return true;
}

void encode_day_row(std::string& out, const RevenueCounters& c) {
  begin_record(out, kRevenueVersion);
  for (const auto& [currency, m] : c.by_currency) {
    out.append(currency.substr(0, 3));
    out.append(3 - std::min<size_t>(3, currency.size()), ' ');
    put_le64(out, static_cast<uint64_t>(m.micros));
    put_le64(out, static_cast<uint64_t>(m.purchases));
  }
}

bool decode_day_row(std::string_view v, RevenueCounters& out) {
  v = record_body(v, "revenue_daily", kRevenueVersion);
  if (v.size() % 19 != 0) return false;
  out = RevenueCounters{};
  for (size_t i = 0; i < v.size(); i += 19)
    out.by_currency[std::string(v.substr(i, 3))] = {
        static_cast<int64_t>(get_le64(v.data() + i + 3)),
        static_cast<int64_t>(get_le64(v.data() + i + 11))};
  return true;
}

void encode_retention(std::string& out, const std::vector<int64_t>& retained) {
  begin_record(out, kRetentionVersion);
  for (int64_t x : retained) put_varint(out, x);
}

std::optional<std::vector<int64_t>> decode_retention(std::string_view v) {
  v = record_body(v, "retention", kRetentionVersion);
  std::vector<int64_t> out;
  Reader r(v);
  while (r.ok() && r.position() < v.size()) out.push_back(r.varint());
  if (!r.ok()) return std::nullopt;
  return out;
}

// Meta v2 starts with this word (a stream time no clock reaches), then the number of rejection
// reasons it holds; v1 (no version word) held 11 reasons, so adding a reason moved every later
// field. v2 readers take any number of reasons (missing ones are zero, unknown ones refused).
// Counters appended at the end (the forgotten entries) read as zero when missing; a release that
// does not know one ignores it and writes the record without it (a counter, not a figure).
constexpr uint64_t kMetaV2 = 0x7fffffffffff0002ULL;
constexpr size_t kMetaV1Reasons = 11;

void encode_meta(std::string& out, const PartitionMeta& m) {
  out.clear();
  put_le64(out, kMetaV2);
  put_le64(out, kRejectReasonCount);
  put_le64(out, static_cast<uint64_t>(m.stream_time_ms));
  for (int64_t c : m.rejected) put_le64(out, static_cast<uint64_t>(c));
  put_le64(out, static_cast<uint64_t>(m.duplicates));
  put_le64(out, static_cast<uint64_t>(m.dedupe_horizon_ms));
  put_le64(out, static_cast<uint64_t>(m.session_horizon_ms));
  for (int64_t c : m.risk.by_bucket) put_le64(out, static_cast<uint64_t>(c));
  put_le64(out, static_cast<uint64_t>(m.risk.at_risk));
  put_le64(out, m.next_program_seq);
  put_le64(out, static_cast<uint64_t>(m.clock_hour));
  put_le64(out, static_cast<uint64_t>(m.forgotten));
}

bool decode_seen(std::string_view v, std::vector<LegacySeen>& out) {
  v = record_body(v, "dedupe", kDedupeVersion);
  if (v.size() % 24 != 0) return false;
  for (size_t i = 0; i < v.size(); i += 24)
    out.push_back({{get_le64(v.data() + i), get_le64(v.data() + i + 8)},
                   static_cast<int64_t>(get_le64(v.data() + i + 16))});
  return true;
}

std::optional<PartitionMeta> decode_meta(std::string_view v) {
  if (v.size() < 8 || v.size() % 8 != 0) return std::nullopt;
  size_t reasons = kMetaV1Reasons, at = 0;
  if (get_le64(v.data()) == kMetaV2) {
    if (v.size() < 24) return std::nullopt;
    reasons = get_le64(v.data() + 8);
    if (reasons > kRejectReasonCount) return std::nullopt;  // written by a newer release
    at = 16;
  }
  // v1 records of the oldest releases end early; the missing fields count as zero.
  auto word = [&](size_t i) -> std::optional<int64_t> {
    if (at + 8 * i + 8 > v.size()) return std::nullopt;
    return static_cast<int64_t>(get_le64(v.data() + at + 8 * i));
  };
  PartitionMeta m{*word(0)};
  for (size_t i = 0; i < reasons; ++i) m.rejected[i] = word(1 + i).value_or(0);
  const size_t after = 1 + reasons;
  if (word(after + 1)) {
    m.duplicates = *word(after);
    m.dedupe_horizon_ms = *word(after + 1);
  }
  m.session_horizon_ms = word(after + 2).value_or(0);
  if (word(after + 3 + 12)) {
    for (size_t i = 0; i < m.risk.by_bucket.size(); ++i) m.risk.by_bucket[i] = *word(after + 3 + i);
    const size_t r = after + 3 + m.risk.by_bucket.size();
    m.risk.at_risk = *word(r);
    m.next_program_seq = static_cast<uint64_t>(word(r + 1).value_or(0));
    m.clock_hour = word(r + 2).value_or(INT64_MIN);
    m.forgotten = word(r + 3).value_or(0);
  }
  return m;
}

}  // namespace engaged::codec
