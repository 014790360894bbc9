// Exactly-once, in five steps (the order of Quix Streams' checkpoint):
//   1. flush sinks:      dead letters produced so far are acknowledged by their destination;
//   2. collect writes:   changed users, changed day and cohort rows, the new outbox entries
//                        (program records, nudges) and the next input offset of every partition
//                        that moved, in one ChangeBatch;
//   3. produce changelog: each partition's writes as its redo record (state/changelog_record.h);
//   4. flush changelog:  Kafka acknowledged them: from here the checkpoint exists on the
//                        changelog, and a restore on any instance reproduces it (`run` goes on
//                        processing meanwhile: see Checkpoint in checkpoint.h);
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

#include <string>
#include <vector>

#include "state/codec.h"
#include "state/store.h"

namespace engaged {

Checkpoint::Checkpoint(Store& store, std::span<CheckpointedPartition* const> partitions,
                       const std::function<void()>& flush_sinks, const CheckpointOptions& options,
                       CheckpointExtras* extras)
    : store_(store),
      partitions_(partitions.begin(), partitions.end()),
      options_(options),
      batch_(store, options.changelog != nullptr,
             options.reuse ? std::move(*options.reuse) : rocksdb::WriteBatch()) {
  flush_sinks();
  if (options.parallel && partitions_.size() > 1) {
    std::vector<ChangeBatch> parts;
    parts.reserve(partitions_.size());
    for (size_t i = 0; i < partitions_.size(); ++i)
      parts.emplace_back(store, options.changelog != nullptr);
    std::vector<CheckpointResult> results(partitions_.size());
    options.parallel(partitions_.size(), [&](size_t i) {
      if (partitions_[i]->dirty()) partitions_[i]->write_changes(parts[i], store, results[i]);
    });
    batch_.append(parts);
    for (auto& r : results)
      for (auto& entry : r.outbox) result_.outbox.push_back(std::move(entry));
  } else {
    for (auto* p : partitions_)
      if (p->dirty()) p->write_changes(batch_, store, result_);
  }
  for (auto* p : partitions_) result_.watermarks.push_back(p->watermark());
  if (extras) {
    if (extras->add) extras->add(batch_, result_);
    // Last: an entry sent as soon as it was decided may be acknowledged before the checkpoint
    // that stores it; then its delete follows its put in this batch.
    for (const auto& key : extras->delivered) batch_.del(Family::kOutbox, key);
    extras->delivered.clear();
  }
  if (options.changelog)
    for (auto& [partition, ops] : batch_.ops()) options.changelog->append(partition, ops);
}

bool Checkpoint::commit(bool wait) {
  if (!prepare_commit(wait)) return false;
  write();
  committed();
  return true;
}

bool Checkpoint::prepare_commit(bool wait) {
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
