// Each produced message carries its logical partition (p, or the program partition) and its kind
// as its opaque, so delivery reports advance the right position.
#include "state/changelog_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "state/byte_io.h"
#include "state/changelog_record.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {
namespace {

// Splits encoded ops at op boundaries into pieces of at most `limit` bytes (an op larger than
// that is a piece of its own).
std::vector<std::pair<std::string_view, size_t>> chunks(std::string_view ops, size_t limit) {
  std::vector<std::pair<std::string_view, size_t>> out;
  changelog::OpReader reader(ops);
  changelog::Op op;
  size_t start = 0, count = 0;
  const char* base = ops.data();
  size_t end = 0;
  while (reader.next(op)) {
    const size_t op_end = static_cast<size_t>(
        (op.value ? op.value->data() + op.value->size() : op.key.data() + op.key.size()) - base);
    if (count > 0 && op_end - start > limit) {
      out.emplace_back(ops.substr(start, end - start), count);
      start = end;
      count = 0;
    }
    end = op_end;
    ++count;
  }
  if (!reader.ok()) throw std::logic_error("changelog: malformed ops from the checkpoint");
  if (count > 0 || out.empty()) out.emplace_back(ops.substr(start, end - start), count);
  return out;
}

}  // namespace

KafkaChangelog::KafkaChangelog(const KafkaProperties& properties, ChangelogOptions options)
    : options_(std::move(options)),
      writer_(std::random_device{}() * 0x9e3779b97f4a7c15ULL ^ std::random_device{}()) {
  codec::put_be64(writer_header_, writer_);
  KafkaProperties props = properties;
  props["compression.type"] = options_.compression;
  props["linger.ms"] = "5";
  props["allow.auto.create.topics"] = "false";
  producer_ = make_producer(props, &KafkaChangelog::on_delivery, this);
  prefetch_metadata(producer_.get(), {options_.topic, options_.program_topic});
}

KafkaChangelog::~KafkaChangelog() {
  rd_kafka_flush(producer_.get(), 5000);
}

void KafkaChangelog::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<KafkaChangelog*>(opaque);
  const auto tag = reinterpret_cast<intptr_t>(m->_private);  // partition << 2 | kind
  const auto partition = static_cast<int32_t>(tag >> 2);
  const auto kind = static_cast<Kind>(tag & 3);
  --self->in_flight_;
  if (kind != kOther) --self->redo_in_flight_;
  if (m->err) {
    if (self->first_error_.empty())
      self->first_error_ = fmt::format("changelog {}[{}]: {}", rd_kafka_topic_name(m->rkt),
                                       m->partition, rd_kafka_err2str(m->err));
    return;
  }
  int64_t& end = self->acked_end_[partition];
  end = std::max(end, m->offset + 1);
  if (kind == kClaim) self->claimed_at_[partition] = m->offset;
  if (kind == kRedo) {
    Pending& p = self->pending_[partition];
    if (p.uncovered_from < 0 || m->offset < p.uncovered_from) {
      p.uncovered_from = m->offset;
      p.uncovered_claim = self->claims_[partition];
    }
  }
}

void KafkaChangelog::produce(int32_t partition, const std::string& key, const std::string* value,
                             Kind kind) {
  const bool program = partition == codec::kProgramPartition;
  const std::string& topic = program ? options_.program_topic : options_.topic;
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_PARTITION(program ? 0 : partition), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(value ? const_cast<char*>(value->data()) : nullptr,
                         value ? value->size() : 0),
        RD_KAFKA_V_HEADER(changelog::kWriterHeader, writer_header_.data(),
                          static_cast<ssize_t>(writer_header_.size())),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(partition) << 2 | kind)),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      throw std::runtime_error(fmt::format("changelog produce to {}[{}]: {}", topic,
                                           program ? 0 : partition, rd_kafka_err2str(err)));
    rd_kafka_poll(producer_.get(), 50);
  }
  ++in_flight_;
  if (kind != kOther) ++redo_in_flight_;
  stats_.bytes += static_cast<int64_t>(key.size() + (value ? value->size() : 0));
}

std::map<int32_t, int64_t> KafkaChangelog::claim(const std::map<int32_t, uint64_t>& epochs) {
  for (const auto& [partition, epoch] : epochs) {
    claims_[partition] = {writer_, epoch};
    claimed_at_.erase(partition);
    changelog::claim_key(scratch_key_, writer_);
    changelog::claim_value(scratch_value_, epoch);
    produce(partition, scratch_key_, &scratch_value_, kClaim);
  }
  wait_for_acks();
  std::map<int32_t, int64_t> out;
  for (const auto& [partition, epoch] : epochs) out[partition] = claimed_at_.at(partition);
  return out;
}

