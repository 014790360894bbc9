// Key = program partition (4) | kind (1) | id. Ids that are strings go in raw (the kind byte and
// the fixed prefix delimit them); composite ids are length-prefixed or fixed-width.
#include "processors/program/program_store.h"

#include <rocksdb/db.h>

#include <memory>
#include <stdexcept>

#include "processors/program/program_codec.h"
#include "state/byte_io.h"
#include "state/change_batch.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged::program_store {
namespace {

enum Kind : char {
  kMentor = 'M',
  kMatch = 'A',
  kWaiting = 'W',
  kBlock = 'B',
  kReporters = 'R',
  kHoldout = 'H',
  kTimer = 'T',
  kRecipient = 'P',
  kDeferred = 'D',
  kMergeSource = 'S',
  kEnvelope = 'E',
  kNow = 'N',
  kNudgeSeq = 'Q',
  kOffset = 'O',
};

using codec::put_be64;
uint64_t get_be64(std::string_view s) {
  return codec::get_be64(s.data());
}
uint64_t biased(int64_t v) {
  return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
}
int64_t unbiased(uint64_t v) {
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

std::string key(Kind kind, std::string_view id = {}) {
  std::string k;
  codec::put_partition(k, codec::kProgramPartition);
  k.push_back(kind);
  k.append(id);
  return k;
}

std::string block_id(const std::pair<std::string, std::string>& b) {
  std::string id;
  codec::put_string(id, b.first);
  id.append(b.second);
  return id;
}

std::string timer_id(const TimerKey& t) {
  std::string id;
  put_be64(id, biased(t.due_ms));
  id.push_back(static_cast<char>(t.kind));
  put_be64(id, biased(t.token));
  id.append(t.user);
  return id;
}

std::string deferred_id(const std::pair<int64_t, std::string>& k) {
  std::string id;
  put_be64(id, biased(k.first));
  id.append(k.second);
  return id;
}

std::string envelope_id(int32_t source, uint64_t seq) {
  std::string id;
  codec::put_be32(id, static_cast<uint32_t>(source));
  put_be64(id, seq);
  return id;
}

template <typename T>
T need(std::optional<T> v, std::string_view what) {
  if (!v) throw std::runtime_error("corrupt program record in state: " + std::string(what));
  return std::move(*v);
}

// Writes every changed key of a tracked map: its current value (an insert if it is new), or a
// delete.
template <typename Map, typename Id, typename Encode>
void write_map(ChangeBatch& batch, Map& map, Kind kind, Id&& id, Encode&& encode) {
  std::string value;
  const auto& view = map;
  for (const auto& [k, was_stored] : map.take_changed()) {
    const std::string store_key = key(kind, id(k));
    if (auto it = view.find(k); it != view.end()) {
      encode(value, it->second);
      if (was_stored)
        batch.put(Family::kProgram, store_key, value);
      else
        batch.insert(Family::kProgram, store_key, value);
    } else {
      batch.del(Family::kProgram, store_key);
    }
  }
}

template <typename Set, typename Id>
void write_set(ChangeBatch& batch, Set& set, Kind kind, Id&& id) {
  std::string member;
  codec::encode_member(member);
  for (const auto& [k, was_stored] : set.take_changed()) {
    const std::string store_key = key(kind, id(k));
    if (!set.count(k))
      batch.del(Family::kProgram, store_key);
    else if (!was_stored)  // present then and now: the stored (empty) record is unchanged
      batch.insert(Family::kProgram, store_key, member);
  }
}

std::optional<std::string> read(Store& store, Kind kind, std::string_view id) {
  return store.get(Family::kProgram, key(kind, id));
}

}  // namespace

Counters load(Store& store, ProgramStage& stage) {
  for (std::string_view legacy : {"state", "merge"})
    if (store.get(Family::kProgram, legacy))
      throw std::runtime_error(
          "the state holds the mentor program in the layout of engaged 0.1 (one record); this "
          "version keeps it per key and cannot convert it: rebuild the state with `engaged "
          "replay` of the events");
  ProgramState& s = stage.state();
  auto& merge = stage.merge().state();
  Counters counters;
  const std::string prefix = key(Kind(0)).substr(0, 4);
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Family::kProgram)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string_view k = it->key().ToStringView();
    const std::string_view v = it->value().ToStringView();
    if (k.size() < 5) throw std::runtime_error("corrupt program key in state");
    const std::string_view id = k.substr(5);
    switch (k[4]) {
      case kMentor:
        s.mentors.unmarked().emplace(id, need(codec::decode_mentor(v), "mentor"));
        break;
      case kMatch:
        s.matches.unmarked().emplace(id, need(codec::decode_match(v), "match"));
        break;
      case kWaiting:
        s.waiting.unmarked().emplace(id, need(codec::decode_waiting(v), "waiting"));
        break;
      case kBlock: {
        codec::Reader r(id);
        std::string a = r.string(1 << 20);
        if (!r.ok()) throw std::runtime_error("corrupt program block key in state");
        s.blocks.unmarked().emplace(std::move(a), std::string(id.substr(r.position())));
        break;
      }
      case kReporters:
        s.reporters.unmarked().emplace(id, need(codec::decode_ids(v), "reporters"));
        break;
      case kHoldout:
        s.holdout_decided.unmarked().emplace(id, need(codec::decode_time(v), "holdout"));
        break;
      case kTimer:
        if (id.size() < 17) throw std::runtime_error("corrupt program timer key in state");
        s.timers.unmarked().insert({unbiased(get_be64(id)), static_cast<ProgramTimer>(id[8]),
                                    std::string(id.substr(17)), unbiased(get_be64(id.substr(9)))});
        break;
      case kRecipient:
        s.policy.recipients.unmarked().emplace(id, need(codec::decode_recipient(v), "recipient"));
        break;
      case kDeferred: {
        if (id.size() < 8) throw std::runtime_error("corrupt deferred nudge key in state");
        s.policy.deferred.unmarked().emplace(
            std::make_pair(unbiased(get_be64(id)), std::string(id.substr(8))),
            need(codec::decode_nudge(v), "deferred nudge"));
        break;
      }
      case kMergeSource: {
        if (id.size() != 4) throw std::runtime_error("corrupt merge source key in state");
        MergeSource loaded = need(codec::decode_merge_source(v), "merge source");
        MergeSource& source = merge[static_cast<int32_t>(codec::get_be32(id.data()))];
        source.next_seq = loaded.next_seq;
        source.watermark = loaded.watermark;
        break;
      }
      case kEnvelope: {  // held in the store (written before pending envelopes were re-read);
                         // in (source, seq) order, after their source's record
        ProgramEnvelope e = need(codec::decode_envelope(v), "pending program record");
        merge[e.source].pending.push_back(std::move(e));
        break;
      }
      case kNow:
        s.now_ms = need(codec::decode_time(v), "program time");
        break;
      case kNudgeSeq:
        counters.next_nudge_seq = static_cast<uint64_t>(need(codec::decode_time(v), "nudge seq"));
        break;
      case kOffset:
        counters.next_offset = need(codec::decode_time(v), "program topic offset");
        break;
      default:
        throw std::runtime_error(
            "unknown program record kind in state (written by a newer "
            "engaged?)");
    }
  }
  if (!it->status().ok())
    throw std::runtime_error("read program state: " + it->status().ToString());
  rebuild_indexes(s);
  return counters;
}

