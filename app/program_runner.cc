// The stage's nudges are numbered in decision order; an outbox entry holds those decided between
// two sends (its key: program partition | the first one's number).
#include "app/program_runner.h"

#include <spdlog/spdlog.h>

#include "app/metrics.h"
#include "app/zone_files.h"
#include "processors/program/program_codec.h"
#include "sinks/nudge_json.h"
#include "state/change_batch.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {

ProgramRunner::ProgramRunner(const Config& config, Store& store, Metrics* metrics, int sources)
    : metrics_(metrics),
      stage_(program_stage_config(config), load_zone_table(), load_time_zone(config.timezone),
             sources) {
  counters_ = program_store::load(store, stage_);
  position_ = counters_.next_offset;
  if (metrics_) metrics_->publish_program(stage_.state(), stage_.merge().pending());
}

bool ProgramRunner::add(std::string_view payload, int64_t input_offset) {
  auto e = codec::decode_envelope(payload);
  if (!e) return false;
  e->input_offset = input_offset;
  const auto source = stage_.merge().state().find(e->source);
  const uint64_t expected = source == stage_.merge().state().end() ? 0 : source->second.next_seq;
  const int32_t from = e->source;
  const uint64_t seq = e->seq;
  const bool data = !e->watermark;
  if (!stage_.merge().add(std::move(*e)) && data) {
    if (seq > expected && gap_reported_.insert({from, expected}).second)
      spdlog::error(
          "program records from partition {} skipped from seq {} on: seq {} was never received "
          "(is the program topic shared with another consumer group?)",
          from, seq, expected);
    else
      spdlog::debug("program record from partition {} seq {} skipped (already taken)", from, seq);
  }
  changed_ = true;
  return true;
}

bool ProgramRunner::pending(std::string_view payload) const {
  const auto e = codec::decode_envelope(payload);
  return e && !e->watermark && stage_.merge().pending_envelope(e->source, e->seq);
}

void ProgramRunner::run() {
  PolicyOutput out;
  ProgramEffects fx;
  if (stage_.run(out, fx) == 0) return;
  changed_ = true;
  for (const Nudge& n : out.nudges)
    nudges_.add(counters_.next_nudge_seq++, n.recipient, nudge_json(n));
  if (metrics_) metrics_->count_program(out, fx);
}

void ProgramRunner::write(ChangeBatch& batch, CheckpointResult& result) {
  // Nothing stored may be ready to release: a restore re-reads the pending envelopes one by one,
  // and must not release one before an earlier one is back.
  run();
  if (!changed_) return;
  nudges_.write(batch, result.outbox);
  counters_.next_offset = stage_.merge().resume_offset().value_or(position_);
  program_store::write_changes(batch, stage_, counters_);
  changed_ = false;
  if (metrics_) metrics_->publish_program(stage_.state(), stage_.merge().pending());
}

}  // namespace engaged
