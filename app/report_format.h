// Turns state tables into the outputs of `engaged report`: exact CSV / JSON tables for machines
// and the readable summary the demo ends with.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "app/table_writer.h"
#include "processors/aha/aha_processor.h"
#include "processors/program/churn_risk.h"
#include "processors/runtime/state_tables.h"
#include "processors/runtime/topology.h"
#include "processors/segments/segment_processor.h"

namespace engaged {

// day,dau,wau,mau,new,returning,resurrecting,dormant — first to last active day.
void write_daily(const StateTables& t, DayRange range, const std::string& format,
                 std::ostream& out);
// cohort_day,cohort_size,day_n,retained (weekly: cohort_week,cohort_size,week_n,retained) —
// every non-zero cell of one cohort table.
void write_retention(const StateTables& t, CohortTable table, DayRange range,
                     const std::string& format, std::ostream& out);
// day,sessions,session_actions,session_duration_ms,len_lt_1m,...,len_ge_60m — every day from
// the first to the last with a session.
void write_sessions(const StateTables& t, DayRange range, const std::string& format,
                    std::ostream& out);
// day,responses,promoters,passives,detractors and the same over the 30 days ending on the day
// (suffix _30d) — every day from the first to the last with a response.
void write_nps(const StateTables& t, DayRange range, const std::string& format, std::ostream& out);
// day,currency,revenue,purchases,paying_users,dau — one row per day and currency with a purchase
// (revenue in the currency's units; paying users over all currencies; ARPU = revenue / dau,
// ARPPU = revenue / paying users).
void write_revenue(const StateTables& t, DayRange range, const std::string& format,
                   std::ostream& out);
// day,dau,wau,mau,stickiness,active_days_7_1..7,active_days_30_1..30 — the distribution of
// days active in the 7 and 30 days ending on each day.
void write_stickiness(const StateTables& t, DayRange range, const std::string& format,
                      std::ostream& out);
// day,check_ins,on_streak_7,streak_breaks
void write_streaks(const StateTables& t, DayRange range, const std::string& format,
                   std::ostream& out);
// day,tickets,answered,within_1h,share_within_1h,mean_response_s,unanswered,response_<bucket>
// — by the day tickets were opened.
void write_support(const StateTables& t, DayRange range, const std::string& format,
                   std::ostream& out);
// day,referrals_sent,referrers_30d,mau,recommendation_rate,referred_activated
void write_referrals(const StateTables& t, DayRange range, const std::string& format,
                     std::ostream& out);
// cohort_day,currency,cohort_size,payers_7d..90d,revenue_7d..90d,ltv_7d..90d (per cohort user)
void write_ltv(const StateTables& t, DayRange range, const std::string& format, std::ostream& out);
// cohort_day,cohort_size,reached,reach_rate,median_hours
void write_aha_reach(const StateTables& t, DayRange range, const std::string& format,
                     std::ostream& out);
// action,k,users,retained,share,ppv,phi — discovery candidates ranked by phi, over the cohorts
// whose week 2 ended by `latest_complete_day`.
void write_aha(const StateTables& t, const std::vector<std::string>& candidates,
               int32_t latest_complete_day, const std::string& format, std::ostream& out);
// dimension,value,day,dau,wau,mau,new,returning,resurrecting,dormant
void write_segments(const StateTables& t, const SegmentConfig& config, DayRange range,
                    const std::string& format, std::ostream& out);
// The mentoring program's experiment as of `day`: per outcome (returned within 7 days, active on
// day 7 and day 30 after entering) the treated and holdout users old enough to count, their
// rates, and the uplift (treated - holdout) with a 95 % normal-approximation interval.
void write_uplift(const StateTables& t, int32_t day, const std::string& format, std::ostream& out);
// Nudge opens by kind and of those the ones followed by a return within 7 days, per day.
void write_nudge_opens(const StateTables& t, DayRange range, const std::string& format,
                       std::ostream& out);
// user_id,score,reason1,reason2,reason3,why — every stored user's churn risk as of `inputs.day`,
// highest first (ties by user id); `why` is the reasons in words.
void write_risk(Store& store, const RiskModel& model, const std::vector<std::string>& actions,
                const RiskInputs& inputs, const std::string& format, std::ostream& out);
// rejection reason counts, non-zero only, largest first.
void write_rejections(const StateTables& t, const std::string& format, std::ostream& out);
// Last 14 days, recent cohorts' retention, top rejection reasons: for people.
// The summary: a text view (any format but json), or one JSON object with --format json.
void write_summary(const StateTables& t, const std::string& format, std::ostream& out);
// A report a processor declared (Processor::reports), by name; throws on an unknown name.
void write_processor_report(Store& store, const Topology& topology, const std::string& name,
                            const ReportQuery& query, const std::string& format, std::ostream& out);

}  // namespace engaged
