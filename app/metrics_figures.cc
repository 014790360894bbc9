// The product gauges beyond activity, retention, sessions and NPS: stickiness distribution,
// streaks, money, referrals, support, aha reach and segments. Defined once in kFigureGauges;
// every label set is bounded (day: 2 values, days: 1..30, currency: revenue.currencies plus
// "other", segment values: the configured allowlists plus "other").
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "app/metrics.h"

namespace engaged {
namespace {

struct GaugeDef {
  const char* name;
  const char* help;
};

constexpr GaugeDef kFigureGauges[] = {
    {"engaged_stickiness_distribution_users",
     "Users by number of active days (label days) in the 7 or 30 days (label window) ending on "
     "the day."},
    {"engaged_check_in_users", "Users who checked in on the day."},
    {"engaged_long_streak_users", "Users whose check-in streak on the day is at least 7 days."},
    {"engaged_streak_breaks_users",
     "Users whose check-in streak of at least 2 days ended the day before."},
    {"engaged_paying_users", "Users with at least one purchase on the day (ARPPU denominator)."},
    {"engaged_day_revenue", "Revenue on the day, in units of the currency label (no conversion)."},
    {"engaged_day_purchases", "Purchases on the day, by currency."},
    {"engaged_referrals_sent", "Referral events on the day."},
    {"engaged_referrers_users",
     "Users who referred someone in the 30 days ending on the day (recommendation rate = this / "
     "MAU)."},
    {"engaged_referred_activated_users",
     "Referred users (signup with a referrer) whose first active day is the day: conversions."},
    {"engaged_support_tickets", "Support tickets opened on the day."},
    {"engaged_support_answered_tickets", "Tickets opened on the day that have a first reply."},
    {"engaged_support_answered_within_1h_tickets",
     "Tickets opened on the day whose first reply came within 1 hour."},
    {"engaged_support_response_seconds",
     "Summed first-response time of the tickets opened on the day and answered."},
    {"engaged_support_open_over_sla_tickets",
     "Unanswered tickets opened more than support.sla before the stream time."},
    {"engaged_aha_cohort_users",
     "Size of the newest daily cohort whose aha window has ended (aha reach denominator)."},
    {"engaged_aha_reached_users", "Users of that cohort who reached the aha moment in time."},
    {"engaged_segment_active_users",
     "Users active in the window ending on the day, per segment (dimension, value)."},
};

}  // namespace

void Metrics::register_figures() {
  for (const auto& g : kFigureGauges) figures_[g.name] = &gauge(*registry_, g.name, g.help);
}

prometheus::Family<prometheus::Gauge>& Metrics::figure(std::string_view name) {
  const auto it = figures_.find(name);
  if (it == figures_.end())  // a name missing from kFigureGauges: every publish test hits it
    throw std::logic_error(fmt::format("gauge {} is neither in kFigureGauges nor declared", name));
  return *it->second;
}

void Metrics::register_gauges(std::span<const GaugeSpec> specs) {
  for (const GaugeSpec& g : specs) {
    if (figures_.count(g.name)) continue;  // registered by an earlier pipeline of this process
    figures_[std::string(g.name)] = &gauge(*registry_, g.name, g.help);
  }
}

void Metrics::publish_gauge(std::string_view name, const std::vector<GaugeSample>& samples) {
  prometheus::Family<prometheus::Gauge>& family = figure(name);
  for (const GaugeSample& s : samples) family.Add(s.labels).Set(s.value);
}

void Metrics::publish_figures(const EngagementSnapshot& s, const SegmentConfig& segments) {
  for (auto [label, f] : {std::pair{"current", &s.current_figures},
                          std::pair{"latest_complete", &s.latest_complete_figures}}) {
    for (int k = 1; k <= 7; ++k)
      figure("engaged_stickiness_distribution_users")
          .Add({{"day", label}, {"window", "7d"}, {"days", std::to_string(k)}})
          .Set(double(f->active_days_7[static_cast<size_t>(k)]));
    for (int k = 1; k <= 30; ++k)
      figure("engaged_stickiness_distribution_users")
          .Add({{"day", label}, {"window", "30d"}, {"days", std::to_string(k)}})
          .Set(double(f->active_days_30[static_cast<size_t>(k)]));
    figure("engaged_check_in_users").Add({{"day", label}}).Set(double(f->check_ins));
    figure("engaged_long_streak_users").Add({{"day", label}}).Set(double(f->on_streak_7));
    figure("engaged_streak_breaks_users").Add({{"day", label}}).Set(double(f->streak_breaks));
    figure("engaged_paying_users").Add({{"day", label}}).Set(double(f->paying_users));
    figure("engaged_referrals_sent").Add({{"day", label}}).Set(double(f->referrals_sent));
    figure("engaged_referrers_users").Add({{"day", label}}).Set(double(f->referrers_30d));
    figure("engaged_referred_activated_users")
        .Add({{"day", label}})
        .Set(double(f->referred_activated));
    figure("engaged_support_tickets").Add({{"day", label}}).Set(double(f->tickets_opened));
    figure("engaged_support_answered_tickets")
        .Add({{"day", label}})
        .Set(double(f->tickets_answered));
    figure("engaged_support_answered_within_1h_tickets")
        .Add({{"day", label}})
        .Set(double(f->answered_within_1h));
    figure("engaged_support_response_seconds")
        .Add({{"day", label}})
        .Set(double(f->response_ms) / 1000.0);
  }
  for (auto [label, r] : {std::pair{"current", &s.current_revenue},
                          std::pair{"latest_complete", &s.latest_complete_revenue}}) {
    // Bounded: the allowlisted codes, and "other" for the sum of the rest.
    std::map<std::string, std::pair<int64_t, int64_t>> by_label;  // micros, purchases
    for (const auto& [currency, m] : r->by_currency) {
      const bool listed =
          std::find(currencies_.begin(), currencies_.end(), currency) != currencies_.end();
      auto& sum = by_label[listed ? currency : "other"];
      sum.first += m.micros;
      sum.second += m.purchases;
    }
    for (const auto& [currency, sum] : by_label) {
      figure("engaged_day_revenue")
          .Add({{"day", label}, {"currency", currency}})
          .Set(double(sum.first) / 1e6);
      figure("engaged_day_purchases")
          .Add({{"day", label}, {"currency", currency}})
          .Set(double(sum.second));
    }
  }
  figure("engaged_support_open_over_sla_tickets").Add({}).Set(double(s.tickets_over_sla));
  figure("engaged_aha_cohort_users").Add({}).Set(double(s.aha_cohort_size));
  figure("engaged_aha_reached_users").Add({}).Set(double(s.aha_reached));
  for (const auto& [slot, days] : s.segments) {
    const auto [dimension, value] = slot;
    if (static_cast<size_t>(value) > segments.allowlists[static_cast<size_t>(dimension)].size())
      continue;  // a value index the current configuration does not name
    const std::string dim(segment_dimension_name(dimension));
    const std::string name(segments.value_name(dimension, value));
    for (auto [label, c] :
         {std::pair{"current", &days.first}, std::pair{"latest_complete", &days.second}})
      for (auto [window, n] :
           {std::pair{"1d", c->dau}, std::pair{"7d", c->wau}, std::pair{"30d", c->mau}})
        figure("engaged_segment_active_users")
            .Add({{"dimension", dim}, {"value", name}, {"day", label}, {"window", window}})
            .Set(double(n));
  }
}

}  // namespace engaged
