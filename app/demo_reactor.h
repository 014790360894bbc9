// The demo's simulated app users: nobody reads the nudges of a synthetic population, so the
// demo's output would show a program nobody answers. The reactor follows the nudges topic as an
// app would and answers with events on the input topic, by fixed odds (the demo prints them
// and labels every figure they shape as simulated):
// - a mentor told of a match writes to the mentee (mentor_message) in 70 % of the matches,
//   10 min to 20 h after deliver_at;
// - in 35 % of those conversations the mentee comes back for a session 1 to 48 h later;
// - 40 % of the delivered nudges shown to users are opened (nudge_opened), 1 min to 6 h after
//   deliver_at. Sales leads are never opened; held-out nudges are never delivered.
// Each nudge's fate is drawn from the seed and its nudge_id, so it does not depend on when it
// is read. The same odds as the reactor of tests/dashboards/stack.py, plus the returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "app/config.h"

namespace engaged {

struct ReactorCounts {
  int64_t nudges = 0;           // distinct nudges read
  int64_t mentor_messages = 0;  // first messages of mentors to their new mentees
  int64_t returns = 0;          // mentees who came back after their mentor wrote
  int64_t opens = 0;            // nudges opened
};

class DemoReactor {
 public:
  // Reads config.nudges_topic (`partitions` partitions) from its start and produces to
  // config.topic, until destroyed.
  DemoReactor(const Config& config, int partitions, uint64_t seed);
  ~DemoReactor();
  DemoReactor(const DemoReactor&) = delete;
  DemoReactor& operator=(const DemoReactor&) = delete;

  ReactorCounts counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace engaged
