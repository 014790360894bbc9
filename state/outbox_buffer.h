// The outbox entries one partition (or the program stage) decided since the last checkpoint. A
// message joins the open entry; sending the unsent entries ahead of the checkpoint
// (processing.send_outputs=on_decision) closes it, and the next message opens another. So there
// is one entry per send, or one per checkpoint when nothing is sent before it (state/codec.h:
// OutboxEntry), unless it grows past kEntryBytes: an entry is one changelog op, which must fit in
// one Kafka message (a backlog's checkpoint decides thousands of nudges).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/change_batch.h"
#include "state/codec.h"

namespace engaged {

class OutboxBuffer {
 public:
  using Entry = std::pair<std::string, codec::OutboxEntry>;  // (store key, entry)
  // A message that would take the open entry past this opens the next one.
  static constexpr size_t kEntryBytes = 64 << 10;

  OutboxBuffer(int32_t partition, codec::OutboxSink sink) : partition_(partition), sink_(sink) {}

  // Message number `seq` (numbers rise by one per message): the entry it opens is keyed by it.
  void add(uint64_t seq, std::string_view key, std::string_view payload);
  // The entries not yet sent ahead of the checkpoint.
  std::span<const Entry> unsent() const { return std::span(entries_).subspan(sent_); }
  // The shell sent every entry: the next message opens a new one.
  void mark_sent() { sent_ = entries_.size(); }
  // Stores every entry in the outbox and hands back the unsent ones (the shell sends them once
  // the checkpoint is committed); then starts empty.
  void write(ChangeBatch& batch, std::vector<Entry>& unsent);

 private:
  int32_t partition_;
  codec::OutboxSink sink_;
  std::vector<Entry> entries_;
  size_t sent_ = 0;  // entries_'s first, sent
};

}  // namespace engaged
