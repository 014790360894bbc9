// A synthetic but realistic app population for demos, tests and benchmarks (product notes:
// growth over time, heavy-tailed activity, sessions with actions, weekly seasonality, a share of
// users who decay and churn and some delete their account, mentors with languages, topics and
// capacity, mentor ratings and blocks, purchases, check-in streaks, feedback, support).
// Deterministic for a seed: its own PRNG and samplers, no std:: distributions (their output
// differs between standard libraries).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace engaged {

// What kind of app the population uses. kApp: a language-learning app whose users come back at
// their own pace and whose churners fade out. kCourse: a course with weekly deadlines, activity
// in bursts before each one, dropouts after missed deadlines and completers who leave when the
// course ends: a second behaviour to test churn models on (docs/churn.md).
enum class Flavour : uint8_t { kApp, kCourse };

struct PopulationOptions {
  uint64_t seed = 42;
  Flavour flavour = Flavour::kApp;
  int users = 20000;                      // users who sign up over the period
  int days = 60;                          // length of the period
  int32_t end_day = 0;                    // last day (days since epoch, UTC)
  double invalid_rate = 0.002;            // share of messages made out-of-contract on purpose
  double late_fraction = 0.0;             // share of events emitted late (out of order)
  int64_t max_delay_ms = 48LL * 3600000;  // how late, at most (keep below allowed lateness)
  double epoch_ms_share = 0.1;            // share of timestamps written as epoch milliseconds
};

// Receives each message (Kafka key = user id, value = JSON) in emission order.
using MessageSink = std::function<void(std::string_view key, std::string_view value)>;

// Generates the whole population; returns the number of messages emitted.
uint64_t generate_population(const PopulationOptions& options, const MessageSink& sink);

}  // namespace engaged
