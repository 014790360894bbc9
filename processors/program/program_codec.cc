// Varint records, each with a version byte; every container is length-prefixed and bounded on
// reading. Each layout is written once, as a list of fields that serves both directions: Out
// appends them, In reads them back in the same order.
#include "processors/program/program_codec.h"

#include <bit>

#include "state/byte_io.h"
#include "state/codec.h"

namespace engaged::codec {
namespace {

constexpr uint8_t kEnvelopeVersion = 1;
constexpr uint8_t kRecordVersion = 1;  // every program-family record
constexpr size_t kMaxString = 1 << 20;

using Reasons = std::vector<std::pair<uint8_t, double>>;

struct Out {
  std::string& out;
  template <typename T>
  void num(const T& v) {
    put_varint(out, static_cast<int64_t>(v));
  }
  void str(const std::string& v) { put_string(out, v); }
  void dbl(double v) { put_le64(out, std::bit_cast<uint64_t>(v)); }
  template <typename... B>
  void flags(const B&... bits) {  // bools packed into one varint, the first in bit 0
    int64_t packed = 0, bit = 1;
    ((packed |= bits ? bit : 0, bit <<= 1), ...);
    put_varint(out, packed);
  }
  // A length, then each element (`max` bounds the length on reading).
  template <typename C, typename F>
  void list(const C& items, size_t /*max*/, F&& each) {
    put_varint(out, static_cast<int64_t>(items.size()));
    for (const auto& x : items) each(*this, x);
  }
  template <typename C>
  void strs(const C& v) {  // a vector or set of strings
    list(v, 1 << 16, [](Out& o, const std::string& s) { o.str(s); });
  }
  void reasons(const Reasons& v) {
    list(v, 64, [](Out& o, const auto& r) {
      o.num(r.first);
      o.dbl(r.second);
    });
  }
};

struct In {
  Reader& r;
  template <typename T>
  void num(T& v) {
    v = static_cast<T>(r.varint());
  }
  void str(std::string& v) { v = r.string(kMaxString); }
  void dbl(double& v) { v = std::bit_cast<double>(r.le64()); }
  template <typename... B>
  void flags(B&... bits) {
    const int64_t packed = r.varint();
    int64_t bit = 1;
    ((bits = (packed & bit) != 0, bit <<= 1), ...);
  }
  template <typename T, typename F>
  void list(std::vector<T>& items, size_t max, F&& each) {
    items.resize(r.count(max));
    for (auto& x : items) each(*this, x);
  }
  template <typename T, typename F>
  void list(std::deque<T>& items, size_t max, F&& each) {
    items.resize(r.count(max));
    for (auto& x : items) each(*this, x);
  }
  template <typename F>
  void list(std::map<std::string, int64_t>& items, size_t max, F&& each) {
    items.clear();
    for (size_t k = r.count(max); k-- && r.ok();) {
      std::pair<std::string, int64_t> x;
      each(*this, x);
      items.insert(std::move(x));
    }
  }
  void strs(std::vector<std::string>& v) {
    list(v, 1 << 16, [](In& i, std::string& s) { i.str(s); });
  }
  void strs(std::set<std::string>& v) {
    std::vector<std::string> all;
    strs(all);
    v = {std::make_move_iterator(all.begin()), std::make_move_iterator(all.end())};
  }
  void reasons(Reasons& v) {
    list(v, 64, [](In& i, auto& r) {
      i.num(r.first);
      i.dbl(r.second);
    });
  }
};

// The layouts, one generic lambda each: (Out, const X&) writes, (In, X&) reads.
constexpr auto record_fields = [](auto& io, auto& x) {
  io.num(x.kind);
  io.num(x.ts_ms);
  io.str(x.user);
  io.str(x.peer);
  io.str(x.tz);
  io.str(x.language);
  io.strs(x.languages);
  io.strs(x.topics);
  io.num(x.capacity);
  io.num(x.score);
  io.dbl(x.risk);
  io.reasons(x.reasons);
};

constexpr auto envelope_fields = [](auto& io, auto& e) {
  io.num(e.source);
  io.num(e.seq);
  io.num(e.order_ms);
  io.num(e.watermark);
  if (!e.watermark) record_fields(io, e.record);
};

constexpr auto mentee_fields = [](auto& io, auto& m) {
  io.str(m.language);
  io.str(m.tz);
  io.strs(m.topics);
  io.dbl(m.risk);
  io.reasons(m.reasons);
};

constexpr auto nudge_fields = [](auto& io, auto& n) {
  io.str(n.nudge_id);
  io.num(n.kind);
  io.str(n.recipient);
  io.str(n.subject);
  io.num(n.decided_ms);
  io.num(n.deliver_ms);
  io.flags(n.holdout, n.risk_of_recipient);
  io.dbl(n.risk);
  io.reasons(n.reasons);
};

constexpr auto mentor_fields = [](auto& io, auto& m) {
  io.strs(m.languages);
  io.strs(m.topics);
  io.num(m.capacity);
  io.str(m.tz);
  io.flags(m.opted_in, m.suspended);
  io.num(m.stats.rating_sum);
  io.num(m.stats.ratings);
  io.num(m.stats.response_s_sum);
  io.num(m.stats.responses);
  io.strs(m.mentees);
};

constexpr auto match_fields = [](auto& io, auto& m) {
  io.str(m.mentor);
  io.num(m.matched_ms);
  io.num(m.stage);
  mentee_fields(io, m.mentee);
  io.strs(m.tried);
};

constexpr auto waiting_fields = [](auto& io, auto& w) {
  io.num(w.since_ms);
  mentee_fields(io, w.mentee);
  io.strs(w.tried);
};

constexpr auto recipient_fields = [](auto& io, auto& p) {
  io.str(p.tz);
  io.list(p.sent_ms, 1 << 20, [](auto& i, auto& t) { i.num(t); });
  io.list(p.last_decided, 1 << 20, [](auto& i, auto& kt) {
    i.str(kt.first);
    i.num(kt.second);
  });
  io.list(p.log, 1 << 10, [](auto& i, auto& e) {
    i.str(e.nudge_id);
    i.num(e.kind);
    i.num(e.outcome);
    i.num(e.ms);
  });
};

constexpr auto merge_source_fields = [](auto& io, auto& s) {
  io.num(s.next_seq);
  io.num(s.watermark);
};

// version | fields
template <typename X, typename Fields>
void encode(std::string& out, uint8_t version, const X& x, Fields&& fields) {
  begin_record(out, version);
  Out o{out};
  fields(o, x);
}

// A program-family record; nullopt if it is truncated or has bytes left over.
template <typename X, typename Fields>
std::optional<X> decode(std::string_view v, Fields&& fields) {
  Reader r(record_body(v, "program", kRecordVersion));
  X x{};
  In i{r};
  fields(i, x);
  if (!r.done()) return std::nullopt;
  return x;
}

}  // namespace

void encode_envelope(std::string& out, const ProgramEnvelope& e) {
  encode(out, kEnvelopeVersion, e, envelope_fields);
}

std::optional<ProgramEnvelope> decode_envelope(std::string_view v) {
  // An envelope comes from the program topic too: one this build cannot read is skipped there.
  if (v.empty() || static_cast<uint8_t>(v[0]) != kEnvelopeVersion) return std::nullopt;
  Reader r(v.substr(1));
  ProgramEnvelope e;
  In i{r};
  envelope_fields(i, e);
  if (!r.done()) return std::nullopt;
  return e;
}

// encode_NAME(out, x) and decode_NAME(v) of a program-family record laid out by FIELDS.
#define PROGRAM_RECORD(NAME, TYPE, FIELDS)                \
  void encode_##NAME(std::string& out, const TYPE& x) {   \
    encode(out, kRecordVersion, x, FIELDS);               \
  }                                                       \
  std::optional<TYPE> decode_##NAME(std::string_view v) { \
    return decode<TYPE>(v, FIELDS);                       \
  }

PROGRAM_RECORD(mentor, Mentor, mentor_fields)
PROGRAM_RECORD(match, Match, match_fields)
PROGRAM_RECORD(waiting, Waiting, waiting_fields)
PROGRAM_RECORD(ids, std::set<std::string>, [](auto& io, auto& x) { io.strs(x); })
PROGRAM_RECORD(recipient, RecipientPolicy, recipient_fields)
PROGRAM_RECORD(nudge, Nudge, nudge_fields)
PROGRAM_RECORD(merge_source, MergeSource, merge_source_fields)

void encode_time(std::string& out, int64_t ms) {
  encode(out, kRecordVersion, ms, [](auto& io, auto& x) { io.num(x); });
}
std::optional<int64_t> decode_time(std::string_view v) {
  return decode<int64_t>(v, [](auto& io, auto& x) { io.num(x); });
}

void encode_member(std::string& out) {
  begin_record(out, kRecordVersion);
}

}  // namespace engaged::codec