void KafkaChangelog::append(int32_t partition, ChangeBatch::PartitionOps& ops) {
  Pending& p = pending_[partition];
  const auto pieces = chunks(ops.ops, options_.chunk_bytes);
  const uint64_t checkpoint = next_checkpoint_++;
  for (size_t i = 0; i < pieces.size(); ++i) {
    changelog::redo_key(scratch_key_, {writer_, checkpoint, static_cast<uint32_t>(i)});
    changelog::redo_value_header(scratch_value_, i + 1 == pieces.size(), pieces[i].second);
    scratch_value_.append(pieces[i].first);
    produce(partition, scratch_key_, &scratch_value_, kRedo);
    p.redo_keys.push_back(scratch_key_);
    ++stats_.redo_records;
  }
  take_ops(p, std::move(ops.ops));
  appended_.push_back(partition);
}

// The newest value of each key in `ops`, for the next materialization.
void KafkaChangelog::take_ops(Pending& p, std::string ops) {
  if (p.ops.empty()) p.since = std::chrono::steady_clock::now();
  p.ops.push_back(std::move(ops));
  p.bytes += p.ops.back().size();
  pending_bytes_ += p.ops.back().size();
  changelog::OpReader reader(p.ops.back());
  changelog::Op op;
  while (reader.next(op)) {
    const Key key{op.family, op.key};
    auto [it, fresh] = p.values.try_emplace(key);
    if (!op.value && !fresh && it->second.created) {
      // Inserted since the last materialization and gone again: it never reached the changelog
      // but in redo records, which go too.
      p.values.erase(it);
      continue;
    }
    // Whether the changelog holds a live record of the key is decided by the window's first op.
    if (fresh) it->second.created = op.created;
    it->second.value = op.value;
  }
}

void KafkaChangelog::adopt(int32_t partition, std::vector<std::string> redo_keys, std::string ops,
                           int64_t first_offset, const codec::Claim& claim) {
  if (redo_keys.empty()) return;
  Pending& p = pending_[partition];
  take_ops(p, std::move(ops));
  for (auto& k : redo_keys) p.redo_keys.push_back(std::move(k));
  if (p.uncovered_from < 0 || first_offset < p.uncovered_from) {
    p.uncovered_from = first_offset;
    p.uncovered_claim = claim;
  }
}

void KafkaChangelog::wait_for_acks() {
  for (int64_t waited_ms = 0; in_flight_ > 0; waited_ms += 1000) {
    if (waited_ms >= options_.ack_timeout_ms)
      throw std::runtime_error(fmt::format(
          "changelog: {} records not acknowledged after {} s (is Kafka reachable?), checkpoint "
          "not committed",
          in_flight_, waited_ms / 1000));
    rd_kafka_flush(producer_.get(), 1000);
    if (in_flight_ > 0)
      spdlog::warn("changelog: {} records not yet acknowledged, waiting", in_flight_);
  }
  if (!first_error_.empty())
    throw std::runtime_error("changelog write failed, checkpoint not committed: " + first_error_);
}

bool KafkaChangelog::flush(bool wait, std::vector<Position>& positions) {
  if (wait) {
    wait_for_acks();
  } else {
    rd_kafka_poll(producer_.get(), 0);
    if (redo_in_flight_ > 0) return false;
    if (!first_error_.empty())
      throw std::runtime_error("changelog write failed, checkpoint not committed: " + first_error_);
  }
  positions.clear();
  for (int32_t p : appended_) {
    // A window being materialized holds the partition's older uncovered redo records.
    const auto m = materializing(p);
    const Pending& oldest =
        m != materializing_.end() && m->window.uncovered_from >= 0 ? m->window : pending_[p];
    positions.push_back(
        {p, acked_end_[p], oldest.uncovered_from, claims_[p], oldest.uncovered_claim});
  }
  appended_.clear();
  return true;
}

// Over the byte budget, the largest windows start until an eighth of the budget is left in
// windows not yet started; past the interval, every window that is due. step() paces them.
void KafkaChangelog::committed() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::pair<int32_t, Pending*>> waiting;
  for (auto& [partition, p] : pending_)
    if (!p.ops.empty() && materializing(partition) == materializing_.end())
      waiting.emplace_back(partition, &p);
  if (pending_bytes_ >= options_.buffer_bytes) {
    std::sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
      return std::tie(b.second->bytes, a.first) < std::tie(a.second->bytes, b.first);
    });
    size_t started = 0;
    for (const Materializing& m : materializing_) started += m.window.bytes;
    for (auto& [partition, p] : waiting) {
      if (pending_bytes_ - started < options_.buffer_bytes - options_.buffer_bytes / 8) break;
      started += p->bytes;
      start_materializing(partition);
    }
  }
  std::sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->since, a.first) < std::tie(b.second->since, b.first);
  });
  for (auto& [partition, p] : waiting) {
    if (p->ops.empty()) continue;  // started above
    if (now - p->since < std::chrono::milliseconds(options_.materialize_interval_ms)) break;
    start_materializing(partition);
  }
}

