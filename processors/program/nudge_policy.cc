// Suppress -> holdout -> quiet hours -> caps -> deliver.
#include "processors/program/nudge_policy.h"

#include <algorithm>

namespace engaged {
namespace {

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kWeekMs = 7 * kDayMs;

std::string eligibility_key(NudgeKind kind, const std::string& subject) {
  std::string k(nudge_kind_name(kind));
  k.push_back('|');
  k += subject;
  return k;
}

}  // namespace

const TimeZone& NudgePolicy::zone(const RecipientPolicy& r) {
  return zones_.get(r.tz);
}

void NudgePolicy::log(RecipientPolicy& r, const Nudge& n, NudgeOutcome o, int64_t ms,
                      PolicyOutput& out) {
  ++out.counts[static_cast<size_t>(n.kind)][static_cast<size_t>(o)];
  r.log.push_back({n.nudge_id, n.kind, o, ms});
  while (r.log.size() > kLogSize) r.log.pop_front();
}

void NudgePolicy::decide(PolicyState& s, const Decision& d, PolicyOutput& out) {
  RecipientPolicy& r = s.recipients[d.recipient];
  if (!d.tz.empty()) r.tz = d.tz;
  Nudge n;
  n.kind = d.kind;
  n.recipient = d.recipient;
  n.subject = d.subject;
  n.decided_ms = n.deliver_ms = d.decided_ms;
  n.holdout = d.holdout;
  n.risk = d.risk;
  n.risk_of_recipient = d.risk_of_recipient;
  n.reasons = d.reasons;
  n.nudge_id = make_nudge_id(d.kind, d.recipient, d.subject, d.decided_ms);

  const std::string key = eligibility_key(d.kind, d.subject);
  auto last = r.last_decided.find(key);
  if (last != r.last_decided.end() &&
      d.decided_ms - last->second < config_.reeligible_ms[static_cast<size_t>(d.kind)]) {
    log(r, n, NudgeOutcome::kSuppressed, d.decided_ms, out);
    return;
  }
  r.last_decided[key] = d.decided_ms;
  if (d.holdout) {
    log(r, n, NudgeOutcome::kHoldout, d.decided_ms, out);
    out.nudges.push_back(std::move(n));
    return;
  }
  if (d.kind == NudgeKind::kSalesLead) {
    log(r, n, NudgeOutcome::kSent, d.decided_ms, out);
    out.nudges.push_back(std::move(n));
    return;
  }
  const TimeZone& tz = zone(r);
  const int32_t day = tz.day_of(d.decided_ms);
  const int64_t minute = (d.decided_ms - tz.day_start_ms(day)) / 60000;
  const bool after_start = minute >= config_.quiet_start_minute;
  const bool before_end = minute < config_.quiet_end_minute;
  const bool quiet = config_.quiet_start_minute > config_.quiet_end_minute
                         ? after_start || before_end
                         : after_start && before_end;
  if (quiet) {
    const int32_t end_day =
        after_start && config_.quiet_start_minute > config_.quiet_end_minute ? day + 1 : day;
    n.deliver_ms = tz.day_start_ms(end_day) + int64_t{config_.quiet_end_minute} * 60000;
    log(r, n, NudgeOutcome::kQuietDeferred, d.decided_ms, out);
    s.deferred.emplace(std::make_pair(n.deliver_ms, n.nudge_id), std::move(n));
    return;
  }
  deliver(s, std::move(n), d.decided_ms, out);
}

bool NudgePolicy::capped_kind(NudgeKind k) {
  // Invites and rewards can wait for another day; a match or a reminder is the program's own
  // business with the user and must reach them (they still wait for the end of quiet hours).
  return k == NudgeKind::kMentorInvite || k == NudgeKind::kMentorReward;
}

void NudgePolicy::deliver(PolicyState& s, Nudge n, int64_t now_ms, PolicyOutput& out) {
  RecipientPolicy& r = s.recipients[n.recipient];
  auto& sent = r.sent_ms;
  sent.erase(sent.begin(), std::lower_bound(sent.begin(), sent.end(), now_ms - kWeekMs + 1));
  const TimeZone& tz = zone(r);
  const int64_t day_start = tz.day_start_ms(tz.day_of(now_ms));
  const auto today = sent.end() - std::lower_bound(sent.begin(), sent.end(), day_start);
  if (capped_kind(n.kind) &&
      (today >= config_.daily_cap || static_cast<int64_t>(sent.size()) >= config_.weekly_cap)) {
    log(r, n, NudgeOutcome::kCapped, now_ms, out);
    return;
  }
  sent.push_back(now_ms);
  log(r, n, NudgeOutcome::kSent, now_ms, out);
  out.nudges.push_back(std::move(n));
}

void NudgePolicy::fire_due(PolicyState& s, int64_t until, PolicyOutput& out) {
  while (!s.deferred.empty() && s.deferred.begin()->first.first <= until) {
    auto node = s.deferred.extract(s.deferred.begin());
    const int64_t at = node.key().first;
    deliver(s, std::move(node.mapped()), at, out);
  }
}

void NudgePolicy::forget(PolicyState& s, const std::string& user) {
  s.recipients.erase(user);
  for (auto it = s.deferred.begin(); it != s.deferred.end();)
    it = it->second.recipient == user ? s.deferred.erase(it) : std::next(it);
}

void NudgePolicy::sweep(PolicyState& s, int64_t now_ms) const {
  const int64_t longest =
      *std::max_element(config_.reeligible_ms.begin(), config_.reeligible_ms.end());
  s.recipients.update_all([&](const std::string&, RecipientPolicy& r, bool& erase) {
    const size_t changed =
        std::erase_if(r.last_decided,
                      [&](const auto& kv) { return kv.second < now_ms - longest; }) +
        std::erase_if(r.sent_ms, [&](int64_t t) { return t <= now_ms - kWeekMs; });
    erase = r.last_decided.empty() && r.sent_ms.empty();
    return changed > 0;
  });
}

}  // namespace engaged
