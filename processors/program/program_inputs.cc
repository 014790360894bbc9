// Per event: props, then the fact itself, then new active days, then the risk score.
#include "processors/program/program_inputs.h"

#include <algorithm>
#include <cctype>

#include "processors/partition_aggregates.h"
#include "processors/program/nudge_kind.h"

namespace engaged {
namespace {

ProgramRecord record(ProgramInput kind, std::string_view user, int64_t ts_ms) {
  ProgramRecord r;
  r.kind = kind;
  r.user.assign(user);
  r.ts_ms = ts_ms;
  return r;
}

std::vector<std::string> to_strings(const PropList& list) {
  return std::vector<std::string>(list.begin(), list.end());
}

// "pt-BR" -> "pt": the primary language subtag, lower case (assigned only when it changed).
void set_language(std::string& language, std::string_view locale) {
  const size_t n = std::min(locale.find_first_of("-_"), locale.size());
  bool same = language.size() == n;
  for (size_t i = 0; same && i < n; ++i)
    same = language[i] == std::tolower(static_cast<unsigned char>(locale[i]));
  if (same) return;
  language.resize(n);
  for (size_t i = 0; i < n; ++i)
    language[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(locale[i])));
}

bool program_relevant(EventType t) {
  return t != EventType::kAction && t != EventType::kSessionStart && t != EventType::kSessionEnd;
}

}  // namespace

void ProgramInputs::process(ProcessorContext& ctx) {
  const Event& ev = ctx.event();
  UserProfile& p = ctx.profile();
  const std::string_view user_id = ctx.user_id();
  if (ev.type == EventType::kUserDeleted) {
    RiskTracker::forget(p, ctx.tables().risk);
    ctx.forward(record(ProgramInput::kUserDeleted, user_id, ev.ts_ms));
    ctx.erase_user();
    return;
  }
  const TimeZone& tz = ctx.time_zone();
  const int64_t now_ms = ctx.stream_time_ms();
  const int32_t day = tz.day_of(now_ms);
  const int64_t timer_before = p.risk.timer_ms;
  if (!ev.props.tz.empty() && p.tz != ev.props.tz) p.tz.assign(ev.props.tz);
  if (!ev.props.locale.empty()) set_language(p.language, ev.props.locale);
  const int32_t ev_day = tz.day_of(ev.ts_ms);
  bool action_counted = false;  // a risk.actions name: an action-count feature changed
  switch (ev.type) {
    case EventType::kSignup:
      if (!ev.props.topics.empty()) p.topics = to_strings(ev.props.topics);
      break;
    case EventType::kFeedback:
      if (ev.ts_ms >= p.nps_ms) {
        p.nps = *ev.score;
        p.nps_ms = ev.ts_ms;
      }
      break;
    case EventType::kNudgeOpened:
      if (auto kind = nudge_kind_of_id(ev.nudge_id)) {
        ++ctx.tables().figures.mutable_day(ev_day).nudges_opened[static_cast<size_t>(*kind)];
        ++ctx.nudge_effects().opened[static_cast<size_t>(*kind)];
        p.opens.push_back({static_cast<uint8_t>(*kind), ev_day});
        ctx.tables().forgotten += forget_oldest(p.opens, kMaxOpenedNudges);
        if (*kind == NudgeKind::kMentorMatch)
          p.mentor_contact_day = std::max(p.mentor_contact_day, ev_day);
      }
      break;
    case EventType::kMentorOptIn: {
      ProgramRecord r = record(ProgramInput::kMentorOptIn, user_id, ev.ts_ms);
      r.languages = to_strings(ev.props.languages);
      r.topics = to_strings(ev.props.topics);
      r.capacity = ev.props.capacity.value_or(-1);
      r.tz = p.tz;
      ctx.forward(std::move(r));
      break;
    }
    case EventType::kMentorOptOut:
      ctx.forward(record(ProgramInput::kMentorOptOut, user_id, ev.ts_ms));
      break;
    case EventType::kMentorMessage:
    case EventType::kMentorReport:
    case EventType::kMentorRating:
    case EventType::kUserBlocked: {
      const ProgramInput kind = ev.type == EventType::kMentorMessage  ? ProgramInput::kMentorMessage
                                : ev.type == EventType::kMentorReport ? ProgramInput::kMentorReport
                                : ev.type == EventType::kMentorRating ? ProgramInput::kMentorRating
                                                                      : ProgramInput::kUserBlocked;
      ProgramRecord r = record(kind, user_id, ev.ts_ms);
      r.peer.assign(ev.peer_user_id);
      r.score = ev.score.value_or(0);
      ctx.forward(std::move(r));
      if (ev.type == EventType::kMentorMessage)
        p.mentor_contact_day = std::max(p.mentor_contact_day, ev_day);
      break;
    }
    case EventType::kAction: {
      const auto& counted = risk_.config().actions;
      if (auto it = std::find(counted.begin(), counted.end(), ev.name); it != counted.end()) {
        record_action(p, ev_day, static_cast<int>(it - counted.begin()));
        action_counted = true;
      }
      const auto& names = config_.intent_actions;
      if (std::find(names.begin(), names.end(), ev.name) == names.end()) break;
      auto& t = p.intent_ms;
      t.insert(std::upper_bound(t.begin(), t.end(), ev.ts_ms), ev.ts_ms);
      if (static_cast<int>(t.size()) > config_.intent_count) t.erase(t.begin());
      if (static_cast<int>(t.size()) == config_.intent_count &&
          t.back() - t.front() <= config_.intent_window_ms &&
          (p.lead_ms == INT64_MIN || now_ms - p.lead_ms >= config_.lead_every_ms)) {
        p.lead_ms = now_ms;
        ProgramRecord r = record(ProgramInput::kHighIntent, user_id, ev.ts_ms);
        r.tz = p.tz;
        ctx.forward(std::move(r));
      }
      break;
    }
    default:
      break;
  }
  const int64_t session_seconds = ctx.facts().session_seconds;
  if (session_seconds >= 0) record_session_length(p, ev_day, session_seconds);

  const UserActivity& user = ctx.activity();
  const bool new_day = !ctx.before().active(ev_day) && user.active(ev_day);
  if (new_day) new_active_day(ctx, ev_day);
  // Another action or session start on a day already scored changes no feature (unless it is
  // a key action of the aha moment or a risk.actions name): the score stays what it is.
  const bool project = new_day || p.risk.day != day || program_relevant(ev.type);
  if (project || session_seconds >= 0 || ctx.facts().key_actions_changed || action_counted)
    rescore(ctx, day, now_ms, project);

  // Recruitment: checked when the user is active on the current day.
  if (new_day && ev_day == day &&
      (p.eligible_ms == INT64_MIN || now_ms - p.eligible_ms >= config_.mentor_eligible_every_ms) &&
      day - user.cohort_day >= config_.mentor_min_tenure_days &&
      user.count_active(day - 29, day) >= config_.mentor_min_active_days_30 &&
      p.nps >= config_.mentor_min_nps &&
      (!config_.mentor_require_aha ||
       static_cast<int>(p.key_action_ms.size()) >= risk_.config().aha_count)) {
    p.eligible_ms = now_ms;
    ProgramRecord r = record(ProgramInput::kMentorEligible, user_id, ev.ts_ms);
    r.tz = p.tz;
    ctx.forward(std::move(r));
  }
  if (p.risk.timer_ms != timer_before) ctx.schedule(p.risk.timer_ms);
}

