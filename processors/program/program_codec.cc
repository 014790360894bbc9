// Varint records, each with a version byte; every container is length-prefixed and bounded on
// reading.
#include "processors/program/program_codec.h"

#include <bit>

#include "state/byte_io.h"
#include "state/codec.h"

namespace engaged::codec {
namespace {

constexpr uint8_t kEnvelopeVersion = 1;
constexpr uint8_t kRecordVersion = 1;  // every program-family record

void put_double(std::string& out, double d) {
  put_le64(out, std::bit_cast<uint64_t>(d));
}
double get_double(Reader& r) {
  return std::bit_cast<double>(r.le64());
}
void put_strings(std::string& out, const std::vector<std::string>& v) {
  put_varint(out, static_cast<int64_t>(v.size()));
  for (const auto& s : v) put_string(out, s);
}
std::vector<std::string> get_strings(Reader& r) {
  std::vector<std::string> v(r.count(1 << 16));
  for (auto& s : v) s = r.string(1 << 20);
  return v;
}
void put_reasons(std::string& out, const std::vector<std::pair<uint8_t, double>>& v) {
  put_varint(out, static_cast<int64_t>(v.size()));
  for (const auto& [f, c] : v) {
    put_varint(out, f);
    put_double(out, c);
  }
}
std::vector<std::pair<uint8_t, double>> get_reasons(Reader& r) {
  std::vector<std::pair<uint8_t, double>> v(r.count(64));
  for (auto& [f, c] : v) {
    f = static_cast<uint8_t>(r.varint());
    c = get_double(r);
  }
  return v;
}

void put_record(std::string& out, const ProgramRecord& x) {
  put_varint(out, static_cast<int64_t>(x.kind));
  put_varint(out, x.ts_ms);
  put_string(out, x.user);
  put_string(out, x.peer);
  put_string(out, x.tz);
  put_string(out, x.language);
  put_strings(out, x.languages);
  put_strings(out, x.topics);
  put_varint(out, x.capacity);
  put_varint(out, x.score);
  put_double(out, x.risk);
  put_reasons(out, x.reasons);
}
ProgramRecord get_record(Reader& r) {
  ProgramRecord x;
  x.kind = static_cast<ProgramInput>(r.varint());
  x.ts_ms = r.varint();
  x.user = r.string(1 << 20);
  x.peer = r.string(1 << 20);
  x.tz = r.string(1 << 20);
  x.language = r.string(1 << 20);
  x.languages = get_strings(r);
  x.topics = get_strings(r);
  x.capacity = static_cast<int32_t>(r.varint());
  x.score = static_cast<int32_t>(r.varint());
  x.risk = get_double(r);
  x.reasons = get_reasons(r);
  return x;
}

void put_envelope(std::string& out, const ProgramEnvelope& e) {
  put_varint(out, e.source);
  put_varint(out, static_cast<int64_t>(e.seq));
  put_varint(out, e.order_ms);
  put_varint(out, e.watermark);
  if (!e.watermark) put_record(out, e.record);
}
ProgramEnvelope get_envelope(Reader& r) {
  ProgramEnvelope e;
  e.source = static_cast<int32_t>(r.varint());
  e.seq = static_cast<uint64_t>(r.varint());
  e.order_ms = r.varint();
  e.watermark = r.varint() != 0;
  if (!e.watermark) e.record = get_record(r);
  return e;
}

void put_mentee(std::string& out, const MenteeInfo& m) {
  put_string(out, m.language);
  put_string(out, m.tz);
  put_strings(out, m.topics);
  put_double(out, m.risk);
  put_reasons(out, m.reasons);
}
MenteeInfo get_mentee(Reader& r) {
  MenteeInfo m;
  m.language = r.string(1 << 20);
  m.tz = r.string(1 << 20);
  m.topics = get_strings(r);
  m.risk = get_double(r);
  m.reasons = get_reasons(r);
  return m;
}

void put_nudge(std::string& out, const Nudge& n) {
  put_string(out, n.nudge_id);
  put_varint(out, static_cast<int64_t>(n.kind));
  put_string(out, n.recipient);
  put_string(out, n.subject);
  put_varint(out, n.decided_ms);
  put_varint(out, n.deliver_ms);
  put_varint(out, n.holdout | n.risk_of_recipient << 1);
  put_double(out, n.risk);
  put_reasons(out, n.reasons);
}
Nudge get_nudge(Reader& r) {
  Nudge n;
  n.nudge_id = r.string(1 << 20);
  n.kind = static_cast<NudgeKind>(r.varint());
  n.recipient = r.string(1 << 20);
  n.subject = r.string(1 << 20);
  n.decided_ms = r.varint();
  n.deliver_ms = r.varint();
  const int64_t flags = r.varint();
  n.holdout = flags & 1;
  n.risk_of_recipient = flags & 2;
  n.risk = get_double(r);
  n.reasons = get_reasons(r);
  return n;
}

}  // namespace

void encode_envelope(std::string& out, const ProgramEnvelope& e) {
  begin_record(out, kEnvelopeVersion);
  put_envelope(out, e);
}

std::optional<ProgramEnvelope> decode_envelope(std::string_view v) {
  if (v.empty() || static_cast<uint8_t>(v[0]) != kEnvelopeVersion) return std::nullopt;
  Reader r(v.substr(1));
  ProgramEnvelope e = get_envelope(r);
  if (!r.done()) return std::nullopt;
  return e;
}

namespace {

template <typename T, typename F>
std::optional<T> decode_with(std::string_view v, F&& get) {
  Reader r(record_body(v, "program", kRecordVersion));
  T x = get(r);
  if (!r.done()) return std::nullopt;
  return x;
}

void start(std::string& out) {
  begin_record(out, kRecordVersion);
}

}  // namespace

void encode_mentor(std::string& out, const Mentor& m) {
  start(out);
  put_strings(out, m.languages);
  put_strings(out, m.topics);
  put_varint(out, m.capacity);
  put_string(out, m.tz);
  put_varint(out, m.opted_in | m.suspended << 1);
  put_varint(out, m.stats.rating_sum);
  put_varint(out, m.stats.ratings);
  put_varint(out, m.stats.response_s_sum);
  put_varint(out, m.stats.responses);
  put_strings(out, {m.mentees.begin(), m.mentees.end()});
}

std::optional<Mentor> decode_mentor(std::string_view v) {
  return decode_with<Mentor>(v, [](Reader& r) {
    Mentor m;
    m.languages = get_strings(r);
    m.topics = get_strings(r);
    m.capacity = static_cast<int32_t>(r.varint());
    m.tz = r.string(1 << 20);
    const int64_t flags = r.varint();
    m.opted_in = flags & 1;
    m.suspended = flags & 2;
    m.stats.rating_sum = r.varint();
    m.stats.ratings = r.varint();
    m.stats.response_s_sum = r.varint();
    m.stats.responses = r.varint();
    for (auto& x : get_strings(r)) m.mentees.insert(std::move(x));
    return m;
  });
}

void encode_match(std::string& out, const Match& m) {
  start(out);
  put_string(out, m.mentor);
  put_varint(out, m.matched_ms);
  put_varint(out, static_cast<int64_t>(m.stage));
  put_mentee(out, m.mentee);
  put_strings(out, m.tried);
}

std::optional<Match> decode_match(std::string_view v) {
  return decode_with<Match>(v, [](Reader& r) {
    Match m;
    m.mentor = r.string(1 << 20);
    m.matched_ms = r.varint();
    m.stage = static_cast<MatchStage>(r.varint());
    m.mentee = get_mentee(r);
    m.tried = get_strings(r);
    return m;
  });
}

void encode_waiting(std::string& out, const Waiting& w) {
  start(out);
  put_varint(out, w.since_ms);
  put_mentee(out, w.mentee);
  put_strings(out, w.tried);
}

std::optional<Waiting> decode_waiting(std::string_view v) {
  return decode_with<Waiting>(v, [](Reader& r) {
    Waiting w;
    w.since_ms = r.varint();
    w.mentee = get_mentee(r);
    w.tried = get_strings(r);
    return w;
  });
}

void encode_ids(std::string& out, const std::set<std::string>& ids) {
  start(out);
  put_strings(out, {ids.begin(), ids.end()});
}

std::optional<std::set<std::string>> decode_ids(std::string_view v) {
  return decode_with<std::set<std::string>>(v, [](Reader& r) {
    std::set<std::string> ids;
    for (auto& x : get_strings(r)) ids.insert(std::move(x));
    return ids;
  });
}

void encode_time(std::string& out, int64_t ms) {
  start(out);
  put_varint(out, ms);
}

std::optional<int64_t> decode_time(std::string_view v) {
  return decode_with<int64_t>(v, [](Reader& r) { return r.varint(); });
}

void encode_recipient(std::string& out, const RecipientPolicy& p) {
  start(out);
  put_string(out, p.tz);
  put_varint(out, static_cast<int64_t>(p.sent_ms.size()));
  for (int64_t t : p.sent_ms) put_varint(out, t);
  put_varint(out, static_cast<int64_t>(p.last_decided.size()));
  for (const auto& [k, t] : p.last_decided) {
    put_string(out, k);
    put_varint(out, t);
  }
  put_varint(out, static_cast<int64_t>(p.log.size()));
  for (const auto& e : p.log) {
    put_string(out, e.nudge_id);
    put_varint(out, static_cast<int64_t>(e.kind));
    put_varint(out, static_cast<int64_t>(e.outcome));
    put_varint(out, e.ms);
  }
}

std::optional<RecipientPolicy> decode_recipient(std::string_view v) {
  return decode_with<RecipientPolicy>(v, [](Reader& r) {
    RecipientPolicy p;
    p.tz = r.string(1 << 20);
    p.sent_ms.resize(r.count(1 << 20));
    for (auto& t : p.sent_ms) t = r.varint();
    for (size_t k = r.count(1 << 20); k-- && r.ok();) {
      std::string key = r.string(1 << 20);
      p.last_decided[std::move(key)] = r.varint();
    }
    for (size_t k = r.count(1 << 10); k-- && r.ok();) {
      NudgeLogEntry e;
      e.nudge_id = r.string(1 << 20);
      e.kind = static_cast<NudgeKind>(r.varint());
      e.outcome = static_cast<NudgeOutcome>(r.varint());
      e.ms = r.varint();
      p.log.push_back(std::move(e));
    }
    return p;
  });
}

void encode_nudge(std::string& out, const Nudge& n) {
  start(out);
  put_nudge(out, n);
}

std::optional<Nudge> decode_nudge(std::string_view v) {
  return decode_with<Nudge>(v, [](Reader& r) { return get_nudge(r); });
}

void encode_merge_source(std::string& out, const MergeSource& s) {
  start(out);
  put_varint(out, static_cast<int64_t>(s.next_seq));
  put_varint(out, s.watermark);
}

void encode_member(std::string& out) {
  start(out);
}

std::optional<MergeSource> decode_merge_source(std::string_view v) {
  return decode_with<MergeSource>(v, [](Reader& r) {
    MergeSource s;
    s.next_seq = static_cast<uint64_t>(r.varint());
    s.watermark = r.varint();
    return s;
  });
}

}  // namespace engaged::codec
