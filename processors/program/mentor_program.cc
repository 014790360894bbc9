// One record at a time; every map is ordered, so iteration (and so every tie) is deterministic.
#include "processors/program/mentor_program.h"

#include <xxhash.h>

#include <algorithm>
#include <tuple>
#include <utility>

namespace engaged {
namespace {

std::pair<std::string, std::string> pair_key(const std::string& a, const std::string& b) {
  return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

uint64_t pair_hash(const std::string& mentee, const std::string& mentor) {
  std::string k = mentee;
  k.push_back('\n');
  k += mentor;
  return XXH3_64bits(k.data(), k.size());
}

bool is_open(const Mentor& m) {
  return m.opted_in && !m.suspended && static_cast<int>(m.mentees.size()) < m.capacity;
}

void close(ProgramIndexes& index, const std::string& id, const Mentor& m) {
  index.open_mentors.erase(id);
  for (const auto& l : m.languages) {
    auto it = index.open_by_language.find(l);
    if (it == index.open_by_language.end()) continue;
    it->second.erase(id);
    if (it->second.empty()) index.open_by_language.erase(it);
  }
}

void open_if_open(ProgramIndexes& index, const std::string& id, const Mentor& m) {
  if (!is_open(m)) return;
  index.open_mentors.emplace(id, &m);
  for (const auto& l : m.languages) index.open_by_language[l].emplace(id, &m);
}

// After any change of `mentor` that can open or close them (a const lookup: marks nothing).
void reindex(ProgramState& s, const std::string& mentor) {
  if (auto it = std::as_const(s.mentors).find(mentor); it != s.mentors.end()) {
    close(s.index, mentor, it->second);
    open_if_open(s.index, mentor, it->second);
  }
}

// A mentor's zone, read without marking them changed.
const std::string& tz_of(const ProgramState& s, const std::string& mentor) {
  static const std::string kNone;
  auto it = s.mentors.find(mentor);
  return it == s.mentors.end() ? kNone : it->second.tz;
}

}  // namespace

void rebuild_indexes(ProgramState& s) {
  s.index = {};
  for (auto& [id, m] : s.mentors) open_if_open(s.index, id, m);
  for (const auto& [id, w] : s.waiting)
    s.index.waiting_by_language[w.mentee.language].emplace(w.since_ms, id);
}

void MentorProgram::set_languages(ProgramState& s, const std::string& mentor,
                                  std::vector<std::string> langs) {
  Mentor& m = s.mentors[mentor];
  close(s.index, mentor, m);
  m.languages = std::move(langs);
  open_if_open(s.index, mentor, m);
}

void MentorProgram::add_waiting(ProgramState& s, const std::string& mentee, Waiting w) {
  erase_waiting(s, mentee);
  s.index.waiting_by_language[w.mentee.language].emplace(w.since_ms, mentee);
  s.timers.insert(
      {w.since_ms + config_.wait_max_ms, ProgramTimer::kWaitExpire, mentee, w.since_ms});
  s.waiting.emplace(mentee, std::move(w));
}

void MentorProgram::erase_waiting(ProgramState& s, const std::string& mentee) {
  auto it = s.waiting.find(mentee);
  if (it == s.waiting.end()) return;
  auto q = s.index.waiting_by_language.find(it->second.mentee.language);
  if (q != s.index.waiting_by_language.end()) {
    q->second.erase({it->second.since_ms, mentee});
    if (q->second.empty()) s.index.waiting_by_language.erase(q);
  }
  s.waiting.erase(it);
}

bool MentorProgram::blocked(const ProgramState& s, const std::string& a,
                            const std::string& b) const {
  return s.blocks.count(pair_key(a, b)) > 0;
}

void MentorProgram::advance(ProgramState& s, int64_t until, PolicyOutput& out, ProgramEffects& fx) {
  for (;;) {
    const int64_t program_due = s.timers.empty() ? INT64_MAX : s.timers.begin()->due_ms;
    const int64_t policy_due = NudgePolicy::next_due(s.policy);
    const int64_t due = std::min(program_due, policy_due);
    if (due > until) break;
    if (due > s.now_ms) s.now_ms = due;
    if (program_due <= policy_due) {
      const TimerKey t = *s.timers.begin();
      s.timers.erase(s.timers.begin());
      fire(s, t, out, fx);
    } else {
      policy_.fire_due(s.policy, due, out);
    }
  }
}

void MentorProgram::process(ProgramState& s, const ProgramRecord& r, int64_t now_ms,
                            PolicyOutput& out, ProgramEffects& fx) {
  advance(s, now_ms, out, fx);
  if (policy_.sweep_due(s.now_ms, now_ms)) policy_.sweep(s.policy, now_ms);
  if (now_ms > s.now_ms) s.now_ms = now_ms;
  on_record(s, r, out, fx);
}

void MentorProgram::decide(ProgramState& s, NudgeKind kind, const std::string& recipient,
                           const std::string& subject, const std::string& tz, bool holdout,
                           const MenteeInfo* info, PolicyOutput& out, bool subject_is_mentor) {
  Decision d;
  d.kind = kind;
  d.recipient = recipient;
  d.subject = subject;
  d.tz = tz;
  d.decided_ms = s.now_ms;
  d.holdout = holdout;
  if (info) {
    d.risk = info->risk;
    d.reasons = info->reasons;
    d.risk_of_recipient = subject_is_mentor;
  }
  policy_.decide(s.policy, d, out);
}

void MentorProgram::on_record(ProgramState& s, const ProgramRecord& r, PolicyOutput& out,
                              ProgramEffects& fx) {
  switch (r.kind) {
    case ProgramInput::kClock:
      break;
    case ProgramInput::kMentorOptIn: {
      set_languages(s, r.user, r.languages);
      Mentor& m = s.mentors[r.user];
      m.topics = r.topics;
      m.capacity = r.capacity >= 0 ? r.capacity : config_.default_capacity;
      if (!r.tz.empty()) m.tz = r.tz;
      m.opted_in = true;
      reindex(s, r.user);
      serve_waiting(s, r.user, out, fx);
      break;
    }
    case ProgramInput::kMentorOptOut: {
      auto it = s.mentors.find(r.user);
      if (it == s.mentors.end()) break;
      it->second.opted_in = false;
      reindex(s, r.user);
      release_all(s, r.user, out, fx);
      break;
    }
    case ProgramInput::kMentorMessage: {
      auto it = s.matches.find(r.peer);
      if (it == s.matches.end() || it->second.mentor != r.user) break;
      Match& m = it->second;
      if (m.stage != MatchStage::kAnswered) {
        m.stage = MatchStage::kAnswered;
        const int64_t seconds = std::max<int64_t>(0, r.ts_ms - m.matched_ms) / 1000;
        MentorStats& st = s.mentors[r.user].stats;
        st.response_s_sum += seconds;
        ++st.responses;
        fx.first_response_s.push_back(static_cast<double>(seconds));
      }
      break;
    }
    case ProgramInput::kMentorReport: {
      auto& reporters = s.reporters[r.peer];
      reporters.insert(r.user);
      auto it = s.mentors.find(r.peer);
      if (it != s.mentors.end() && !it->second.suspended &&
          static_cast<int>(reporters.size()) >= config_.report_threshold) {
        it->second.suspended = true;
        reindex(s, r.peer);
        release_all(s, r.peer, out, fx);
      }
      break;
    }
    case ProgramInput::kMentorRating: {
      auto it = s.mentors.find(r.peer);
      if (it == s.mentors.end()) break;
      it->second.stats.rating_sum += r.score;
      ++it->second.stats.ratings;
      break;
    }
    case ProgramInput::kUserBlocked: {
      s.blocks.insert(pair_key(r.user, r.peer));
      for (const auto& [mentee, mentor] : {std::pair{r.user, r.peer}, std::pair{r.peer, r.user}}) {
        auto it = s.matches.find(mentee);
        if (it != s.matches.end() && it->second.mentor == mentor) release(s, mentee, true, out, fx);
      }
      break;
    }
    case ProgramInput::kAtRisk: {
      MenteeInfo info{r.language, r.tz, r.topics, r.risk, r.reasons};
      if (auto it = s.matches.find(r.user); it != s.matches.end()) {
        it->second.mentee = std::move(info);
        break;
      }
      if (auto it = s.waiting.find(r.user); it != s.waiting.end()) {
        it->second.mentee = std::move(info);
        break;
      }
      if (auto it = s.mentors.find(r.user); it != s.mentors.end() && it->second.opted_in) break;
      if (in_holdout(kMentoringProgram, r.user, config_.holdout_share)) {
        // Recorded as the treated group would have been matched, using nobody's capacity.
        auto last = s.holdout_decided.find(r.user);
        if (last != s.holdout_decided.end() && s.now_ms - last->second < config_.match_max_ms)
          break;
        s.holdout_decided[r.user] = s.now_ms;
        const std::string* mentor = best_mentor(s, r.user, info, {});
        decide(s, NudgeKind::kMentorMatch, r.user, mentor ? *mentor : std::string(), info.tz, true,
               &info, out, true);
        if (mentor)
          decide(s, NudgeKind::kMentorMatch, *mentor, r.user, tz_of(s, *mentor), true, &info, out);
        break;
      }
      match_or_wait(s, r.user, std::move(info), {}, s.now_ms, out, fx);
      break;
    }
    case ProgramInput::kRecovered: {
      erase_waiting(s, r.user);
      break;
    }
    case ProgramInput::kMentorEligible: {
      auto m = s.mentors.find(r.user);
      if (m != s.mentors.end() && (m->second.opted_in || m->second.suspended)) break;
      if (s.reporters.count(r.user)) break;  // no reports, ever
      decide(s, NudgeKind::kMentorInvite, r.user, "", r.tz,
             in_holdout(kRecruitmentProgram, r.user, config_.holdout_share), nullptr, out);
      break;
    }
    case ProgramInput::kHighIntent:
      decide(s, NudgeKind::kSalesLead, r.user, "", r.tz, false, nullptr, out);
      break;
    case ProgramInput::kMenteeRetained: {
      auto it = s.matches.find(r.user);
      if (it == s.matches.end()) break;
      const std::string mentor = it->second.mentor;
      if (it->second.stage == MatchStage::kAnswered)
        decide(s, NudgeKind::kMentorReward, mentor, r.user, tz_of(s, mentor), false, nullptr, out);
      release(s, r.user, false, out, fx);
      break;
    }
    case ProgramInput::kUserDeleted: {
      if (s.matches.count(r.user)) release(s, r.user, false, out, fx);
      erase_waiting(s, r.user);
      if (auto it = s.mentors.find(r.user); it != s.mentors.end()) {
        it->second.opted_in = false;
        reindex(s, r.user);
        release_all(s, r.user, out, fx);
        s.mentors.erase(r.user);
      }
      s.holdout_decided.erase(r.user);
      NudgePolicy::forget(s.policy, r.user);
      break;
    }
  }
}

const std::string* MentorProgram::best_mentor(const ProgramState& s, const std::string& mentee,
                                              const MenteeInfo& info,
                                              const std::vector<std::string>& tried) const {
  const std::string* best = nullptr;
  // Larger is better: overlap, -response, rating, -load, -hash.
  std::tuple<int, int64_t, int64_t, int, uint64_t> best_key{};
  auto consider = [&](const std::string& id, const Mentor& m) {
    if (id == mentee || contains(tried, id)) return;
    if (blocked(s, mentee, id)) return;
    int overlap = 0;
    for (const auto& t : info.topics) overlap += contains(m.topics, t);
    // Mentors without answers yet count as answering in one SLA; without ratings as a 7 (in
    // tenths, so the comparison stays in integers).
    const int64_t response =
        m.stats.responses ? m.stats.response_s_sum / m.stats.responses : config_.sla_ms / 1000;
    const int64_t rating = m.stats.ratings ? m.stats.rating_sum * 10 / m.stats.ratings : 70;
    const std::tuple<int, int64_t, int64_t, int, uint64_t> key{
        overlap, -response, rating, -static_cast<int>(m.mentees.size()), ~pair_hash(mentee, id)};
    if (!best || key > best_key) {
      best = &id;
      best_key = key;
    }
  };
  if (info.language.empty()) {
    for (const auto& [id, m] : s.index.open_mentors) consider(id, *m);
  } else if (auto it = s.index.open_by_language.find(info.language);
             it != s.index.open_by_language.end()) {
    for (const auto& [id, m] : it->second) consider(id, *m);
  }
  return best;
}

void MentorProgram::match_or_wait(ProgramState& s, const std::string& mentee, MenteeInfo info,
                                  std::vector<std::string> tried, int64_t waiting_since,
                                  PolicyOutput& out, ProgramEffects& fx) {
  const std::string* found = best_mentor(s, mentee, info, tried);
  if (!found) {
    add_waiting(s, mentee, {waiting_since, std::move(info), std::move(tried)});
    return;
  }
  const std::string mentor = *found;
  Mentor& m = s.mentors[mentor];
  m.mentees.insert(mentee);
  reindex(s, mentor);
  Match& match = s.matches[mentee];
  match = Match{mentor, s.now_ms, MatchStage::kAwaitingAnswer, std::move(info), std::move(tried)};
  if (match.tried.empty())
    ++fx.matches;
  else
    ++fx.rematches;
  s.timers.insert({s.now_ms + config_.sla_ms, ProgramTimer::kSlaReminder, mentee, s.now_ms});
  s.timers.insert({s.now_ms + config_.match_max_ms, ProgramTimer::kMatchEnd, mentee, s.now_ms});
  decide(s, NudgeKind::kMentorMatch, mentee, mentor, match.mentee.tz, false, &match.mentee, out,
         true);
  decide(s, NudgeKind::kMentorMatch, mentor, mentee, m.tz, false, &match.mentee, out);
}

void MentorProgram::release(ProgramState& s, const std::string& mentee, bool rematch,
                            PolicyOutput& out, ProgramEffects& fx) {
  auto it = s.matches.find(mentee);
  if (it == s.matches.end()) return;
  Match match = std::move(it->second);
  s.matches.erase(it);
  if (auto m = s.mentors.find(match.mentor); m != s.mentors.end()) {
    m->second.mentees.erase(mentee);
    reindex(s, match.mentor);
  }
  if (rematch) {
    match.tried.push_back(match.mentor);
    match_or_wait(s, mentee, std::move(match.mentee), std::move(match.tried), s.now_ms, out, fx);
  }
  serve_waiting(s, match.mentor, out, fx);
}

void MentorProgram::release_all(ProgramState& s, const std::string& mentor, PolicyOutput& out,
                                ProgramEffects& fx) {
  auto it = s.mentors.find(mentor);
  if (it == s.mentors.end()) return;
  const std::set<std::string> mentees = it->second.mentees;
  for (const auto& mentee : mentees) release(s, mentee, true, out, fx);
}

void MentorProgram::serve_waiting(ProgramState& s, const std::string& mentor, PolicyOutput& out,
                                  ProgramEffects& fx) {
  auto m = s.mentors.find(mentor);
  if (m == s.mentors.end() || !m->second.opted_in || m->second.suspended) return;
  // First come, first served among those this mentor can take (their language, or none given):
  // a merge of the per-language queues, which are ordered by waiting time.
  using Queue = std::set<std::pair<int64_t, std::string>>;
  std::vector<std::pair<Queue::const_iterator, Queue::const_iterator>> queues;
  auto add_queue = [&](const std::string& language) {
    if (auto q = s.index.waiting_by_language.find(language); q != s.index.waiting_by_language.end())
      queues.emplace_back(q->second.begin(), q->second.end());
  };
  for (const std::string& language : m->second.languages) add_queue(language);
  add_queue("");
  std::vector<std::string> take;  // chosen first, matched after (matching edits the queues)
  int free = m->second.capacity - static_cast<int>(m->second.mentees.size());
  while (free > 0) {
    auto* next = static_cast<decltype(queues)::value_type*>(nullptr);
    for (auto& q : queues)
      if (q.first != q.second && (!next || *q.first < *next->first)) next = &q;
    if (!next) break;
    const std::string& id = next->first->second;
    ++next->first;
    const Waiting& w = s.waiting.at(id);
    if (contains(w.tried, mentor) || blocked(s, id, mentor)) continue;
    take.push_back(id);
    --free;
  }
  for (const std::string& id : take) {
    Waiting w = s.waiting.at(id);
    erase_waiting(s, id);
    match_or_wait(s, id, std::move(w.mentee), std::move(w.tried), w.since_ms, out, fx);
  }
}

void MentorProgram::fire(ProgramState& s, const TimerKey& t, PolicyOutput& out,
                         ProgramEffects& fx) {
  if (t.kind == ProgramTimer::kWaitExpire) {
    auto it = s.waiting.find(t.user);
    if (it != s.waiting.end() && it->second.since_ms == t.token) erase_waiting(s, t.user);
    return;
  }
  auto it = s.matches.find(t.user);
  if (it == s.matches.end() || it->second.matched_ms != t.token) return;  // stale
  Match& m = it->second;
  switch (t.kind) {
    case ProgramTimer::kSlaReminder:
      if (m.stage != MatchStage::kAwaitingAnswer) return;
      m.stage = MatchStage::kReminded;
      ++fx.sla_breaches;
      s.timers.insert({t.due_ms + config_.sla_ms, ProgramTimer::kSlaRematch, t.user, t.token});
      decide(s, NudgeKind::kMentorReminder, m.mentor, t.user, tz_of(s, m.mentor), false, nullptr,
             out);
      return;
    case ProgramTimer::kSlaRematch:
      if (m.stage != MatchStage::kReminded) return;
      release(s, t.user, true, out, fx);
      return;
    case ProgramTimer::kMatchEnd:
      release(s, t.user, false, out, fx);
      return;
    case ProgramTimer::kWaitExpire:
      return;
  }
}

}  // namespace engaged