void ProgramInputs::punctuate(ProcessorContext& ctx, int64_t /*before_ms*/) {
  const int64_t now = ctx.stream_time_ms();
  const int64_t hour = now / 3600000;
  if (hour <= ctx.clock_hour()) return;
  ctx.clock_hour() = hour;
  ctx.forward(record(ProgramInput::kClock, {}, now));
}

void ProgramInputs::on_timer(ProcessorContext& ctx, int64_t due_ms) {
  if (ctx.profile().risk.timer_ms != due_ms) return;  // rescheduled since
  rescore(ctx, ctx.time_zone().day_of(due_ms), due_ms, true);
  ctx.schedule(ctx.profile().risk.timer_ms);
}

void ProgramInputs::rescore(ProcessorContext& ctx, int32_t day, int64_t now_ms,
                            bool project) const {
  const UserActivity& user = ctx.activity();
  UserProfile& p = ctx.profile();
  const Rescored r =
      risk_.rescore(user, p, day, now_ms, ctx.time_zone(), ctx.tables().risk, project);
  if (r.crossing == RiskCrossing::kUp && user.known() &&
      day - user.cohort_day <= config_.newcomer_days) {
    if (p.entry.entered_ms == INT64_MIN) {
      p.entry.entered_ms = now_ms;
      p.entry.holdout = in_holdout(kMentoringProgram, ctx.user_id(), config_.holdout_share);
      ++ctx.tables().figures.mutable_day(day).program_entered[p.entry.holdout];
    }
    ProgramRecord rec = record(ProgramInput::kAtRisk, ctx.user_id(), now_ms);
    rec.tz = p.tz;
    rec.language = p.language;
    rec.topics = p.topics;
    rec.risk = r.score.score;
    for (const auto& [feature, contribution] : r.score.reasons)
      rec.reasons.emplace_back(static_cast<uint8_t>(feature), contribution);
    ctx.forward(std::move(rec));
  } else if (r.crossing == RiskCrossing::kDown && p.entry.entered_ms != INT64_MIN) {
    ctx.forward(record(ProgramInput::kRecovered, ctx.user_id(), now_ms));
  }
}

void ProgramInputs::new_active_day(ProcessorContext& ctx, int32_t d) const {
  UserProfile& p = ctx.profile();
  DayTable<DayFigures>& figures = ctx.tables().figures;
  // Opened nudges followed by a return within 7 days; older ones can no longer return.
  std::erase_if(p.opens, [&](const OpenedNudge& o) {
    if (d > o.day && d <= o.day + 7) {
      ++figures.mutable_day(o.day).nudge_returns[o.kind];
      ++ctx.nudge_effects().returns[o.kind];
      return true;
    }
    return o.day + 7 < d;
  });
  ProgramEntry& e = p.entry;
  if (e.entered_ms == INT64_MIN) return;
  const int32_t entry_day = ctx.time_zone().day_of(e.entered_ms);
  const size_t arm = e.holdout;
  if (d > entry_day && d <= entry_day + 7 && !e.returned_7d) {
    e.returned_7d = true;
    ++figures.mutable_day(entry_day).program_returned_7d[arm];
  }
  if (d == entry_day + 7 && !e.active_d7) {
    e.active_d7 = true;
    ++figures.mutable_day(entry_day).program_active_d7[arm];
  }
  if (d == entry_day + 30 && !e.active_d30) {
    e.active_d30 = true;
    ++figures.mutable_day(entry_day).program_active_d30[arm];
  }
  if (d >= entry_day + 30 && d <= entry_day + 36 && !e.retained_sent) {
    e.retained_sent = true;
    ctx.forward(record(ProgramInput::kMenteeRetained, ctx.user_id(), ctx.event().ts_ms));
  }
}

}  // namespace engaged
