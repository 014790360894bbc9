// Applies records to one ChangeBatch that is written every few MiB, and keeps the writes of
// finished redo records until a tombstone says they are covered.
#include "state/changelog_restore.h"

#include <fmt/format.h>

#include <stdexcept>

#include "state/codec.h"
#include "state/format_upgrade.h"
#include "state/store.h"

namespace engaged {
namespace {

constexpr size_t kWriteBytes = 16 << 20;

void put_position(ChangeBatch& batch, int32_t partition, const codec::ChangelogPosition& p) {
  std::string key, value;
  codec::put_partition(key, partition);
  codec::encode_changelog_position(value, p);
  batch.put(Family::kChangelog, key, value);
}

}  // namespace

ChangelogRestore::ChangelogRestore(Store& store, int32_t partition, int64_t from,
                                   int64_t wall_clock_ms, bool standby)
    : store_(store),
      partition_(partition),
      from_(from),
      wall_clock_ms_(wall_clock_ms),
      batch_(store, /*record_ops=*/false) {
  if (from > 0)
    if (const auto position = store_.changelog_position(partition))
      claim_ = position->claim_at(from);
  put_position(batch_, partition_,
               {.next_offset = from,
                .restoring_from = from,
                .released = standby,
                .released_ms = standby ? wall_clock_ms : 0,
                .written_ms = wall_clock_ms,
                .claim = claim_});
  store_.write(batch_.write_batch());
  batch_.write_batch().Clear();
}

void ChangelogRestore::apply(int64_t offset, std::string_view key, const std::string_view* value,
                             uint64_t writer) {
  ++records_;
  bytes_ += static_cast<int64_t>(key.size() + (value ? value->size() : 0));
  const auto rec = changelog::parse(key, value);
  if (!rec)
    throw std::runtime_error(fmt::format(
        "changelog record at offset {} of partition {} cannot be read (malformed, or written by "
        "a newer engaged)",
        offset, partition_));
  if (rec->kind == changelog::Record::kClaim) {
    if (!rec->tombstone && rec->epoch > claim_.epoch) {
      claim_ = {rec->redo.writer, rec->epoch};
      if (collecting_ && redo_.writer != claim_.owner) drop_unfinished();
    }
    return;
  }
  if (claim_.owner != 0 && writer != 0 && writer != claim_.owner) {
    ++fenced_;
    if (rec->kind == changelog::Record::kRedo && !rec->tombstone) unfinished_.emplace_back(key);
    return;
  }
  if (rec->kind == changelog::Record::kState) {
    const std::string_view store_key = rec->op.key;
    if (store_key.size() < 4 || codec::partition_of(store_key) != partition_)
      throw std::runtime_error(fmt::format(
          "changelog record at offset {} belongs to partition {}, not {}: is the topic shared?",
          offset, store_key.size() < 4 ? -1 : codec::partition_of(store_key), partition_));
    if (rec->op.value && rec->before_format3)
      batch_.put(rec->op.family, store_key, upgrade_value(rec->op.family, *rec->op.value, buf_));
    else if (rec->op.value)
      batch_.put(rec->op.family, store_key, *rec->op.value);
    else
      batch_.del(rec->op.family, store_key);
    return;
  }
  if (rec->tombstone) {  // state records cover it now: nothing to take over
    if (auto it = applied_by_key_.find(std::string(key)); it != applied_by_key_.end()) {
      Applied& a = applied_[it->second];
      a.keys.clear();
      a.ops.clear();
      a.ops.shrink_to_fit();
      applied_by_key_.erase(it);
    }
    return;
  }
  const bool continues = collecting_ && rec->redo.writer == redo_.writer &&
                         rec->redo.checkpoint == redo_.checkpoint &&
                         rec->redo.chunk == redo_.chunk + 1;
  if (!continues) {
    drop_unfinished();
    if (rec->redo.chunk != 0) {  // the rest of a record whose start is gone: not applicable
      unfinished_.emplace_back(key);
      return;
    }
    collecting_ = true;
    redo_offset_ = offset;
  }
  redo_ = rec->redo;
  if (rec->before_format3)
    redo_ops_.append(upgrade_ops(rec->ops));
  else
    redo_ops_.append(rec->ops);
  redo_keys_.emplace_back(key);
  if (rec->last) {
    apply_ops(redo_ops_);
    collecting_ = false;
    for (const auto& k : redo_keys_) applied_by_key_[k] = applied_.size();
    applied_.push_back({std::move(redo_keys_), std::move(redo_ops_), redo_offset_, claim_});
    redo_ops_.clear();
    redo_keys_.clear();
  }
}

void ChangelogRestore::apply_ops(std::string_view ops) {
  changelog::OpReader reader(ops);
  changelog::Op op;
  while (reader.next(op)) {
    if (!family_info(op.family).mirrored || op.key.size() < 4 ||
        codec::partition_of(op.key) != partition_)
      throw std::runtime_error(
          fmt::format("changelog redo record of partition {} writes a foreign key", partition_));
    if (op.value)
      batch_.put(op.family, op.key, *op.value);
    else
      batch_.del(op.family, op.key);
  }
  if (!reader.ok())
    throw std::runtime_error(
        fmt::format("changelog redo record of partition {} is malformed", partition_));
}

void ChangelogRestore::drop_unfinished() {
  if (!collecting_) return;
  for (auto& k : redo_keys_) unfinished_.push_back(std::move(k));
  collecting_ = false;
  redo_ops_.clear();
  redo_keys_.clear();
}

void ChangelogRestore::write_if_large() {
  if (batch_.data_size() < kWriteBytes) return;
  store_.write(batch_.write_batch());
  batch_.write_batch().Clear();
}

void ChangelogRestore::save_standby(int64_t next, int64_t wall_clock_ms) {
  const Uncovered u = uncovered();
  put_position(batch_, partition_,
               {.next_offset = collecting_ ? redo_offset_ : next,
                .released = true,
                .released_ms = wall_clock_ms,
                .written_ms = wall_clock_ms,
                .uncovered_from = u.first_offset,
                .claim = claim_,
                .uncovered_claim = u.claim});
  store_.write(batch_.write_batch());
  batch_.write_batch().Clear();
}

ChangelogRestore::Uncovered ChangelogRestore::uncovered() const {
  Uncovered out;
  for (const Applied& a : applied_) {
    if (a.keys.empty()) continue;
    if (out.first_offset < 0) {
      out.first_offset = a.offset;
      out.claim = a.claim;
    }
    out.keys.insert(out.keys.end(), a.keys.begin(), a.keys.end());
    out.ops += a.ops;
  }
  return out;
}

std::vector<std::string> ChangelogRestore::finish(int64_t end) {
  drop_unfinished();
  const Uncovered u = uncovered();
  put_position(batch_, partition_,
               {.next_offset = end,
                .written_ms = wall_clock_ms_,
                .uncovered_from = u.first_offset,
                .claim = claim_,
                .uncovered_claim = u.claim});
  store_.write(batch_.write_batch());
  batch_.write_batch().Clear();
  return std::move(unfinished_);
}

}  // namespace engaged
