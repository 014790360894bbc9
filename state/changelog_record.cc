// Ops are varint-framed: op (1 put, 2 delete, 3 insert) | family id | key length | key
// [| value length | value].
#include "state/changelog_record.h"

#include "state/byte_io.h"

namespace engaged::changelog {
namespace {

constexpr char kPut = 1, kDelete = 2, kInsert = 3;
constexpr size_t kMaxKey = 1 << 20, kMaxValue = 1 << 30;

using codec::get_be64;
using codec::put_be64;

}  // namespace

void append_put(std::string& ops, Family f, std::string_view key, std::string_view value) {
  ops.push_back(kPut);
  ops.push_back(static_cast<char>(f));
  codec::put_string(ops, key);
  codec::put_string(ops, value);
}

void append_insert(std::string& ops, Family f, std::string_view key, std::string_view value) {
  ops.push_back(kInsert);
  ops.push_back(static_cast<char>(f));
  codec::put_string(ops, key);
  codec::put_string(ops, value);
}

void append_delete(std::string& ops, Family f, std::string_view key) {
  ops.push_back(kDelete);
  ops.push_back(static_cast<char>(f));
  codec::put_string(ops, key);
}

bool OpReader::next(Op& op) {
  if (rest_.empty() || !ok_) return false;
  codec::Reader r(rest_);
  const std::string_view head = r.bytes(2);
  const auto family = r.ok() ? family_of_id(static_cast<uint8_t>(head[1])) : std::nullopt;
  if (!family || (head[0] != kPut && head[0] != kDelete && head[0] != kInsert)) return ok_ = false;
  op.family = *family;
  op.key = r.bytes(r.count(kMaxKey));
  op.value.reset();
  op.created = head[0] == kInsert;
  if (head[0] != kDelete) op.value = r.bytes(r.count(kMaxValue));
  if (!r.ok()) return ok_ = false;
  rest_.remove_prefix(r.position());
  return true;
}

void state_key(std::string& out, Family f, std::string_view store_key) {
  out.clear();
  out.push_back(static_cast<char>(f));
  out.append(store_key);
}

void state_value(std::string& out, std::string_view store_value) {
  out.clear();
  out.push_back(static_cast<char>(kStateVersion));
  out.append(store_value);
}

void redo_key(std::string& out, const RedoId& id) {
  out.clear();
  out.push_back(static_cast<char>(kRedoTag));
  put_be64(out, id.writer);
  put_be64(out, id.checkpoint);
  codec::put_be32(out, id.chunk);
}

void redo_value_header(std::string& out, bool last, size_t op_count) {
  out.clear();
  out.push_back(static_cast<char>(kRedoVersion));
  out.push_back(last ? 1 : 0);
  codec::put_varint(out, static_cast<int64_t>(op_count));
}

void claim_key(std::string& out, uint64_t writer) {
  out.clear();
  out.push_back(static_cast<char>(kClaimTag));
  put_be64(out, writer);
}

void claim_value(std::string& out, uint64_t epoch) {
  out.clear();
  out.push_back(static_cast<char>(kClaimVersion));
  put_be64(out, epoch);
}

uint64_t writer_of(const rd_kafka_message_t* m) {
  rd_kafka_headers_t* headers = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_header_get_last(headers, kWriterHeader, &value, &size) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      size != 8)
    return 0;
  return get_be64(static_cast<const char*>(value));
}

std::optional<Record> parse(std::string_view key, const std::string_view* value) {
  if (key.empty()) return std::nullopt;
  Record rec{};
  if (static_cast<uint8_t>(key[0]) == kClaimTag) {
    if (key.size() != 9) return std::nullopt;
    rec.kind = Record::kClaim;
    rec.redo.writer = get_be64(key.data() + 1);
    if (!value) {
      rec.tombstone = true;
      return rec;
    }
    if (value->size() != 9 || static_cast<uint8_t>((*value)[0]) != kClaimVersion)
      return std::nullopt;
    rec.epoch = get_be64(value->data() + 1);
    return rec;
  }
  if (static_cast<uint8_t>(key[0]) == kRedoTag) {
    if (key.size() != 21) return std::nullopt;
    rec.kind = Record::kRedo;
    rec.redo = {get_be64(key.data() + 1), get_be64(key.data() + 9),
                codec::get_be32(key.data() + 17)};
    if (!value) {
      rec.tombstone = true;
      return rec;
    }
    const auto version = value->empty() ? 0 : static_cast<uint8_t>((*value)[0]);
    if (value->size() < 2 || version < 1 || version > kRedoVersion) return std::nullopt;
    rec.before_format3 = version < 3;
    rec.last = (*value)[1] == 1;
    codec::Reader r(value->substr(2));
    const int64_t n = r.varint();
    if (!r.ok() || n < 0) return std::nullopt;
    rec.op_count = static_cast<size_t>(n);
    rec.ops = value->substr(2 + r.position());
    return rec;
  }
  const auto family = family_of_id(static_cast<uint8_t>(key[0]));
  if (!family || !family_info(*family).mirrored) return std::nullopt;
  rec.kind = Record::kState;
  rec.op.family = *family;
  rec.op.key = key.substr(1);
  if (value) {
    const auto version = value->empty() ? 0 : static_cast<uint8_t>((*value)[0]);
    if (version < 1 || version > kStateVersion) return std::nullopt;
    rec.before_format3 = version < 2;
    rec.op.value = value->substr(1);
  } else {
    rec.tombstone = true;
  }
  return rec;
}

}  // namespace engaged::changelog
