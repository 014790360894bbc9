// Reads what `run` decided rather than recomputing it: the nudges as the app would receive them
// (kind, recipient role, holdout arm), and the `report risk` and `report uplift` tables.
#include "app/demo_story.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <chrono>
#include <iostream>
#include <map>
#include <sstream>
#include <vector>

#include "app/commands.h"
#include "app/config.h"
#include "state/kafka/topic_reader.h"

namespace engaged {
namespace {

struct NudgeCounts {
  int64_t treated = 0, holdout = 0;
};

// Every nudge on the topic, by kind and recipient role ("mentor_match to mentor").
std::map<std::string, NudgeCounts> read_nudges(const Config& config, int partitions) {
  TopicReader reader(config.kafka, "demo-story");
  int64_t expected = 0;
  for (int32_t p = 0; p < partitions; ++p) {
    const auto [low, high] = reader.watermarks(config.nudges_topic, p);
    expected += high - low;
    reader.start(config.nudges_topic, p, low);
  }
  std::map<std::string, NudgeCounts> counts;
  simdjson::dom::parser parser;
  std::vector<rd_kafka_message_t*> batch;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int64_t read = 0; read < expected && std::chrono::steady_clock::now() < deadline;) {
    reader.poll(batch, 1000, 200);
    for (rd_kafka_message_t* m : batch) {
      if (!m->err) {
        ++read;
        simdjson::dom::element n;
        std::string_view kind, role;
        bool holdout = false;
        if (!parser.parse(static_cast<const char*>(m->payload), m->len).get(n) &&
            !n["kind"].get(kind) && !n["recipient_role"].get(role) && !n["holdout"].get(holdout)) {
          auto& c = counts[fmt::format("{} to {}", kind, role)];
          ++(holdout ? c.holdout : c.treated);
        }
      }
      rd_kafka_message_destroy(m);
    }
    batch.clear();
  }
  return counts;
}

// A report table as CSV lines (header first).
std::vector<std::string> report_lines(const Config& config, const std::string& table) {
  ReportOptions o;
  o.table = table;
  std::stringstream out;
  std::streambuf* const old = std::cout.rdbuf(out.rdbuf());
  try {
    report(config.state_dir, o, config);
  } catch (...) {
    std::cout.rdbuf(old);
    throw;
  }
  std::cout.rdbuf(old);
  std::vector<std::string> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  return lines;
}

// The first `n` comma-separated fields of a CSV line and the rest (which may hold commas).
std::vector<std::string> split(const std::string& line, size_t n) {
  std::vector<std::string> f;
  size_t at = 0;
  for (; f.size() < n; ++at) {
    const size_t comma = line.find(',', at);
    if (comma == std::string::npos) break;
    f.push_back(line.substr(at, comma - at));
    at = comma;
  }
  std::string rest = line.substr(std::min(at, line.size()));
  if (rest.size() >= 2 && rest.front() == '"') rest = rest.substr(1, rest.size() - 2);
  f.push_back(rest);
  return f;
}

}  // namespace

