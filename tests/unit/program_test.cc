// The mentor program's pure parts: the deterministic merge, the nudge policy, mentor ranking,
// the silence timer, and the codecs of its records. Story tests (tests/stories) cover whole users.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "app/zone_files.h"
#include "processors/program/mentor_program.h"
#include "processors/program/program_codec.h"
#include "processors/program/program_merge.h"
#include "processors/program/risk_tracker.h"

namespace engaged {
namespace {

constexpr int64_t kHour = 3600000, kDay = 24 * kHour;
constexpr int64_t kT0 = 20600 * kDay;  // a UTC midnight

ProgramEnvelope data(int32_t source, uint64_t seq, int64_t order_ms) {
  ProgramEnvelope e{source, seq, order_ms, false, {}};
  e.record.kind = ProgramInput::kClock;
  e.record.user = "u" + std::to_string(source) + "-" + std::to_string(seq);
  return e;
}

TEST(ProgramMerge, AnyInterleavingReleasesTheSameOrder) {
  // Three sources, each with its records in order; equal order times across sources.
  std::vector<std::vector<ProgramEnvelope>> streams(3);
  std::mt19937 rng(7);
  for (int32_t s = 0; s < 3; ++s) {
    int64_t t = kT0;
    for (uint64_t i = 0; i < 40; ++i) streams[s].push_back(data(s, i, t += kHour * (rng() % 3)));
  }
  std::vector<std::string> reference;
  for (int round = 0; round < 50; ++round) {
    // Random interleaving, re-sent duplicates, watermarks in between; then final watermarks.
    std::vector<ProgramEnvelope> arrival;
    std::vector<size_t> next(3, 0);
    while (next[0] < 40 || next[1] < 40 || next[2] < 40) {
      const int32_t s = static_cast<int32_t>(rng() % 3);
      if (next[s] == 40) continue;
      arrival.push_back(streams[s][next[s]]);
      if (rng() % 5 == 0) arrival.push_back(streams[s][next[s]]);  // a re-send
      ++next[s];
      if (rng() % 4 == 0)
        arrival.push_back({s, next[s], streams[s][next[s] - 1].order_ms, true, {}});
    }
    ProgramMerge merge(3);
    std::vector<std::string> released;
    for (auto& e : arrival) {
      merge.add(e);
      while (merge.ready()) released.push_back(merge.pop().record.user);
    }
    for (int32_t s = 0; s < 3; ++s) merge.advance(s, INT64_MAX);
    while (merge.ready()) released.push_back(merge.pop().record.user);
    ASSERT_EQ(released.size(), 120u);
    if (round == 0)
      reference = released;
    else
      EXPECT_EQ(released, reference) << "round " << round;
  }
  // The order is by (order time, source, seq).
  std::vector<ProgramEnvelope> all;
  for (auto& s : streams) all.insert(all.end(), s.begin(), s.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::tie(a.order_ms, a.source, a.seq) < std::tie(b.order_ms, b.source, b.seq);
  });
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(reference[i], all[i].record.user);
}

TEST(ProgramMerge, ASilentSourceHoldsEverythingBack) {
  ProgramMerge merge(2);
  merge.add(data(0, 0, kT0));
  EXPECT_EQ(merge.ready(), nullptr);  // source 1 never spoke: it may still send an earlier one
  merge.add({1, 0, kT0, true, {}});   // at kT0, but source 1 sorts after source 0
  ASSERT_NE(merge.ready(), nullptr);
  merge.pop();
  merge.add(data(0, 1, kT0 + kHour));
  EXPECT_EQ(merge.ready(), nullptr);
  merge.add({1, 0, kT0 + kHour - 1, true, {}});
  EXPECT_EQ(merge.ready(), nullptr);
  merge.add({1, 0, kT0 + kHour + 1, true, {}});
  EXPECT_NE(merge.ready(), nullptr);
}

// Pending envelopes are not stored but read again: a source resumes at its first pending seq,
// the stage at the lowest pending input offset; a release moves both and marks the source.
TEST(ProgramMerge, ARestoreReadsAgainFromTheFirstPendingEnvelope) {
  ProgramMerge merge(2);
  auto at = [](ProgramEnvelope e, int64_t offset) {
    e.input_offset = offset;
    return e;
  };
  merge.add(at(data(0, 0, kT0), 10));
  merge.add(at(data(1, 0, kT0 + 5), 11));
  merge.add(at(data(0, 1, kT0 + 6), 12));
  EXPECT_EQ(merge.take_changes().sources, (std::set<int32_t>{0, 1}));
  EXPECT_EQ(merge.resume_offset(), 10);
  EXPECT_EQ(merge.resume_seq(0), 0u);
  merge.pop();  // (0, 0): source 1 is at kT0 + 5
  EXPECT_EQ(merge.resume_offset(), 11);
  EXPECT_EQ(merge.resume_seq(0), 1u);
  EXPECT_EQ(merge.resume_seq(1), 0u);
  const ProgramMerge::Changes changes = merge.take_changes();
  EXPECT_EQ(changes.sources, std::set<int32_t>{0});
  EXPECT_TRUE(changes.released_from_store.empty());  // it was never stored
  merge.advance(0, kT0 + 100);
  merge.advance(1, kT0 + 100);
  while (merge.ready()) merge.pop();
  EXPECT_EQ(merge.resume_offset(), std::nullopt);  // nothing pending: the position is the resume
  EXPECT_EQ(merge.resume_seq(0), 2u);
}

// A recipient's zone comes from the zones loaded at start, never from a file read mid-stream:
// a zone missing from the table falls back even where its file exists.
TEST(ZoneLookup, AnUnknownZoneFallsBackWithoutReadingAFile) {
  ZoneTable table;
  table.add(load_time_zone("Asia/Kolkata"));
  const ZoneLookup zones(std::move(table), load_time_zone("America/New_York"));
  EXPECT_EQ(zones.get("Asia/Kolkata").name(), "Asia/Kolkata");
  EXPECT_EQ(zones.get("Europe/Paris").name(), "America/New_York");
  EXPECT_EQ(zones.get("").name(), "America/New_York");
}

class PolicyTest : public ::testing::Test {
 protected:
  PolicyTest() : zones_(load_zone_table(), TimeZone()) {}
  Decision decision(NudgeKind kind, const std::string& to, int64_t at,
                    const std::string& about = "") {
    Decision d;
    d.kind = kind;
    d.recipient = to;
    d.subject = about;
    d.tz = "Asia/Kolkata";  // UTC+5:30, no DST
    d.decided_ms = at;
    return d;
  }
  ZoneLookup zones_;
  PolicyState state_;
  PolicyOutput out_;
};

TEST_F(PolicyTest, QuietHoursDeferToTheirEndInTheRecipientsZone) {
  NudgePolicy policy({}, zones_);
  // 23:00 IST = 17:30 UTC: deferred to 08:00 IST next day = 02:30 UTC.
  policy.decide(state_, decision(NudgeKind::kMentorInvite, "a", kT0 + 17 * kHour + kHour / 2),
                out_);
  EXPECT_TRUE(out_.nudges.empty());
  EXPECT_EQ(NudgePolicy::next_due(state_), kT0 + kDay + 2 * kHour + kHour / 2);
  policy.fire_due(state_, kT0 + kDay + 2 * kHour, out_);
  EXPECT_TRUE(out_.nudges.empty());
  policy.fire_due(state_, kT0 + kDay + 3 * kHour, out_);
  ASSERT_EQ(out_.nudges.size(), 1u);
  EXPECT_EQ(out_.nudges[0].deliver_ms, kT0 + kDay + 2 * kHour + kHour / 2);
  EXPECT_EQ(out_.nudges[0].decided_ms, kT0 + 17 * kHour + kHour / 2);
  EXPECT_EQ(out_.counts[0][static_cast<int>(NudgeOutcome::kQuietDeferred)], 1);
  EXPECT_EQ(out_.counts[0][static_cast<int>(NudgeOutcome::kSent)], 1);
}

TEST_F(PolicyTest, DailyCapCountsTheLocalDayAndWeeklyCapSevenDays) {
  NudgePolicy policy({.daily_cap = 2, .weekly_cap = 3}, zones_);
  const int64_t noon_ist = kT0 + 6 * kHour + kHour / 2;  // 12:00 IST
  for (int i = 0; i < 3; ++i)
    policy.decide(
        state_,
        decision(NudgeKind::kMentorReward, "m", noon_ist + i * kHour, "mentee" + std::to_string(i)),
        out_);
  EXPECT_EQ(out_.nudges.size(), 2u);  // the third is capped on the same local day
  // Next local day: one more fits the week (3), the one after does not.
  policy.decide(state_, decision(NudgeKind::kMentorReward, "m", noon_ist + kDay, "x"), out_);
  policy.decide(state_, decision(NudgeKind::kMentorReward, "m", noon_ist + 2 * kDay, "y"), out_);
  EXPECT_EQ(out_.nudges.size(), 3u);
  // Eight days on, the window is clear again.
  policy.decide(state_, decision(NudgeKind::kMentorReward, "m", noon_ist + 8 * kDay, "z"), out_);
  EXPECT_EQ(out_.nudges.size(), 4u);
  EXPECT_EQ(out_.counts[3][static_cast<int>(NudgeOutcome::kCapped)], 2);
  // A match is never dropped, but it counts: after it a reward the same day is capped.
  policy.decide(state_, decision(NudgeKind::kMentorMatch, "k", noon_ist, "n1"), out_);
  policy.decide(state_, decision(NudgeKind::kMentorMatch, "k", noon_ist + 1, "n2"), out_);
  policy.decide(state_, decision(NudgeKind::kMentorMatch, "k", noon_ist + 2, "n3"), out_);
  policy.decide(state_, decision(NudgeKind::kMentorReward, "k", noon_ist + 3, "n1"), out_);
  EXPECT_EQ(out_.nudges.size(), 7u);
  EXPECT_EQ(out_.counts[3][static_cast<int>(NudgeOutcome::kCapped)], 3);
}

TEST_F(PolicyTest, ReEligibilitySuppressesHoldoutIsRecordedAndLeadsBypass) {
  NudgePolicy policy({.daily_cap = 0}, zones_);  // nothing user-facing may be delivered
  const int64_t noon = kT0 + 6 * kHour + kHour / 2;
  policy.decide(state_, decision(NudgeKind::kSalesLead, "s", kT0 + 20 * kHour), out_);  // quiet
  Decision held = decision(NudgeKind::kMentorInvite, "h", noon);
  held.holdout = true;
  policy.decide(state_, held, out_);
  policy.decide(state_, decision(NudgeKind::kMentorInvite, "h", noon + 29 * kDay), out_);
  policy.decide(state_, decision(NudgeKind::kMentorInvite, "c", noon), out_);
  ASSERT_EQ(out_.nudges.size(), 2u);
  EXPECT_EQ(out_.nudges[0].kind, NudgeKind::kSalesLead);
  EXPECT_TRUE(out_.nudges[1].holdout);
  EXPECT_EQ(out_.counts[0][static_cast<int>(NudgeOutcome::kSuppressed)], 1);  // within 30 days
  EXPECT_EQ(out_.counts[0][static_cast<int>(NudgeOutcome::kCapped)], 1);
  EXPECT_EQ(out_.nudges[1].nudge_id,
            make_nudge_id(NudgeKind::kMentorInvite, "h", "", noon));  // ids from the inputs
}

// The id is part of nudge.v1 (consumers dedupe by it): the hash of the decision's inputs, as
// written since the first release.
TEST(NudgeId, IsTheKindAndTheHashOfTheDecisionsInputs) {
  for (int64_t ms : {int64_t{0}, int64_t{1780315200000}, int64_t{-5}}) {
    const std::string key = fmt::format("mentor_match\nmentee-é\nmentor\n{}", ms);
    EXPECT_EQ(make_nudge_id(NudgeKind::kMentorMatch, "mentee-é", "mentor", ms),
              fmt::format("mentor_match-{:016x}", XXH3_64bits(key.data(), key.size())));
  }
  EXPECT_EQ(make_nudge_id(NudgeKind::kSalesLead, "u1", "", 1780315200000).size(),
            std::string_view("sales_lead-").size() + 16);
}

ProgramRecord opt_in(const std::string& user, std::vector<std::string> languages,
                     std::vector<std::string> topics, int capacity) {
  ProgramRecord r;
  r.kind = ProgramInput::kMentorOptIn;
  r.user = user;
  r.languages = std::move(languages);
  r.topics = std::move(topics);
  r.capacity = capacity;
  return r;
}

ProgramRecord at_risk(const std::string& user, const std::string& language,
                      std::vector<std::string> topics) {
  ProgramRecord r;
  r.kind = ProgramInput::kAtRisk;
  r.user = user;
  r.language = language;
  r.topics = std::move(topics);
  r.risk = 0.7;
  return r;
}

class MentorProgramTest : public ::testing::Test {
 protected:
  MentorProgramTest()
      : zones_(load_zone_table(), TimeZone()),
        policy_(
            {.daily_cap = 100, .weekly_cap = 100, .quiet_start_minute = 0, .quiet_end_minute = 0},
            zones_),
        program_({.holdout_share = 0}, policy_) {}
  void feed(const ProgramRecord& r) { program_.process(s_, r, now_ += kHour, out_, fx_); }
  std::string mentor_of(const std::string& mentee) {
    auto it = s_.matches.find(mentee);
    return it == s_.matches.end() ? "" : it->second.mentor;
  }
  ZoneLookup zones_;
  NudgePolicy policy_;
  MentorProgram program_;
  ProgramState s_;
  PolicyOutput out_;
  ProgramEffects fx_;
  int64_t now_ = kT0;
};

TEST_F(MentorProgramTest, RanksByLanguageThenTopicsThenAnswersThenLoad) {
  feed(opt_in("m-fr", {"fr"}, {"grammar"}, 3));          // wrong language
  feed(opt_in("m-de-lessons", {"de"}, {"lessons"}, 3));  // no topic overlap
  feed(opt_in("m-de-grammar", {"de"}, {"grammar"}, 1));  // overlap, room for one
  feed(opt_in("m-de-grammar2", {"de", "en"}, {"grammar"}, 3));
  // m-de-grammar2 answers fast: ranked above m-de-grammar (no answers yet: one SLA).
  s_.mentors["m-de-grammar2"].stats = {0, 0, 600, 1};
  feed(at_risk("n1", "de", {"grammar"}));
  EXPECT_EQ(mentor_of("n1"), "m-de-grammar2");
  s_.mentors["m-de-grammar2"].suspended = true;  // without releasing n1, as no record would
  rebuild_indexes(s_);                           // the state changed under the program
  feed(at_risk("n2", "de", {"grammar"}));
  EXPECT_EQ(mentor_of("n2"), "m-de-grammar");
  feed(at_risk("n3", "de", {"grammar"}));  // m-de-grammar is full: overlap 0 is next
  EXPECT_EQ(mentor_of("n3"), "m-de-lessons");
  ProgramRecord block;
  block.kind = ProgramInput::kUserBlocked;
  block.user = "n4";
  block.peer = "m-de-lessons";
  feed(block);
  feed(at_risk("n4", "de", {}));  // blocked the only free German speaker: waits
  EXPECT_EQ(mentor_of("n4"), "");
  EXPECT_EQ(s_.waiting.count("n4"), 1u);
  feed(at_risk("n5", "ja", {}));  // nobody speaks Japanese
  EXPECT_EQ(s_.waiting.count("n5"), 1u);
  feed(opt_in("m-ja", {"ja"}, {}, 2));  // a new mentor takes the waiting Japanese speaker
  EXPECT_EQ(mentor_of("n5"), "m-ja");
  EXPECT_EQ(s_.waiting.count("n4"), 1u);
  EXPECT_EQ(fx_.matches, 4);
}

// The open-mentor index as ids: what matching scans.
std::map<std::string, std::set<std::string>> open_ids(const ProgramIndexes& index) {
  std::map<std::string, std::set<std::string>> ids;
  for (const auto& [id, m] : index.open_mentors) ids["*"].insert(id);
  for (const auto& [language, mentors] : index.open_by_language)
    for (const auto& [id, m] : mentors) ids[language].insert(id);
  return ids;
}

TEST_F(MentorProgramTest, TheOpenMentorsKeptRecordByRecordAreThoseALoadFinds) {
  ProgramRecord r;
  auto record = [&](ProgramInput kind, const std::string& user, const std::string& peer) {
    r = ProgramRecord();
    r.kind = kind;
    r.user = user;
    r.peer = peer;
    return r;
  };
  std::vector<std::map<std::string, std::set<std::string>>> seen;
  auto check = [&](const ProgramRecord& next) {
    feed(next);
    const auto kept = open_ids(s_.index);
    rebuild_indexes(s_);
    ASSERT_EQ(kept, open_ids(s_.index)) << "after record kind " << static_cast<int>(next.kind);
    seen.push_back(kept);
  };
  check(opt_in("m6", {"ja"}, {}, 1));
  check(at_risk("n6", "ja", {}));                       // fills m6
  check(record(ProgramInput::kUserDeleted, "n6", ""));  // m6 open again, nobody waits
  check(opt_in("m1", {"de", "en"}, {}, 1));
  check(opt_in("m2", {"de"}, {}, 2));
  check(opt_in("m3", {}, {}, 1));  // speaks no listed language
  check(opt_in("m5", {"it"}, {}, 1));
  check(at_risk("n1", "de", {}));
  check(at_risk("n2", "de", {}));
  check(at_risk("n3", "", {}));  // any language
  for (const char* reporter : {"r1", "r2", "r3"})
    check(record(ProgramInput::kMentorReport, reporter, "m5"));  // suspended without mentees
  check(opt_in("m1", {"fr"}, {}, 3));                            // new languages, more room
  check(record(ProgramInput::kUserBlocked, "n1", s_.matches.at("n1").mentor));  // rematch
  check(record(ProgramInput::kMentorOptOut, "m3", ""));
  check(record(ProgramInput::kUserDeleted, "m1", ""));
  check(opt_in("m4", {"de"}, {}, 1));
  // The story opened and closed mentors: a test of an index that never changes proves nothing.
  EXPECT_GE(std::set(seen.begin(), seen.end()).size(), 8u);
}

TEST_F(MentorProgramTest, RecordsSurviveTheirCodecs) {
  feed(opt_in("m1", {"de"}, {"grammar"}, 2));
  feed(at_risk("n1", "de", {"grammar"}));
  feed(at_risk("n2", "fr", {}));
  ProgramRecord report;
  report.kind = ProgramInput::kMentorReport;
  report.user = "r1";
  report.peer = "m1";
  feed(report);
  program_.advance(s_, now_ + 30 * kHour, out_, fx_);  // a reminder, then a second SLA
  // Each kind of record round-trips; a truncated one is refused.
  std::string bytes;
  codec::encode_mentor(bytes, s_.mentors.at("m1"));
  EXPECT_EQ(codec::decode_mentor(bytes), s_.mentors.at("m1"));
  EXPECT_FALSE(codec::decode_mentor(bytes.substr(0, bytes.size() - 1)));
  codec::encode_match(bytes, s_.matches.at("n1"));
  EXPECT_EQ(codec::decode_match(bytes), s_.matches.at("n1"));
  codec::encode_waiting(bytes, s_.waiting.at("n2"));
  EXPECT_EQ(codec::decode_waiting(bytes), s_.waiting.at("n2"));
  codec::encode_ids(bytes, s_.reporters.at("m1"));
  EXPECT_EQ(codec::decode_ids(bytes), s_.reporters.at("m1"));
  codec::encode_recipient(bytes, s_.policy.recipients.at("n1"));
  EXPECT_EQ(codec::decode_recipient(bytes), s_.policy.recipients.at("n1"));
  bytes[0] = 9;  // a version this build does not know
  EXPECT_THROW(codec::decode_recipient(bytes), std::runtime_error);
  ProgramEnvelope e = data(3, 9, kT0);
  e.record = at_risk("n1", "de", {"a", "b"});
  e.record.reasons = {{2, 0.5}};
  std::string env;
  codec::encode_envelope(env, e);
  EXPECT_EQ(codec::decode_envelope(env), e);
  EXPECT_FALSE(codec::decode_envelope(env.substr(0, env.size() - 1)));
}

TEST(RiskTracker, TheTimerIsTheFirstDayTheSilentScoreCrosses) {
  RiskTracker tracker({});
  const TimeZone tz;
  const int32_t day = static_cast<int32_t>(kT0 / kDay);
  UserActivity u;
  for (int32_t d = day - 4; d <= day; ++d) u.add_day(d);
  UserProfile p;
  RiskCounts counts;
  const Rescored r = tracker.rescore(u, p, day, kT0 + 12 * kHour, tz, counts);
  ASSERT_FALSE(p.risk.at_risk);
  ASSERT_NE(p.risk.timer_ms, INT64_MIN);
  const int32_t due = tz.day_of(p.risk.timer_ms);
  auto score = [&](int32_t d, int64_t ms) {
    return score_risk(tracker.config().model, tracker.features(u, p, d, ms)).score;
  };
  for (int32_t d = day + 1; d < due; ++d)
    EXPECT_LT(score(d, tz.day_start_ms(d)), tracker.config().threshold);
  EXPECT_GE(score(due, p.risk.timer_ms), tracker.config().threshold);
  EXPECT_EQ(counts.by_bucket[p.risk.bucket - 1u], 1);
  EXPECT_EQ(r.crossing, RiskCrossing::kNone);
  // Rescored on the due day it crosses; the counts move with it.
  const Rescored up = tracker.rescore(u, p, due, p.risk.timer_ms, tz, counts);
  EXPECT_EQ(up.crossing, RiskCrossing::kUp);
  EXPECT_EQ(counts.at_risk, 1);
  int64_t scored = 0;
  for (int64_t c : counts.by_bucket) scored += c;
  EXPECT_EQ(scored, 1);
}

}  // namespace
TEST(RiskTracker, ComparingLogitsDecidesAsComparingScores) {
  // Around each threshold's logit: the neighbouring doubles, then steps out to far beyond the
  // margin in which the score is computed. Thresholds near 0 and 1 take the exact way throughout.
  for (double t : {1e-9, 1e-6, 0.001, 0.3, 0.5, 0.77, 0.999, 1 - 1e-6, 1 - 1e-8, 1 - 1e-9}) {
    RiskConfig config;
    config.threshold = t;
    const RiskTracker tracker(config);
    const double boundary = std::log(t / (1 - t));
    std::vector<double> logits;
    for (double z = boundary, w = boundary; logits.size() < 2000;) {
      logits.push_back(z = std::nextafter(z, INFINITY));
      logits.push_back(w = std::nextafter(w, -INFINITY));
    }
    for (double step = 1e-12; step < 100; step *= 1.5) {
      logits.push_back(boundary + step);
      logits.push_back(boundary - step);
    }
    for (int i = 1; i <= 20000; ++i) {  // just beyond the margin, densely
      logits.push_back(boundary + 1e-9 + i * 1e-11);
      logits.push_back(boundary - 1e-9 - i * 1e-11);
    }
    int above = 0;
    for (double z : logits) {
      const bool exact = risk_probability(z) >= t;
      ASSERT_EQ(tracker.at_or_above_threshold(z), exact) << "threshold " << t << " logit " << z;
      above += exact;
    }
    EXPECT_GT(above, 0);
    EXPECT_LT(above, static_cast<int>(logits.size()));
  }
}

}  // namespace engaged
