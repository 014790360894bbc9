// Fixed-width big-endian keys (so RocksDB's byte order is numeric order), little-endian values.
#include "state/codec.h"

#include <fmt/format.h>

#include <stdexcept>

#include "state/byte_io.h"

namespace engaged::codec {

void begin_record(std::string& out, uint8_t version) {
  out.assign(1, static_cast<char>(version));
}

uint8_t record_version(std::string_view value, std::string_view record, uint8_t newest) {
  if (value.empty()) throw std::runtime_error(fmt::format("{}: empty record", record));
  const auto version = static_cast<uint8_t>(value[0]);
  if (version == 0 || version > newest)
    throw std::runtime_error(fmt::format(
        "{}: record format version {} (this binary reads 1..{}); the state was written by a "
        "newer release",
        record, version, newest));
  return version;
}

std::string_view record_body(std::string_view value, std::string_view record, uint8_t newest) {
  record_version(value, record, newest);
  return value.substr(1);
}

namespace {
constexpr uint8_t kOffsetVersion = 1;
constexpr uint8_t kTimerVersion = 1;
constexpr uint8_t kOutboxVersion = 2;
}  // namespace

void put_partition(std::string& key, int32_t partition) {
  key.clear();
  put_be32(key, static_cast<uint32_t>(partition));
}
int32_t partition_of(std::string_view key) {
  return static_cast<int32_t>(get_be32(key.data()));
}

void user_key(std::string& key, int32_t partition, std::string_view user_id) {
  put_partition(key, partition);
  key.append(user_id);
}
std::string_view user_id_of(std::string_view key) {
  return key.substr(4);
}

void day_key(std::string& key, int32_t partition, int32_t day) {
  put_partition(key, partition);
  put_be32(key, biased(day));
}
int32_t day_of_key(std::string_view key) {
  return unbiased(get_be32(key.data() + 4));
}

void encode_offset(std::string& out, int64_t v) {
  begin_record(out, kOffsetVersion);
  put_le64(out, static_cast<uint64_t>(v));
}
std::optional<int64_t> decode_offset(std::string_view v) {
  v = record_body(v, "offsets", kOffsetVersion);
  if (v.size() != 8) return std::nullopt;
  return static_cast<int64_t>(get_le64(v.data()));
}

void segment_horizon_key(std::string& key, int32_t partition, int64_t horizon_ms) {
  put_partition(key, partition);
  put_be64(key, static_cast<uint64_t>(horizon_ms) ^ (1ULL << 63));
}

int64_t segment_offset_of(std::string_view key) {
  uint64_t v = 0;
  for (int i = 12; i < 20; ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  return static_cast<int64_t>(v);
}

void timer_key(std::string& key, int32_t partition, int64_t due_ms, std::string_view user_id) {
  put_partition(key, partition);
  put_be64(key, static_cast<uint64_t>(due_ms) ^ (1ULL << 63));
  key.append(user_id);
}

void encode_timer(std::string& out) {
  begin_record(out, kTimerVersion);
}

std::pair<int64_t, std::string_view> parse_timer_key(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 4; i < 12; ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  return {static_cast<int64_t>(v ^ (1ULL << 63)), key.substr(12)};
}

void outbox_key(std::string& key, int32_t partition, uint64_t seq) {
  put_partition(key, partition);
  put_be64(key, seq);
}

uint64_t outbox_seq_of(std::string_view key) {
  return key.size() >= 12 ? get_be64(key.data() + 4) : 0;
}

OutboxEntry::OutboxEntry(OutboxSink sink) {
  begin_record(value_, kOutboxVersion);
  value_.push_back(static_cast<char>(sink));
}

void OutboxEntry::add(std::string_view key, std::string_view payload) {
  put_string(value_, key);
  put_string(value_, payload);
}

namespace {
constexpr size_t kMaxOutboxKey = 1 << 20, kMaxOutboxPayload = size_t{1} << 30;
}  // namespace

std::optional<OutboxEntry> OutboxEntry::decode(std::string_view v) {
  const uint8_t version = record_version(v, "outbox", kOutboxVersion);
  if (v.size() < 2 || static_cast<uint8_t>(v[1]) > 1) return std::nullopt;
  OutboxEntry e(static_cast<OutboxSink>(v[1]));
  Reader r(v.substr(2));
  if (version == 1) {  // one message, its payload to the end
    const std::string_view key = r.bytes(r.count(kMaxOutboxKey));
    if (!r.ok()) return std::nullopt;
    e.add(key, v.substr(2 + r.position()));
    return e;
  }
  while (r.ok() && !r.done()) {
    r.bytes(r.count(kMaxOutboxKey));
    r.bytes(r.count(kMaxOutboxPayload));
  }
  if (!r.ok()) return std::nullopt;
  e.value_.assign(v);
  return e;
}

std::vector<OutboxMessage> OutboxEntry::messages() const {
  std::vector<OutboxMessage> out;
  Reader r(std::string_view(value_).substr(2));
  while (r.ok() && !r.done()) {
    const std::string_view key = r.bytes(r.count(kMaxOutboxKey));
    out.push_back({key, r.bytes(r.count(kMaxOutboxPayload))});
  }
  return out;
}

void encode_changelog_position(std::string& out, const ChangelogPosition& p) {
  out.clear();
  out.push_back(2);
  put_varint(out, p.next_offset);
  put_varint(out, p.restoring_from);
  put_varint(out, p.released);
  put_varint(out, p.released_ms);
  put_varint(out, p.written_ms);
  put_varint(out, p.uncovered_from);
  for (const Claim& c : {p.claim, p.uncovered_claim}) {
    put_be64(out, c.owner);
    put_be64(out, c.epoch);
  }
}

// Version 1 (0.1.0 had none; 0.2.0 development) has no claim: owner and epoch 0.
std::optional<ChangelogPosition> decode_changelog_position(std::string_view v) {
  if (v.empty() || (v[0] != 1 && v[0] != 2)) return std::nullopt;
  const bool claimed = v[0] == 2;
  Reader r(v.substr(1));
  ChangelogPosition p;
  p.next_offset = r.varint();
  p.restoring_from = r.varint();
  p.released = r.varint() != 0;
  p.released_ms = r.varint();
  p.written_ms = r.varint();
  p.uncovered_from = r.varint();
  if (claimed) {
    const std::string_view claims = r.bytes(32);
    if (!r.ok()) return std::nullopt;
    p.claim = {get_be64(claims.data()), get_be64(claims.data() + 8)};
    p.uncovered_claim = {get_be64(claims.data() + 16), get_be64(claims.data() + 24)};
  }
  if (!r.done()) return std::nullopt;
  return p;
}

}  // namespace engaged::codec
