#include "app/stream_task.h"

namespace engaged {

StreamTask::StreamTask(const Topology& topology, const TimeZone& tz, int64_t allowed_lateness_ms,
                       NudgeEffects& effects)
    : topology_(topology) {
  tz_ = &tz;
  allowed_lateness_ms_ = allowed_lateness_ms;
  effects_ = &effects;
}

void StreamTask::enter(PartitionState& part) {
  part_ = &part;
  tables_ = &part.aggregates();
  stream_time_ms_ = part.aggregates().stream_time_ms;
}

void StreamTask::process(PartitionState& part, CachedUser& user, const UserActivity& before,
                         const Event& ev) {
  enter(part);
  event_ = &ev;
  user_id_ = ev.user_id;
  before_ = &before;
  activity_ = &user.activity;
  profile_ = &user.profile;
  facts_ = {};
  erase_ = false;
  for (Processor* p : topology_.processors()) p->process(*this);
  if (erase_) part.erase_user(ev.user_id);  // `user` is gone from here on
}

void StreamTask::advance(PartitionState& part, int64_t before_ms, uint32_t epoch) {
  enter(part);
  event_ = nullptr;
  for (Processor* p : topology_.processors()) p->punctuate(*this, before_ms);
  const int64_t now = stream_time_ms_;
  if (before_ms != kNoTime && tz_->day_of(now) == tz_->day_of(before_ms)) return;
  for (const auto& [due, user_id] : part.due_timers(tz_->day_start_ms(tz_->day_of(now)))) {
    CachedUser* user = part.existing_user(user_id, epoch);
    if (!user) continue;  // deleted since
    user_id_ = user_id;
    before_ = &user->activity;
    activity_ = &user->activity;
    profile_ = &user->profile;
    for (Processor* p : topology_.processors()) p->on_timer(*this, due);
  }
}

StateStore& StreamTask::state_store(uint8_t id) {
  return part_->state_store(id);
}

void StreamTask::forward(ProgramRecord record) {
  part_->emit(std::move(record));
}

void StreamTask::schedule(int64_t due_ms) {
  part_->timer_set(user_id_, due_ms);
}

void StreamTask::erase_user() {
  erase_ = true;
}

int64_t& StreamTask::clock_hour() {
  return part_->clock_hour();
}

}  // namespace engaged
