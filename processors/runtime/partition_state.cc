// Cache lookups use heterogeneous string_view keys: a hit costs one hash and no allocation.
#include "processors/runtime/partition_state.h"

#include <xxhash.h>

#include <algorithm>

#include "processors/program/program_codec.h"
#include "processors/runtime/partition_store.h"
#include "state/store.h"

namespace engaged {

size_t StringHash::operator()(std::string_view s) const noexcept {
  return XXH3_64bits(s.data(), s.size());
}

PartitionState::PartitionState(int32_t partition, Store& store, PartitionOptions options,
                               std::span<const StoreSpec> stores)
    : partition_(partition),
      store_(store),
      options_(options),
      program_outbox_(partition, codec::OutboxSink::kProgram),
      program_key_(std::to_string(partition)) {
  for (const StoreSpec& spec : stores) {
    if (stores_.size() <= spec.id) stores_.resize(spec.id + 1);
    stores_[spec.id] = spec.make();
    stores_[spec.id]->restore(store, partition);
  }
  StoredPartition stored = load_partition(store, partition);
  has_checkpoint_ = stored.next_offset.has_value();
  next_offset_ = checkpointed_offset_ = stored.next_offset.value_or(0);
  if (stored.meta_found) {
    dedupe_horizon_ = stored.dedupe_horizon_ms;
    session_horizon_ = stored.session_horizon_ms;
  }
  aggregates_ = std::move(stored.aggregates);
  next_program_seq_ = stored.next_program_seq;
  clock_hour_ = stored.clock_hour;
}

CachedUser& PartitionState::user(std::string_view user_id, uint32_t epoch) {
  auto it = users_.find(user_id);
  if (it == users_.end()) {
    CachedUser fresh;
    // A user deleted since the last checkpoint starts afresh, not from their stored record.
    if (!erased(user_id)) read_user(store_, partition_, user_id, fresh.activity, fresh.profile);
    fresh.stored_timer_ms = fresh.profile.risk.timer_ms;
    it = users_.emplace(std::string(user_id), std::move(fresh)).first;
    loaded(it);
  }
  it->second.touched_epoch = epoch;
  mark_changed(*it);
  return it->second;
}

CachedUser* PartitionState::existing_user(std::string_view user_id, uint32_t epoch) {
  auto it = users_.find(user_id);
  if (it == users_.end()) {
    if (erased(user_id)) return nullptr;
    CachedUser fresh;
    if (!read_user(store_, partition_, user_id, fresh.activity, fresh.profile)) return nullptr;
    fresh.stored_timer_ms = fresh.profile.risk.timer_ms;
    it = users_.emplace(std::string(user_id), std::move(fresh)).first;
    loaded(it);
  }
  it->second.touched_epoch = epoch;
  mark_changed(*it);
  return &it->second;
}

void PartitionState::loaded(UserCache::iterator it) {
  it->second.bytes = static_cast<uint32_t>(cached_user_bytes(it->first, it->second));
  cache_bytes_ += it->second.bytes;
}

void PartitionState::erase_user(std::string_view user_id) {
  if (auto it = users_.find(user_id); it != users_.end()) {
    std::erase_if(new_timers_, [&](const NewTimer& t) { return t.user == &it->first; });
    if (it->second.changed) std::erase(changed_users_, &*it);
    if (it->second.stored_timer_ms != INT64_MIN)
      erased_timers_.emplace_back(it->second.stored_timer_ms, user_id);
    cache_bytes_ -= it->second.bytes;
    users_.erase(it);
  }
  erased_.emplace_back(user_id, generation_);
}

bool PartitionState::erased(std::string_view user_id) const {
  return std::any_of(erased_.begin(), erased_.end(),
                     [&](const auto& e) { return e.first == user_id; });
}

std::vector<std::string> PartitionState::erased_since_checkpoint() const {
  std::vector<std::string> out;
  for (const auto& [id, generation] : erased_)
    if (generation == generation_) out.push_back(id);
  return out;
}

void PartitionState::committed() {
  std::erase_if(erased_, [&](const auto& e) { return e.second < generation_; });
  std::erase_if(new_timers_, [&](const NewTimer& t) { return t.generation < generation_; });
}

void PartitionState::emit(ProgramRecord record) {
  const ProgramEnvelope e{partition_, next_program_seq_++, aggregates_.stream_time_ms, false,
                          std::move(record)};
  codec::encode_envelope(envelope_, e);
  program_outbox_.add(e.seq, program_key_, envelope_);
}

void PartitionState::timer_set(std::string_view user_id, int64_t due_ms) {
  if (due_ms == INT64_MIN) return;
  if (auto it = users_.find(user_id); it != users_.end())
    new_timers_.push_back({due_ms, &it->first, generation_});
}

std::vector<std::pair<int64_t, std::string>> PartitionState::due_timers(int64_t until) {
  const int64_t from = timers_scanned_until_ == INT64_MIN ? INT64_MIN : timers_scanned_until_ + 1;
  std::vector<std::pair<int64_t, std::string>> out = store_.due_timers(partition_, from, until);
  timers_scanned_until_ = std::max(timers_scanned_until_, until);
  std::erase_if(new_timers_, [&](const NewTimer& t) {
    if (t.due_ms > until) return false;
    out.emplace_back(t.due_ms, *t.user);
    return true;
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace engaged