void write_changes(ChangeBatch& batch, ProgramStage& stage, const Counters& counters) {
  ProgramState& s = stage.state();
  auto same = [](const std::string& id) -> const std::string& { return id; };
  write_map(batch, s.mentors, kMentor, same, codec::encode_mentor);
  write_map(batch, s.matches, kMatch, same, codec::encode_match);
  write_map(batch, s.waiting, kWaiting, same, codec::encode_waiting);
  write_set(batch, s.blocks, kBlock, block_id);
  write_map(batch, s.reporters, kReporters, same, codec::encode_ids);
  write_map(batch, s.holdout_decided, kHoldout, same, codec::encode_time);
  write_set(batch, s.timers, kTimer, timer_id);
  write_map(batch, s.policy.recipients, kRecipient, same, codec::encode_recipient);
  write_map(batch, s.policy.deferred, kDeferred, deferred_id, codec::encode_nudge);
  ProgramMerge& merge = stage.merge();
  const ProgramMerge::Changes changes = merge.take_changes();
  std::string value;
  for (int32_t source : changes.sources) {
    // Its pending envelopes are not stored: they are read again from resume_seq on.
    MergeSource stored{merge.resume_seq(source), merge.state().at(source).watermark, {}};
    codec::encode_merge_source(value, stored);
    std::string id;
    codec::put_be32(id, static_cast<uint32_t>(source));
    batch.put(Family::kProgram, key(kMergeSource, id), value);
  }
  for (const auto& [source, seq] : changes.released_from_store)
    batch.del(Family::kProgram, key(kEnvelope, envelope_id(source, seq)));
  codec::encode_time(value, s.now_ms);
  batch.put(Family::kProgram, key(kNow), value);
  codec::encode_time(value, static_cast<int64_t>(counters.next_nudge_seq));
  batch.put(Family::kProgram, key(kNudgeSeq), value);
  codec::encode_time(value, counters.next_offset);
  batch.put(Family::kProgram, key(kOffset), value);
}

std::optional<Mentor> mentor(Store& store, std::string_view id) {
  auto v = read(store, kMentor, id);
  return v ? std::optional(need(codec::decode_mentor(*v), "mentor")) : std::nullopt;
}

std::optional<Match> match(Store& store, std::string_view mentee) {
  auto v = read(store, kMatch, mentee);
  return v ? std::optional(need(codec::decode_match(*v), "match")) : std::nullopt;
}

std::optional<Waiting> waiting(Store& store, std::string_view mentee) {
  auto v = read(store, kWaiting, mentee);
  return v ? std::optional(need(codec::decode_waiting(*v), "waiting")) : std::nullopt;
}

std::optional<RecipientPolicy> recipient(Store& store, std::string_view id) {
  auto v = read(store, kRecipient, id);
  return v ? std::optional(need(codec::decode_recipient(*v), "recipient")) : std::nullopt;
}

}  // namespace engaged::program_store
