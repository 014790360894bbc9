// Where each message of a partition's (or the program stage's) outbox goes: into the open entry,
// or a new one after a send or past the size bound (outbox_buffer.h).
#include "state/outbox_buffer.h"

namespace engaged {

void OutboxBuffer::add(uint64_t seq, std::string_view key, std::string_view payload) {
  if (sent_ == entries_.size() ||
      entries_.back().second.value().size() + key.size() + payload.size() > kEntryBytes) {
    std::string store_key;
    codec::outbox_key(store_key, partition_, seq);
    entries_.emplace_back(std::move(store_key), codec::OutboxEntry(sink_));
  }
  entries_.back().second.add(key, payload);
}

void OutboxBuffer::write(ChangeBatch& batch, std::vector<Entry>& unsent) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    batch.put(Family::kOutbox, entries_[i].first, entries_[i].second.value());
    if (i >= sent_) unsent.push_back(std::move(entries_[i]));
  }
  entries_.clear();
  sent_ = 0;
}

}  // namespace engaged
