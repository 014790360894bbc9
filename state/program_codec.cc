// Varint records; every container is length-prefixed and bounded on reading.
#include "state/program_codec.h"

#include <bit>

#include "state/byte_io.h"

namespace engaged::codec {
namespace {

constexpr uint8_t kEnvelopeVersion = 1;
constexpr uint8_t kStateVersion = 1;
constexpr size_t kMaxItems = size_t{1} << 28;

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
  out.clear();
  out.push_back(static_cast<char>(kEnvelopeVersion));
  put_envelope(out, e);
}

std::optional<ProgramEnvelope> decode_envelope(std::string_view v) {
  if (v.empty() || static_cast<uint8_t>(v[0]) != kEnvelopeVersion) return std::nullopt;
  Reader r(v.substr(1));
  ProgramEnvelope e = get_envelope(r);
  if (!r.done()) return std::nullopt;
  return e;
}

void encode_program_state(std::string& out, const ProgramState& s) {
  out.clear();
  out.push_back(static_cast<char>(kStateVersion));
  put_varint(out, s.now_ms);
  put_varint(out, static_cast<int64_t>(s.mentors.size()));
  for (const auto& [id, m] : s.mentors) {
    put_string(out, id);
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
  put_varint(out, static_cast<int64_t>(s.matches.size()));
  for (const auto& [id, m] : s.matches) {
    put_string(out, id);
    put_string(out, m.mentor);
    put_varint(out, m.matched_ms);
    put_varint(out, static_cast<int64_t>(m.stage));
    put_mentee(out, m.mentee);
    put_strings(out, m.tried);
  }
  put_varint(out, static_cast<int64_t>(s.waiting.size()));
  for (const auto& [id, w] : s.waiting) {
    put_string(out, id);
    put_varint(out, w.since_ms);
    put_mentee(out, w.mentee);
    put_strings(out, w.tried);
  }
  put_varint(out, static_cast<int64_t>(s.blocks.size()));
  for (const auto& [a, b] : s.blocks) {
    put_string(out, a);
    put_string(out, b);
  }
  put_varint(out, static_cast<int64_t>(s.reporters.size()));
  for (const auto& [id, set] : s.reporters) {
    put_string(out, id);
    put_strings(out, {set.begin(), set.end()});
  }
  put_varint(out, static_cast<int64_t>(s.holdout_decided.size()));
  for (const auto& [id, t] : s.holdout_decided) {
    put_string(out, id);
    put_varint(out, t);
  }
  put_varint(out, static_cast<int64_t>(s.timers.size()));
  for (const auto& t : s.timers) {
    put_varint(out, t.due_ms);
    put_varint(out, static_cast<int64_t>(t.kind));
    put_string(out, t.user);
    put_varint(out, t.token);
  }
  put_varint(out, static_cast<int64_t>(s.policy.recipients.size()));
  for (const auto& [id, r] : s.policy.recipients) {
    put_string(out, id);
    put_string(out, r.tz);
    put_varint(out, static_cast<int64_t>(r.sent_ms.size()));
    for (int64_t t : r.sent_ms) put_varint(out, t);
    put_varint(out, static_cast<int64_t>(r.last_decided.size()));
    for (const auto& [k, t] : r.last_decided) {
      put_string(out, k);
      put_varint(out, t);
    }
    put_varint(out, static_cast<int64_t>(r.log.size()));
    for (const auto& e : r.log) {
      put_string(out, e.nudge_id);
      put_varint(out, static_cast<int64_t>(e.kind));
      put_varint(out, static_cast<int64_t>(e.outcome));
      put_varint(out, e.ms);
    }
  }
  put_varint(out, static_cast<int64_t>(s.policy.deferred.size()));
  for (const auto& [key, n] : s.policy.deferred) put_nudge(out, n);
}

std::optional<ProgramState> decode_program_state(std::string_view v) {
  if (v.empty() || static_cast<uint8_t>(v[0]) != kStateVersion) return std::nullopt;
  Reader r(v.substr(1));
  ProgramState s;
  s.now_ms = r.varint();
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    Mentor& m = s.mentors[r.string(1 << 20)];
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
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    Match& m = s.matches[r.string(1 << 20)];
    m.mentor = r.string(1 << 20);
    m.matched_ms = r.varint();
    m.stage = static_cast<MatchStage>(r.varint());
    m.mentee = get_mentee(r);
    m.tried = get_strings(r);
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    Waiting& w = s.waiting[r.string(1 << 20)];
    w.since_ms = r.varint();
    w.mentee = get_mentee(r);
    w.tried = get_strings(r);
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    std::string a = r.string(1 << 20);
    s.blocks.emplace(std::move(a), r.string(1 << 20));
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    auto& set = s.reporters[r.string(1 << 20)];
    for (auto& x : get_strings(r)) set.insert(std::move(x));
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    std::string id = r.string(1 << 20);
    s.holdout_decided[std::move(id)] = r.varint();
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    TimerKey t;
    t.due_ms = r.varint();
    t.kind = static_cast<ProgramTimer>(r.varint());
    t.user = r.string(1 << 20);
    t.token = r.varint();
    s.timers.insert(std::move(t));
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    RecipientPolicy& p = s.policy.recipients[r.string(1 << 20)];
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
  }
  for (size_t n = r.count(kMaxItems); n-- && r.ok();) {
    Nudge nudge = get_nudge(r);
    auto key = std::make_pair(nudge.deliver_ms, nudge.nudge_id);
    s.policy.deferred.emplace(std::move(key), std::move(nudge));
  }
  if (!r.done()) return std::nullopt;
  return s;
}

void encode_merge_state(std::string& out, const std::map<int32_t, MergeSource>& sources) {
  out.clear();
  out.push_back(static_cast<char>(kStateVersion));
  put_varint(out, static_cast<int64_t>(sources.size()));
  for (const auto& [id, s] : sources) {
    put_varint(out, id);
    put_varint(out, static_cast<int64_t>(s.next_seq));
    put_varint(out, s.watermark);
    put_varint(out, static_cast<int64_t>(s.pending.size()));
    for (const auto& e : s.pending) put_envelope(out, e);
  }
}

std::optional<std::map<int32_t, MergeSource>> decode_merge_state(std::string_view v) {
  if (v.empty() || static_cast<uint8_t>(v[0]) != kStateVersion) return std::nullopt;
  Reader r(v.substr(1));
  std::map<int32_t, MergeSource> out;
  for (size_t n = r.count(1 << 20); n-- && r.ok();) {
    MergeSource& s = out[static_cast<int32_t>(r.varint())];
    s.next_seq = static_cast<uint64_t>(r.varint());
    s.watermark = r.varint();
    for (size_t k = r.count(kMaxItems); k-- && r.ok();) s.pending.push_back(get_envelope(r));
  }
  if (!r.done()) return std::nullopt;
  return out;
}

}  // namespace engaged::codec
