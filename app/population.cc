// Day-by-day simulation: each day every signed-up, not-yet-churned user decides whether to be
// active, then plays out sessions; events are rendered to JSON only when emitted. The flavours
// differ only in who is active on a day and which actions they do
// (Generator::course_active_today, pick_action); everything else is shared.
#include "app/population.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <queue>
#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/timestamp.h"

namespace engaged {
namespace {

// xoshiro256** seeded by splitmix64: fast, and identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& x : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      x = z ^ (z >> 31);
    }
  }
  uint64_t next() {
    const uint64_t r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  int64_t below(int64_t n) { return static_cast<int64_t>(uniform() * static_cast<double>(n)); }
  double normal() {
    double u1 = std::max(uniform(), 1e-12), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  int geometric(double mean) {  // >= 0
    double p = 1.0 / (1.0 + mean);
    return static_cast<int>(std::floor(std::log(std::max(uniform(), 1e-12)) / std::log(1.0 - p)));
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

enum class Kind : uint8_t { kRegular, kChurner, kPower };

struct Profile {
  int32_t signup_day;
  int32_t churn_day;  // no activity from this day on (INT32_MAX = never)
  Kind kind;
  float base_p;          // probability of being active on a given day
  float half_life_days;  // decay of base_p for churners
  float session_rate;    // heavy-tailed: mean extra sessions per active day
  float actions_per_session;
  int8_t tz_hours;  // used for the diurnal shape and the props
  uint8_t platform, country;
  bool streaker;  // checks in daily
  bool mentor = false;
  // Course flavour: how seriously the learner takes it (0..1), deadlines missed so far, and
  // whether this week's assignment is in.
  float diligence = 0;
  uint8_t missed = 0;
  bool submitted = false;
  uint8_t topics;    // bit set over kTopics
  uint8_t capacity;  // mentees at once, when a mentor
};

constexpr std::string_view kPlatforms[] = {"ios", "android", "web"};
constexpr uint8_t kWeb = 2;  // the web app has no session tracking: no session ids or events
constexpr std::string_view kCountries[] = {"US", "DE", "BR", "IN", "GB", "FR", "JP", "NG"};
constexpr std::string_view kLocales[] = {"en-US", "de-DE", "pt-BR", "hi-IN",
                                         "en-GB", "fr-FR", "ja-JP", "en-NG"};
constexpr std::string_view kTimeZones[] = {"America/New_York", "Europe/Berlin", "America/Sao_Paulo",
                                           "Asia/Kolkata",     "Europe/London", "Europe/Paris",
                                           "Asia/Tokyo",       "Africa/Lagos"};
constexpr int8_t kTzHours[] = {-5, 1, -3, 5, 0, 1, 9, 1};
constexpr std::string_view kActions[] = {"open_lesson",  "complete_lesson", "search",
                                         "view_pricing", "post_comment",    "share",
                                         "open_profile", "play_audio"};
constexpr double kActionWeights[] = {0.30, 0.14, 0.14, 0.05, 0.10, 0.04, 0.11, 0.12};
constexpr std::string_view kCourseActions[] = {"watch_video",    "open_lesson",      "take_quiz",
                                               "post_comment",   "search",           "view_pricing",
                                               "download_notes", "submit_assignment"};
constexpr uint8_t kSubmit = 7;   // kCourseActions index of submit_assignment
constexpr int kCourseWeeks = 8;  // weekly deadlines on days 6, 13, ..., 55 after signup
// What newcomers say they want to learn (signup props.topics) and what mentors offer.
constexpr std::string_view kTopics[] = {"lessons", "grammar", "pronunciation", "exam_prep"};

// A generated event before rendering: compact, so a day of a large population fits in memory.
struct Pending {
  int64_t emit_ms;  // order of emission (ts, or later for late events)
  int64_t ts_ms;
  uint64_t seq;  // unique, also the event id
  uint32_t user;
  uint32_t aux;  // session / ticket number, referred/peer user, action index, amount cents
  EventType type;
  uint8_t aux2;  // score, action index
  bool sent;     // false: generated but not sent (session events of web users)
  bool operator>(const Pending& o) const {
    return emit_ms != o.emit_ms ? emit_ms > o.emit_ms : seq > o.seq;
  }
};

class Generator {
 public:
  Generator(const PopulationOptions& o, const MessageSink& sink)
      : o_(o), sink_(sink), rng_(o.seed) {}

  uint64_t run() {
    make_profiles();
    const int32_t first_day = o_.end_day - o_.days + 1;
    for (int32_t day = first_day; day <= o_.end_day; ++day) {
      simulate_day(day);
      emit_until(int64_t{day + 1} * 86400000);
    }
    emit_until(INT64_MAX);
    return emitted_;
  }

 private:
  void make_profiles() {
    const int32_t first_day = o_.end_day - o_.days + 1;
    profiles_.resize(static_cast<size_t>(o_.users));
    for (auto& p : profiles_) {
      // Growth: signups become more frequent over the period.
      p.signup_day = first_day + static_cast<int32_t>(std::sqrt(rng_.uniform()) * o_.days);
      double k = rng_.uniform();
      p.kind = k < 0.35 ? Kind::kChurner : k < 0.45 ? Kind::kPower : Kind::kRegular;
      switch (p.kind) {
        case Kind::kChurner:
          p.base_p = static_cast<float>(0.45 + 0.35 * rng_.uniform());
          p.half_life_days = static_cast<float>(2 + 8 * rng_.uniform());
          p.churn_day = p.signup_day + 1 + rng_.geometric(9.0);
          break;
        case Kind::kPower:
          p.base_p = static_cast<float>(0.75 + 0.2 * rng_.uniform());
          p.churn_day = INT32_MAX;
          break;
        case Kind::kRegular:
          p.base_p = static_cast<float>(0.2 + 0.4 * rng_.uniform());
          p.churn_day = rng_.chance(0.25) ? p.signup_day + 20 + rng_.geometric(30.0) : INT32_MAX;
          break;
      }
      // Heavy tail: lognormal session rate and actions per session.
      p.session_rate = static_cast<float>(std::exp(-0.7 + 0.9 * rng_.normal()));
      p.actions_per_session = static_cast<float>(std::exp(1.1 + 0.6 * rng_.normal()));
      int c = static_cast<int>(rng_.below(8));
      p.country = static_cast<uint8_t>(c);
      p.tz_hours = kTzHours[c];
      double pl = rng_.uniform();
      p.platform = pl < 0.45 ? 0 : pl < 0.9 ? 1 : 2;
      p.streaker = rng_.chance(0.3);
      p.topics = static_cast<uint8_t>(1u << rng_.below(4));
      if (rng_.chance(0.4)) p.topics |= static_cast<uint8_t>(1u << rng_.below(4));
      p.capacity = static_cast<uint8_t>(2 + rng_.below(4));
      if (o_.flavour == Flavour::kCourse) {
        // Nobody is fated to churn: dropouts follow from missed deadlines (active_today).
        p.diligence = static_cast<float>(std::pow(rng_.uniform(), 0.7));
        p.base_p = 0.15f + 0.35f * p.diligence;
        p.churn_day = INT32_MAX;
        p.kind = p.diligence > 0.8f ? Kind::kPower : Kind::kRegular;
      }
    }
  }

  // Course flavour: activity comes in bursts before each weekly deadline; a missed deadline
  // costs motivation and often the learner; after the last week most completers leave.
  bool course_active_today(int32_t day, Profile& p) {
    const int age = day - p.signup_day;
    if (age >= kCourseWeeks * 7) {
      if (day == p.signup_day + kCourseWeeks * 7 && !rng_.chance(0.2)) p.churn_day = day;
      return day < p.churn_day && rng_.chance(0.08);
    }
    const int to_deadline = 6 - age % 7;
    const double burst = to_deadline == 0   ? 3.0
                         : to_deadline == 1 ? 2.0
                         : to_deadline <= 3 ? 1.0
                                            : 0.5;
    const double prob =
        day == p.signup_day ? 1.0 : std::min(0.97, p.base_p * burst * std::pow(0.7, p.missed));
    const bool active = rng_.chance(prob);
    if (active && to_deadline <= 2 && !p.submitted && rng_.chance(0.3 + 0.6 * p.diligence))
      p.submitted = true;  // handed in during the day's first session (simulate_day)
    if (to_deadline == 0) {
      const double drop = p.submitted ? 0.04 * (1.0 - p.diligence) : 0.35;
      if (!p.submitted) ++p.missed;
      p.submitted = false;
      if (rng_.chance(drop)) p.churn_day = day + 1 + rng_.geometric(1.0);
    }
    return active;
  }

  uint8_t pick_action(const Profile& p) {
    if (o_.flavour == Flavour::kApp) {
      double w = rng_.uniform();
      uint8_t idx = 0;
      for (double acc = kActionWeights[0]; w > acc && idx < 7; acc += kActionWeights[++idx]) {
      }
      return idx;
    }
    // Diligent learners quiz and take notes more: the action mix says who will stay.
    const double d = 0.3 + p.diligence;
    const double w[] = {0.35, 0.20, 0.12 * d, 0.08, 0.07, 0.02, 0.08 * d};
    double total = 0;
    for (double x : w) total += x;
    double r = rng_.uniform() * total;
    uint8_t idx = 0;
    while (idx < 6 && r >= w[idx]) r -= w[idx++];
    return idx;
  }

  int64_t local_hour_to_utc_ms(int32_t day, const Profile& p, double local_hour) {
    return int64_t{day} * 86400000 + static_cast<int64_t>((local_hour - p.tz_hours) * 3600000.0);
  }

  // Diurnal shape: most activity 8h-23h local time.
  double pick_local_hour() {
    double h = 7.0 + 16.5 * rng_.uniform();
    if (rng_.chance(0.35)) h = 18.0 + 5.0 * rng_.uniform();  // evening peak
    return h;
  }

  void push(int64_t ts, uint32_t user, EventType type, uint32_t aux = 0, uint8_t aux2 = 0) {
    if (ts >= int64_t{o_.end_day + 1} * 86400000) return;  // the period ends at end_day
    int64_t emit = ts;
    if (o_.late_fraction > 0 && rng_.chance(o_.late_fraction))
      emit = ts + static_cast<int64_t>(rng_.uniform() * static_cast<double>(o_.max_delay_ms));
    const bool sent = profiles_[user].platform != kWeb ||
                      (type != EventType::kSessionStart && type != EventType::kSessionEnd);
    queue_.push({emit, ts, next_seq_++, user, aux, type, aux2, sent});
  }

  void simulate_day(int32_t day) {
    int days_civil_y;
    unsigned m, d;
    civil_from_days(day, days_civil_y, m, d);
    const int weekday = static_cast<int>((day + 4) % 7 + 7) % 7;  // 0 = Sunday
    const double season = (weekday == 0 || weekday == 6) ? 0.75 : 1.0;
    for (uint32_t u = 0; u < profiles_.size(); ++u) {
      Profile& p = profiles_[u];
      // One churner in 20 deletes the account 3 days after leaving: later than any late event.
      if (day == int64_t{p.churn_day} + 3 && p.kind == Kind::kChurner && u % 20 == 7)
        push(local_hour_to_utc_ms(day, p, 12.0), u, EventType::kUserDeleted);
      if (day < p.signup_day || day >= p.churn_day) continue;
      const int age = day - p.signup_day;
      if (o_.flavour == Flavour::kCourse) {
        const bool had_submitted = p.submitted;
        if (!course_active_today(day, p)) continue;
        submit_today_ = p.submitted && !had_submitted;
      } else {
        double prob = day == p.signup_day ? 1.0 : p.base_p * season;
        if (p.kind == Kind::kChurner) prob *= std::pow(0.5, age / p.half_life_days);
        if (!rng_.chance(prob)) continue;
      }
      int sessions = 1 + std::min(7, rng_.geometric(p.session_rate));
      double hour = pick_local_hour();
      if (day == p.signup_day) push(local_hour_to_utc_ms(day, p, hour), u, EventType::kSignup);
      for (int s = 0; s < sessions && hour < 24.0; ++s) {
        int64_t t = local_hour_to_utc_ms(day, p, hour);
        uint32_t session = static_cast<uint32_t>(next_session_++);
        push(t, u, EventType::kSessionStart, session);
        int actions = 1 + std::min(60, rng_.geometric(p.actions_per_session));
        for (int a = 0; a < actions; ++a) {
          t += 5000 + rng_.below(90000);
          push(t, u, EventType::kAction, session, pick_action(p));
        }
        if (submit_today_) {
          t += 5000 + rng_.below(90000);
          push(t, u, EventType::kAction, session, kSubmit);
          submit_today_ = false;
        }
        if (rng_.chance(0.015))
          push(t + 2000, u, EventType::kPurchase, static_cast<uint32_t>(99 + 100 * rng_.below(50)));
        push(t + 10000 + rng_.below(60000), u, EventType::kSessionEnd, session);
        hour += 0.5 + 4.0 * rng_.uniform();
      }
      int64_t any = local_hour_to_utc_ms(day, p, pick_local_hour());
      if (p.streaker)
        push(local_hour_to_utc_ms(day, p, 7.5 + rng_.uniform()), u, EventType::kCheckIn);
      if (rng_.chance(0.02)) {
        double r = rng_.uniform();
        uint8_t score = r < 0.6 ? 9 + rng_.below(2) : r < 0.85 ? 7 + rng_.below(2) : rng_.below(7);
        push(any, u, EventType::kFeedback, 0, score);
      }
      if (rng_.chance(0.007)) {
        uint32_t ticket = static_cast<uint32_t>(next_ticket_++);
        push(any, u, EventType::kSupportTicket, ticket);
        int64_t delay = static_cast<int64_t>(std::exp(7.5 + 1.6 * rng_.normal()) * 1000.0);
        if (rng_.chance(0.9))
          push(any + std::min<int64_t>(delay, 4 * 86400000LL), u, EventType::kSupportReply, ticket);
      }
      if (rng_.chance(0.005))
        push(any + 1000, u, EventType::kReferral, static_cast<uint32_t>(rng_.below(o_.users)));
      if (p.kind == Kind::kPower && !p.mentor && age >= 14 && rng_.chance(0.03)) {
        p.mentor = true;
        mentors_.push_back(u);
        push(any + 2000, u, EventType::kMentorOptIn);
      }
      // Newcomers rate a mentor now and then; a few block someone.
      if (age < 14 && !mentors_.empty() && rng_.chance(0.01)) {
        const uint32_t m = mentors_[static_cast<size_t>(rng_.below(std::ssize(mentors_)))];
        push(any + 5000, u, EventType::kMentorRating, m, static_cast<uint8_t>(6 + rng_.below(5)));
      }
      if (rng_.chance(0.0002))
        push(any + 6000, u, EventType::kUserBlocked, static_cast<uint32_t>(rng_.below(o_.users)));
      if (p.mentor && rng_.chance(0.3))
        push(any + 3000, u, EventType::kMentorMessage, static_cast<uint32_t>(rng_.below(o_.users)));
      if (rng_.chance(0.0003))
        push(any + 4000, u, EventType::kMentorReport, static_cast<uint32_t>(rng_.below(o_.users)));
    }
  }

  void append_ts(int64_t ts) {
    if (rng_.chance(o_.epoch_ms_share)) {
      fmt::format_to(std::back_inserter(buf_), "{}", ts);
      return;
    }
    // A few producers send local time with an offset.
    int offset_h = rng_.chance(0.05) ? 2 : 0;
    int64_t local = ts + offset_h * 3600000LL;
    int32_t day = utc_day_of(local);
    int y;
    unsigned mo, d;
    civil_from_days(day, y, mo, d);
    int64_t ms = local - int64_t{day} * 86400000;
    fmt::format_to(std::back_inserter(buf_),
                   "\"{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}{}\"", y, mo, d, ms / 3600000,
                   ms / 60000 % 60, ms / 1000 % 60, ms % 1000, offset_h ? "+02:00" : "Z");
  }

  void render(const Pending& e) {
    const Profile& p = profiles_[e.user];
    buf_.clear();
    key_ = fmt::format("u{}", e.user);
    fmt::format_to(std::back_inserter(buf_),
                   "{{\"event_id\":\"e{:x}\",\"user_id\":\"{}\",\"type\":\"{}\",\"ts\":", e.seq,
                   key_, event_type_name(e.type));
    append_ts(e.ts_ms);
    switch (e.type) {
      case EventType::kSessionStart:
      case EventType::kSessionEnd:
        fmt::format_to(std::back_inserter(buf_), ",\"session_id\":\"s{:x}\"", e.aux);
        break;
      case EventType::kAction:
        if (p.platform != kWeb)
          fmt::format_to(std::back_inserter(buf_), ",\"session_id\":\"s{:x}\"", e.aux);
        fmt::format_to(std::back_inserter(buf_), ",\"name\":\"{}\"",
                       o_.flavour == Flavour::kCourse ? kCourseActions[e.aux2] : kActions[e.aux2]);
        break;
      case EventType::kPurchase:
        fmt::format_to(std::back_inserter(buf_), ",\"amount\":{}.{:02d},\"currency\":\"{}\"",
                       e.aux / 100, e.aux % 100, p.country == 1 || p.country == 5 ? "EUR" : "USD");
        break;
      case EventType::kFeedback:
        fmt::format_to(std::back_inserter(buf_), ",\"score\":{}", e.aux2);
        break;
      case EventType::kSupportTicket:
      case EventType::kSupportReply:
        fmt::format_to(std::back_inserter(buf_), ",\"ticket_id\":\"t{:x}\"", e.aux);
        break;
      case EventType::kReferral:
        fmt::format_to(std::back_inserter(buf_), ",\"referred_user_id\":\"u{}\"", e.aux);
        break;
      case EventType::kSignup:  // one user in 20 redeemed another's referral code
        if (e.user % 20 == 19)
          fmt::format_to(std::back_inserter(buf_), ",\"referrer_user_id\":\"u{}\"", e.user / 2);
        break;
      case EventType::kMentorMessage:
      case EventType::kMentorReport:
      case EventType::kUserBlocked:
        fmt::format_to(std::back_inserter(buf_), ",\"peer_user_id\":\"u{}\"", e.aux);
        break;
      case EventType::kMentorRating:
        fmt::format_to(std::back_inserter(buf_), ",\"peer_user_id\":\"u{}\",\"score\":{}", e.aux,
                       e.aux2);
        break;
      default:
        break;
    }
    if (e.type == EventType::kSignup || e.type == EventType::kSessionStart ||
        e.type == EventType::kMentorOptIn) {
      fmt::format_to(std::back_inserter(buf_),
                     ",\"props\":{{\"platform\":\"{}\",\"country\":\"{}\",\"locale\":\"{}\","
                     "\"tz\":\"{}\",\"app_version\":\"{}.{}.0\"",
                     kPlatforms[p.platform], kCountries[p.country], kLocales[p.country],
                     kTimeZones[p.country], 3 + (e.ts_ms / 86400000) % 2, (e.user % 7));
      if (e.type == EventType::kMentorOptIn)
        fmt::format_to(std::back_inserter(buf_), ",\"languages\":[\"{}\"{}],\"capacity\":{}",
                       kLocales[p.country].substr(0, 2),
                       kLocales[p.country].substr(0, 2) != "en" && e.user % 3 == 0 ? ",\"en\"" : "",
                       p.capacity);
      if (e.type != EventType::kSessionStart) {
        buf_ += ",\"topics\":[";
        bool first = true;
        for (size_t t = 0; t < std::size(kTopics); ++t)
          if (p.topics & (1u << t)) {
            fmt::format_to(std::back_inserter(buf_), "{}\"{}\"", first ? "" : ",", kTopics[t]);
            first = false;
          }
        buf_ += "]";
      }
      buf_.push_back('}');
    }
    buf_.push_back('}');
    if (o_.invalid_rate > 0 && rng_.chance(o_.invalid_rate)) corrupt();
  }

  // Out-of-contract variants, as buggy producers send them.
  void corrupt() {
    switch (rng_.below(5)) {
      case 0:  // truncated
        buf_.resize(buf_.size() / 2);
        break;
      case 1: {  // user_id dropped
        auto pos = buf_.find(",\"user_id\":");
        auto end = buf_.find(',', pos + 1);
        buf_.erase(pos, end - pos);
        break;
      }
      case 2: {  // unknown type
        auto pos = buf_.find("\"type\":\"");
        auto end = buf_.find('"', pos + 8);
        buf_.replace(pos + 8, end - pos - 8, "app_open");
        break;
      }
      case 3: {  // local time without offset
        buf_ = fmt::format(
            "{{\"event_id\":\"x{:x}\",\"user_id\":\"{}\",\"type\":\"action\","
            "\"name\":\"open_lesson\",\"ts\":\"2026-01-01 10:00:00\"}}",
            next_seq_++, key_);
        break;
      }
      default:  // a number where a string belongs
        buf_ = fmt::format("{{\"event_id\":{},\"user_id\":\"{}\",\"type\":\"check_in\",\"ts\":0}}",
                           next_seq_++, key_);
        break;
    }
  }

  void emit_until(int64_t limit_ms) {
    while (!queue_.empty() && queue_.top().emit_ms < limit_ms) {
      // Unsent events are rendered all the same: rendering draws from the PRNG, so every sent
      // event stays exactly what it would be if they were sent.
      const bool sent = queue_.top().sent;
      render(queue_.top());
      queue_.pop();
      if (!sent) continue;
      sink_(key_, buf_);
      ++emitted_;
    }
  }

  const PopulationOptions& o_;
  const MessageSink& sink_;
  Rng rng_;
  std::vector<Profile> profiles_;
  std::vector<uint32_t> mentors_;  // users who opted in, in order
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> queue_;
  uint64_t next_seq_ = 1, next_session_ = 1, next_ticket_ = 1, emitted_ = 0;
  std::string buf_, key_;
  bool submit_today_ = false;  // course flavour: the user hands in this week's assignment today
};

}  // namespace

uint64_t generate_population(const PopulationOptions& options, const MessageSink& sink) {
  return Generator(options, sink).run();
}

}  // namespace engaged
