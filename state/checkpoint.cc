// Exactly-once, in five steps (the order of Quix Streams' checkpoint):
//   1. collect writes:   changed users, changed day and cohort rows, the new outbox entries
//                        (program records, nudges) and the next input offset of every partition
//                        that moved, into one ChangeBatch, a few partitions at a time (`run`
//                        processes in between: see Checkpoint in checkpoint.h);
//   2. flush sinks:      the dead letters sent until a partition's writes were collected are
//                        acknowledged by their destination (without blocking while `run` goes on);
//   3. produce changelog: then that partition's writes go out as its redo record
//                        (state/changelog_record.h): no restore can resume past a dead letter
//                        that could still be lost;
//   4. flush changelog:  Kafka acknowledged them: from here the checkpoint exists on the
//                        changelog, and a restore on any instance reproduces it;
//   5. commit locally:   the same writes plus each partition's changelog position in ONE RocksDB
//                        WriteBatch, so state, input position, changelog position and what the
//                        state decided can never disagree.
// Each partition writes its own changes (CheckpointedPartition: processors/runtime/
// partition_writes.cc); this file knows no table.
// After a crash the partition resumes from its local state, or from the changelog when that is
// further on (a crash between steps 4 and 5) or the disk is gone; either holds the input offset
// the state was built from, so every event is applied exactly once. A dead letter may be sent
// twice (at-least-once), never lost. An outbox entry is deleted only once its destination
// acknowledged it, so a decided nudge may be sent twice, never lost: sent after the commit, or
// (processing.send_outputs=on_decision) as soon as decided, then stored here all the same until
// acknowledged; a crash before the commit decides it again, the same bytes under the same key.
#include "state/checkpoint.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "state/codec.h"
#include "state/store.h"

namespace engaged {

Checkpoint::Checkpoint(Store& store, std::span<CheckpointedPartition* const> partitions,
                       SideOutput& side_outputs, const CheckpointOptions& options,
                       CheckpointExtras extras)
    : store_(store),
      partitions_(partitions.begin(), partitions.end()),
      side_outputs_(side_outputs),
      options_(options),
      extras_(std::move(extras)),
      batch_(store, options.changelog != nullptr,
             options.reuse ? std::move(*options.reuse) : rocksdb::WriteBatch()) {
  for (std::string& key : extras_.delivered)
    delivered_[codec::partition_of(key)].push_back(std::move(key));
  extras_.delivered.clear();
}

void Checkpoint::hold_ops(ChangeBatch& batch) {
  if (!options_.changelog || batch.ops().empty()) return;
  Held held{side_outputs_.mark(), {}};
  for (auto& [partition, ops] : batch.ops()) held.ops.emplace_back(partition, std::move(ops));
  batch.clear_ops();
  held_.push_back(std::move(held));
}

bool Checkpoint::send_acknowledged(bool wait) {
  // Without `wait`, for about kSendSlice per call: an append copies and indexes its partition's
  // ops, and a second of input at 100 k events/s held the run loop for 15-50 ms at once.
  constexpr auto kSendSlice = std::chrono::milliseconds(3);
  const auto start = std::chrono::steady_clock::now();
  while (!held_.empty() && side_outputs_.acknowledged(held_.front().side_mark, wait)) {
    Held& held = held_.front();
    while (held.next < held.ops.size()) {
      auto& [partition, ops] = held.ops[held.next++];
      options_.changelog->append(partition, ops);
      if (!wait && std::chrono::steady_clock::now() - start >= kSendSlice) return false;
    }
    held_.pop_front();
  }
  return held_.empty();
}

void Checkpoint::delete_delivered(ChangeBatch& batch, int32_t partition) {
  // An entry sent as soon as it was decided may be acknowledged before the checkpoint that
  // stores it: its delete follows its put.
  auto del = [&](auto it) {
    for (const std::string& key : it->second) batch.del(Family::kOutbox, key);
    delivered_.erase(it);
  };
  if (partition != -1) {
    if (auto it = delivered_.find(partition); it != delivered_.end()) del(it);
    return;
  }
  while (!delivered_.empty()) del(delivered_.begin());
}

bool Checkpoint::collect(size_t n) {
  if (collected_) return true;
  const size_t end = std::min(partitions_.size(), next_ + std::max<size_t>(n, 1));
  if (options_.parallel && end - next_ > 1) {
    const size_t first = parts_.size();
    for (size_t i = next_; i < end; ++i) parts_.emplace_back(store_, options_.changelog != nullptr);
    std::vector<CheckpointResult> results(end - next_);
    options_.parallel(end - next_, [&](size_t i) {
      CheckpointedPartition* p = partitions_[next_ + i];
      if (p->dirty()) p->write_changes(parts_[first + i], store_, results[i]);
      results[i].watermarks.push_back(p->watermark());
    });
    for (size_t i = 0; i < results.size(); ++i) {
      ChangeBatch& part = parts_[first + i];
      delete_delivered(part, partitions_[next_ + i]->partition());
      hold_ops(part);
      for (auto& entry : results[i].outbox) result_.outbox.push_back(std::move(entry));
      result_.watermarks.push_back(results[i].watermarks.front());
    }
  } else {
    for (size_t i = next_; i < end; ++i) {
      CheckpointedPartition* p = partitions_[i];
      if (p->dirty()) p->write_changes(batch_, store_, result_);
      result_.watermarks.push_back(p->watermark());
      delete_delivered(batch_, p->partition());
      hold_ops(batch_);
    }
  }
  next_ = end;
  if (next_ < partitions_.size()) {
    send_acknowledged(false);
    return false;
  }
  if (!parts_.empty()) batch_.append(parts_);
  parts_.clear();
  if (extras_.add) extras_.add(batch_, result_);
  delete_delivered(batch_, -1);
  hold_ops(batch_);
  // Every dead letter of the input collected was sent by now.
  side_mark_ = side_outputs_.mark();
  collected_ = true;
  send_acknowledged(false);
  return true;
}

bool Checkpoint::commit(bool wait) {
  if (!prepare_commit(wait)) return false;
  write();
  committed();
  return true;
}

bool Checkpoint::prepare_commit(bool wait) {
  if (!collected_) {
    if (!wait) return false;
    collect(partitions_.size());
  }
  if (!send_acknowledged(wait) || !side_outputs_.acknowledged(side_mark_, wait)) return false;
  if (options_.changelog) {
    std::vector<ChangelogSink::Position> positions;
    if (!options_.changelog->flush(wait, positions)) return false;
    std::string key, value;
    for (const ChangelogSink::Position& p : positions) {
      codec::put_partition(key, p.partition);
      codec::encode_changelog_position(value, {.next_offset = p.next_offset,
                                               .written_ms = options_.wall_clock_ms,
                                               .uncovered_from = p.uncovered_from,
                                               .claim = p.claim,
                                               .uncovered_claim = p.uncovered_claim});
      batch_.put(Family::kChangelog, key, value);
    }
  }
  result_.batch_bytes = batch_.data_size();
  return true;
}

void Checkpoint::write() {
  store_.write(batch_.write_batch());
}

void Checkpoint::committed() {
  for (auto* p : partitions_) p->committed();
  if (options_.changelog) options_.changelog->committed();
}

}  // namespace engaged
