// Finding 9 of the hardening issue: producers control no label. Every field a producer writes
// (currency, the segment props, action names, ids, event types) is flooded with thousands of
// distinct values; the exported series stay bounded (5 000 currencies gave 10 353 series).
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "app/metrics.h"
#include "app/pipeline.h"
#include "state/store.h"

namespace engaged {
namespace {

class NullSink : public DeadLetterSink {
 public:
  void send(const DeadLetter&) override {}
  uint64_t mark() override { return 0; }
  bool acknowledged(uint64_t, bool) override { return true; }
};

// Series per metric name in the registry's text exposition.
std::map<std::string, int> series_by_name(Metrics& metrics) {
  std::istringstream text(prometheus::TextSerializer().Serialize(metrics.registry()->Collect()));
  std::map<std::string, int> out;
  for (std::string line; std::getline(text, line);) {
    if (line.empty() || line[0] == '#') continue;
    out[line.substr(0, line.find_first_of("{ "))]++;
  }
  return out;
}

std::string code(int i) {  // AAA, AAB, ... distinct ISO-shaped codes
  return {char('A' + i / 676 % 26), char('A' + i / 26 % 26), char('A' + i % 26)};
}

TEST(MetricLabels, FloodingEveryProducerFieldKeepsSeriesBounded) {
  auto dir =
      std::filesystem::temp_directory_path() / ("engaged-labels-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  Config config;
  config.metrics_listen.clear();
  config.wall_clock = "2026-06-02T12:00:00Z";
  config.segment_values[0] = "ios,android";  // segments on, with their allowlists
  config.segment_values[1] = "DE,US";
  auto store = Store::open(dir.string(), {});
  NullSink sink;
  Metrics metrics;
  int total = 0;
  {
    Pipeline p(config, *store, sink, &metrics, make_wall_clock(config));
    p.open_partition(0);
    p.begin_batch();
    for (int i = 0; i < 5000; ++i) {
      const std::string user = "u" + std::to_string(i), c = code(i);
      const std::string props = R"("props":{"platform":"p)" + c + R"(","country":"X)" + c +
                                R"(","locale":"l)" + c + R"(","app_version":")" +
                                std::to_string(i) + R"(.0","tz":"Etc/GMT+1"})";
      p.handle(0, total++, user,
               R"({"event_id":"a)" + c + R"(","user_id":")" + user +
                   R"(","type":"purchase","ts":"2026-06-01T10:00:00Z","amount":1.5,"currency":")" +
                   c + "\"," + props + "}",
               0);
      p.handle(0, total++, user,
               R"({"event_id":"b)" + c + R"(","user_id":")" + user +
                   R"(","type":"action","name":"act)" + c +
                   R"(","ts":"2026-06-01T10:00:01Z","session_id":"s)" + c + "\"," + props + "}",
               0);
      p.handle(0, total++, user,
               R"({"event_id":"c","user_id":")" + user + R"(","type":"t)" + c +
                   R"(","ts":"2026-06-01T10:00:02Z"})",
               0);  // unknown types: rejected, counted by reason only
    }
    p.end_batch();
    p.checkpoint();
  }
  const auto series = series_by_name(metrics);
  int sum = 0;
  for (const auto& [name, n] : series) {
    sum += n;
    // No metric grows with the flood: the largest label sets are fixed (histogram buckets,
    // days 1..30 × windows, segments × allowlists, 20 currencies + other per day label).
    EXPECT_LT(n, 200) << name;
  }
  // Day "current" only (no purchase on the latest complete day): the 8 allowlisted codes among
  // AAA..HKZ (AUD BRL CAD CHF CNY DKK EUR GBP) and "other" for the 4 992 others.
  EXPECT_EQ(series.at("engaged_day_revenue"), 9);
  EXPECT_LT(sum, 2500) << "series in all";
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace engaged