void KafkaChangelog::step() {
  if (materializing_.empty()) return;
  const int64_t slice_us = options_.slice_us * (pending_bytes_ >= options_.buffer_bytes ? 10 : 1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(slice_us);
  while (!materializing_.empty() && write_values(materializing_.front(), deadline))
    materializing_.pop_front();
}

size_t KafkaChangelog::KeyHash::operator()(const Key& k) const noexcept {
  return XXH3_64bits_withSeed(k.key.data(), k.key.size(), static_cast<uint64_t>(k.family));
}

void KafkaChangelog::start_materializing(int32_t partition) {
  auto it = pending_.find(partition);
  if (it == pending_.end() || it->second.ops.empty() ||
      materializing(partition) != materializing_.end())
    return;
  // The values point into the ops' strings, whose buffers the move keeps where they are.
  Materializing& m =
      materializing_.emplace_back(Materializing{partition, std::move(it->second), {}});
  m.next = m.window.values.cbegin();
  it->second = Pending{};
}

std::list<KafkaChangelog::Materializing>::iterator KafkaChangelog::materializing(
    int32_t partition) {
  return std::find_if(materializing_.begin(), materializing_.end(),
                      [&](const Materializing& m) { return m.partition == partition; });
}

bool KafkaChangelog::write_values(Materializing& m,
                                  std::chrono::steady_clock::time_point deadline) {
  const Pending& newer = pending_[m.partition];
  for (size_t n = 0; m.next != m.window.values.cend(); ++m.next, ++n) {
    if (n % 64 == 63 && std::chrono::steady_clock::now() >= deadline) return false;
    const auto& [k, v] = *m.next;
    if (newer.values.contains(k)) continue;
    changelog::state_key(scratch_key_, k.family, k.key);
    if (v.value) {
      changelog::state_value(scratch_value_, *v.value);
      produce(m.partition, scratch_key_, &scratch_value_);
      ++stats_.state_records;
    } else {
      produce(m.partition, scratch_key_, nullptr);
      ++stats_.tombstones;
    }
  }
  for (const auto& key : m.window.redo_keys) produce(m.partition, key, nullptr);
  stats_.tombstones += static_cast<int64_t>(m.window.redo_keys.size());
  pending_bytes_ -= m.window.bytes;
  return true;
}

void KafkaChangelog::release(int32_t partition) {
  // The one in progress first (it skips what the newer window holds), then that window.
  for (int round = 0; round < 2; ++round) {
    if (round == 1) start_materializing(partition);
    const auto it = materializing(partition);
    if (it == materializing_.end()) continue;
    write_values(*it, std::chrono::steady_clock::time_point::max());
    materializing_.erase(it);
  }
  pending_.erase(partition);
  wait_for_acks();
  acked_end_.erase(partition);
  claims_.erase(partition);
}

void KafkaChangelog::discard(int32_t partition) {
  if (auto it = pending_.find(partition); it != pending_.end()) {
    pending_bytes_ -= it->second.bytes;
    pending_.erase(it);
  }
  if (const auto it = materializing(partition); it != materializing_.end()) {
    pending_bytes_ -= it->window.bytes;
    materializing_.erase(it);
  }
  acked_end_.erase(partition);
  claims_.erase(partition);
}

int64_t KafkaChangelog::seed(int32_t partition, Store& store) {
  std::string prefix, key, value;
  codec::put_partition(prefix, partition);
  for (const FamilyInfo& f : kFamilies) {
    if (!f.mirrored) continue;
    std::unique_ptr<rocksdb::Iterator> it(
        store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(f.id)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      changelog::state_key(key, f.id, it->key().ToStringView());
      changelog::state_value(value, it->value().ToStringView());
      produce(partition, key, &value);
      ++stats_.state_records;
    }
    if (!it->status().ok())
      throw std::runtime_error("changelog seed: reading the state: " + it->status().ToString());
  }
  wait_for_acks();
  return acked_end_[partition];
}

void KafkaChangelog::tombstone(int32_t partition, const std::vector<std::string>& keys) {
  for (const auto& key : keys) produce(partition, key, nullptr);
  stats_.tombstones += static_cast<int64_t>(keys.size());
}

}  // namespace engaged