void print_program_story(const Config& config, int partitions, const ReactorCounts& simulated) {
  fmt::print("\nThe mentor program (churn risk -> mentors -> nudges)\n");
  // report risk: user_id,score,reason1,reason2,reason3,why; highest score first.
  const auto risk = report_lines(config, "risk");
  int64_t at_risk = 0;
  for (size_t i = 1; i < risk.size(); ++i)
    if (std::stod(split(risk[i], 2)[1]) >= config.risk_threshold) ++at_risk;
  fmt::print(
      "Users at risk now: {} of {} scored (score >= risk.threshold {:.2f}); the top three:\n",
      at_risk, risk.empty() ? 0 : risk.size() - 1, config.risk_threshold);
  std::string first_user;
  for (size_t i = 1; i < risk.size() && i <= 3; ++i) {
    const auto f = split(risk[i], 5);
    if (f.size() < 6) continue;
    if (first_user.empty()) first_user = f[0];
    fmt::print("  {:<10} {:.2f}  {}\n", f[0], std::stod(f[1]), f[5]);
  }

  const auto nudges = read_nudges(config, partitions);
  auto count = [&](const std::string& key) {
    const auto it = nudges.find(key);
    return it == nudges.end() ? NudgeCounts{} : it->second;
  };
  fmt::print("\nDecisions, as nudges on {} (holdout: decided but held back):\n",
             config.nudges_topic);
  fmt::print(
      "  matches made (mentor_match to the mentor): {}; SLA reminders to slow mentors: {}; "
      "rewards to mentors whose mentees stayed: {}; newcomers held out of a match: {}\n",
      count("mentor_match to mentor").treated, count("mentor_reminder to mentor").treated,
      count("mentor_reward to mentor").treated, count("mentor_match to mentee").holdout);
  fmt::print("  {:<32} {:>8} {:>8}\n", "nudge kind and recipient", "sent", "holdout");
  for (const auto& [key, c] : nudges)
    fmt::print("  {:<32} {:>8} {:>8}\n", key, c.treated, c.holdout);
  // report nudge-opens: day,<kind>_opened,<kind>_returned_7d,...; summed over the days.
  const auto opens = report_lines(config, "nudge-opens");
  std::map<std::string, std::array<int64_t, 3>> outcome;  // kind -> sent, opened, came back
  for (const auto& [key, c] : nudges) outcome[key.substr(0, key.find(' '))][0] += c.treated;
  if (!opens.empty()) {
    std::vector<std::string> header;
    for (std::stringstream in(opens[0]); std::getline(in, header.emplace_back(), ',');) {
    }
    for (size_t i = 1; i < opens.size(); ++i) {
      std::stringstream in(opens[i]);
      std::string cell;
      for (size_t c = 0; std::getline(in, cell, ',') && c < header.size(); ++c) {
        const std::string& h = header[c];
        for (auto [suffix, k] : {std::pair{"_opened", 1}, std::pair{"_returned_7d", 2}})
          if (h.ends_with(suffix) && !cell.empty())
            outcome[h.substr(0, h.size() - std::string_view(suffix).size())][size_t(k)] +=
                std::stoll(cell);
      }
    }
  }
  fmt::print("\nOutcomes by nudge kind (opened, and back within 7 days of opening):\n");
  fmt::print("  {:<18} {:>8} {:>8} {:>10}\n", "kind", "sent", "opened", "came back");
  for (const auto& [kind, o] : outcome)
    if (o[0] || o[1]) fmt::print("  {:<18} {:>8} {:>8} {:>10}\n", kind, o[0], o[1], o[2]);
  fmt::print(
      "\nSimulated app users (demo only, not a measurement): of {} nudges delivered, mentors\n"
      "wrote first to {} new mentees and users opened {}; {} mentees came back after their\n"
      "mentor wrote (odds: 70 % of matches answered, 35 % of those mentees return, 40 % of\n"
      "nudges opened; app/demo_reactor.h). The demo streams days of events per second, so\n"
      "many answers reach the pipeline after the 24 h first-response SLA has run out in event\n"
      "time, and the reminder went out anyway: a live app answers in time.\n",
      simulated.nudges, simulated.mentor_messages, simulated.opens, simulated.returns);

  // report uplift: outcome,treated_users,treated_rate,holdout_users,holdout_rate,uplift,lo,hi
  fmt::print("\nHoldout comparison (users who entered the program, treated against held out):\n");
  const auto uplift = report_lines(config, "uplift");
  for (size_t i = 1; i < uplift.size(); ++i) {
    const auto f = split(uplift[i], 7);
    if (f.size() < 8 || f[1] == "0" || f[3] == "0" || f[5].empty()) {
      if (!f.empty()) fmt::print("  {:<13} not enough days yet\n", f[0]);
      continue;
    }
    fmt::print(
        "  {:<13} treated {:5.1f} % of {:>6}   holdout {:5.1f} % of {:>6}   uplift {:+.1f} "
        "points (95 % CI {:+.1f} to {:+.1f})\n",
        f[0], 100 * std::stod(f[2]), f[1], 100 * std::stod(f[4]), f[3], 100 * std::stod(f[5]),
        100 * std::stod(f[6]), 100 * std::stod(f[7]));
  }
  fmt::print(
      "  (the uplift is the simulated users' doing: treated mentees came back because the demo\n"
      "  makes 35 % of those whose mentor wrote return; with real users it is the measurement)\n");

  fmt::print("\nWhat to look at next:\n");
  if (!first_user.empty())
    fmt::print("  engaged report risk --state {}         every user's score and reasons\n",
               config.state_dir);
  fmt::print("  engaged report uplift --state {}       the holdout comparison as CSV\n",
             config.state_dir);
  fmt::print("  engaged run ... and GET /v1/users/{}    one user's state, risk, mentor, nudges\n",
             first_user.empty() ? "{id}" : first_user);
  fmt::print("  docker compose -f docker/docker-compose.yml up   Grafana with the dashboards\n");
}

}  // namespace engaged
