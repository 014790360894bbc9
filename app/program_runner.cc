// Program state lives in the `program` column family under four keys: state, merge, nudge_seq
// and offset. The whole state is rewritten when it changed (it is small: mentors, open matches,
// recent recipients).
#include "app/program_runner.h"

#include <spdlog/spdlog.h>

#include "app/metrics.h"
#include "state/codec.h"
#include "state/program_codec.h"
#include "state/store.h"

namespace engaged {
namespace {

constexpr std::string_view kStateKey = "state", kMergeKey = "merge", kSeqKey = "nudge_seq",
                           kOffsetKey = "offset";

}  // namespace

ProgramRunner::ProgramRunner(const Config& config, Store& store, Metrics* metrics, int sources)
    : store_(store),
      metrics_(metrics),
      stage_(
          program_stage_config(config),
          [](const std::string& name) { return TimeZone::load(name); },
          TimeZone::load(config.timezone), sources) {
  if (auto v = store.get_program(kStateKey)) {
    auto s = codec::decode_program_state(*v);
    if (!s) throw std::runtime_error("corrupt program state in store");
    stage_.state() = std::move(*s);
    rebuild_indexes(stage_.state());
  }
  if (auto v = store.get_program(kMergeKey)) {
    auto m = codec::decode_merge_state(*v);
    if (!m) throw std::runtime_error("corrupt program merge state in store");
    stage_.merge().state() = std::move(*m);
  }
  if (auto v = store.get_program(kSeqKey)) next_nudge_seq_ = codec::decode_i64(*v).value_or(0);
  if (auto v = store.get_program(kOffsetKey)) next_offset_ = codec::decode_i64(*v).value_or(0);
}

bool ProgramRunner::add(std::string_view payload) {
  auto e = codec::decode_envelope(payload);
  if (!e) return false;
  if (!stage_.merge().add(std::move(*e)))
    spdlog::debug("program record from partition {} seq {} skipped (already taken)", e->source,
                  e->seq);
  changed_ = true;
  return true;
}

void ProgramRunner::run() {
  PolicyOutput out;
  ProgramEffects fx;
  if (stage_.run(out, fx) == 0) return;
  changed_ = true;
  for (auto& n : out.nudges) nudges_.push_back(std::move(n));
  if (metrics_) metrics_->count_program(out, fx);
}

void ProgramRunner::write(rocksdb::WriteBatch& batch, CheckpointResult& result) {
  if (!changed_) return;
  std::string key, value;
  for (const Nudge& n : nudges_) {
    codec::outbox_key(key, codec::kProgramPartition, next_nudge_seq_++);
    codec::OutboxEntry entry{codec::OutboxSink::kNudges, n.recipient, nudge_json(n)};
    codec::encode_outbox(value, entry);
    batch.Put(store_.outbox(), key, value);
    result.outbox.emplace_back(key, std::move(entry));
  }
  nudges_.clear();
  codec::encode_program_state(value, stage_.state());
  batch.Put(store_.program(), kStateKey, value);
  codec::encode_merge_state(value, stage_.merge().state());
  batch.Put(store_.program(), kMergeKey, value);
  codec::encode_i64(value, static_cast<int64_t>(next_nudge_seq_));
  batch.Put(store_.program(), kSeqKey, value);
  codec::encode_i64(value, next_offset_);
  batch.Put(store_.program(), kOffsetKey, value);
  changed_ = false;
  if (metrics_) metrics_->publish_program(stage_.state(), stage_.merge().pending());
}

}  // namespace engaged
