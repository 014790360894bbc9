// What every figure processor is, and what it sees (Kafka Streams' Processor and
// ProcessorContext). The topology (processors/runtime/topology.cc) lists the processors in the
// order an accepted event visits them; the shell (app/stream_task.h) is the only caller.
// A processor is deterministic: everything it reads comes through the context (the event, the
// user before and after the activity processor, the partition's tables and stream time), and
// everything it decides goes back through it (table rows, the user's state, forwarded program
// records, a rescheduled timer). No clock, no I/O.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/program/nudge_kind.h"
#include "processors/program/program_record.h"
#include "processors/runtime/gauge.h"
#include "processors/runtime/report.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"
#include "state/state_store.h"

namespace engaged {

struct PartitionAggregates;

// What processors earlier in the topology learned about the event, for those after them.
struct EventFacts {
  int64_t session_seconds = -1;      // a session_end's session length (SessionProcessor)
  bool key_actions_changed = false;  // the aha key actions changed (AhaProcessor)
};

class ProcessorContext {
 public:
  // The event being processed, and its user (for a timer: no event; see Processor::on_timer).
  const Event& event() const { return *event_; }
  std::string_view user_id() const { return user_id_; }
  const UserActivity& before() const { return *before_; }  // before the activity processor
  UserActivity& activity() { return *activity_; }
  UserProfile& profile() { return *profile_; }
  EventFacts& facts() { return facts_; }

  // The partition's tables and clock.
  PartitionAggregates& tables() { return *tables_; }
  const TimeZone& time_zone() const { return *tz_; }
  int64_t stream_time_ms() const { return stream_time_ms_; }
  // Days before the horizon's can no longer receive events: their figures are final.
  int64_t horizon_ms() const { return stream_time_ms_ - allowed_lateness_ms_; }
  NudgeEffects& nudge_effects() { return *effects_; }
  // A store the processor declared (Processor::stores), this partition's instance.
  template <typename T>
  T& store(uint8_t id) {
    return static_cast<T&>(state_store(id));
  }
  virtual StateStore& state_store(uint8_t id) = 0;

  // A record for the program stage, stamped and numbered by the partition.
  virtual void forward(ProgramRecord record) = 0;
  // The user's timer is now `due_ms` (INT64_MIN: none): Processor::on_timer at the start of the
  // day it is due.
  virtual void schedule(int64_t due_ms) = 0;
  // The user asked to be forgotten: their state leaves the partition after this event.
  virtual void erase_user() = 0;
  // The last hour of stream time a clock record was forwarded for (stored with the partition).
  virtual int64_t& clock_hour() = 0;

 protected:
  ProcessorContext() = default;
  ~ProcessorContext() = default;

  const Event* event_ = nullptr;
  std::string_view user_id_;
  const UserActivity* before_ = nullptr;
  UserActivity* activity_ = nullptr;
  UserProfile* profile_ = nullptr;
  EventFacts facts_;
  PartitionAggregates* tables_ = nullptr;
  const TimeZone* tz_ = nullptr;
  int64_t stream_time_ms_ = 0;
  int64_t allowed_lateness_ms_ = 0;
  NudgeEffects* effects_ = nullptr;
};

class Processor {
 public:
  virtual ~Processor() = default;
  // An accepted event (not too late, not a duplicate), already applied to the user's activity.
  virtual void process(ProcessorContext& ctx) = 0;
  // Stream time moved on from `before_ms` (kNoTime: the partition's first event) to
  // ctx.stream_time_ms(); no event, no user.
  virtual void punctuate(ProcessorContext& /*ctx*/, int64_t /*before_ms*/) {}
  // The context's user has a timer due at `due_ms` (no event): each processor checks whether it
  // is the one it scheduled.
  virtual void on_timer(ProcessorContext& /*ctx*/, int64_t /*due_ms*/) {}
  // The partition-local stores it keeps its state in (one instance per partition each), the
  // tables `engaged report` prints from them and the gauges exported from them.
  virtual std::vector<StoreSpec> stores() const { return {}; }
  virtual std::vector<ReportSpec> reports() const { return {}; }
  virtual std::vector<GaugeSpec> gauges() const { return {}; }
};

}  // namespace engaged
