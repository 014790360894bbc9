// Settings precedence and validation, and the generated settings table is what docs/ holds.
#include "app/config.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ingest/kafka_source.h"

namespace engaged {
namespace {

TEST(Config, FileThenEnvironmentThenFlags) {
  auto path = std::filesystem::temp_directory_path() / "engaged-config-test.yaml";
  std::ofstream(path) << "state:\n  dir: /from/file\n  checkpoint_interval_ms: 250\n"
                         "processing:\n  allowed_lateness: 2d\nkafka:\n  bootstrap.servers: f:1\n"
                         "  security.protocol: SASL_SSL\n";
  setenv("ENGAGED_STATE_DIR", "/from/env", 1);
  setenv("ENGAGED_KAFKA__BOOTSTRAP_SERVERS", "e:2", 1);
  Config c = load_config(path.string(), {"processing.timezone=Europe/Berlin"});
  unsetenv("ENGAGED_STATE_DIR");
  unsetenv("ENGAGED_KAFKA__BOOTSTRAP_SERVERS");
  EXPECT_EQ(c.state_dir, "/from/env");
  EXPECT_EQ(c.checkpoint_interval_ms, 250);
  EXPECT_EQ(c.allowed_lateness_ms, 2 * 86400000LL);
  EXPECT_EQ(c.timezone, "Europe/Berlin");
  EXPECT_EQ(c.kafka["bootstrap.servers"], "e:2");
  EXPECT_EQ(c.kafka["security.protocol"], "SASL_SSL");
  std::filesystem::remove(path);
}

TEST(Config, RejectsUnknownKeysAndBadValues) {
  EXPECT_THROW(load_config("", {"state.dri=/x"}), std::invalid_argument);
  EXPECT_THROW(load_config("", {"processing.allowed_lateness=91d"}), std::invalid_argument);
  EXPECT_THROW(load_config("", {"state.checkpoint_interval_ms=0"}), std::invalid_argument);
  EXPECT_THROW(load_config("", {"processing.wall_clock=tomorrow"}), std::invalid_argument);
  EXPECT_EQ(parse_duration_ms("36h"), 36 * 3600000LL);
}

// The message of the error `--set key=value` raises (empty if none).
std::string error_of(const std::string& assignment) {
  try {
    load_config("", {assignment});
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// Finding 10 of the hardening issue: every bad value is refused with the setting, the value and
// the allowed range named; nothing wraps around or is silently taken for something else.
TEST(Config, BadValuesNameTheSettingAndTheRange) {
  EXPECT_EQ(error_of("state.checkpoint_interval_ms=abc"),
            "setting state.checkpoint_interval_ms=\"abc\": not an integer");
  EXPECT_EQ(error_of("state.checkpoint_interval_ms=99999999999999999999"),
            "setting state.checkpoint_interval_ms=\"99999999999999999999\": out of range");
  EXPECT_EQ(error_of("input.batch_size=0"),
            "setting input.batch_size=\"0\": 0 is outside the allowed range 1..1000000");
  // 213503982336d * 86400000 ms wraps int64 around to a small number: refused, not wrapped.
  EXPECT_EQ(error_of("processing.allowed_lateness=213503982336d"),
            "setting processing.allowed_lateness=\"213503982336d\": duration out of range: "
            "213503982336d");
  EXPECT_EQ(error_of("processing.dedupe_window=106751991168d"),
            "setting processing.dedupe_window=\"106751991168d\": duration out of range: "
            "106751991168d");
  EXPECT_EQ(error_of("processing.dedupe_window=100d"),
            "setting processing.dedupe_window=\"100d\": 100d is longer than 90d");
  EXPECT_EQ(error_of("metrics.listen=127.0.0.1:99999"),
            "setting metrics.listen=\"127.0.0.1:99999\": port must be within 0..65535: 99999");
  EXPECT_EQ(error_of("metrics.listen=9464"),
            "setting metrics.listen=\"9464\": expected host:port, got 9464");
  EXPECT_EQ(error_of("mentors.min_nps=11"),
            "setting mentors.min_nps=\"11\": 11 is outside the allowed range 0..10");
  EXPECT_EQ(error_of("sessions.inactivity_gap=30m"), "");
  EXPECT_EQ(parse_host_port("[::1]:0").host, "::1");
}

// What librdkafka makes of `run`'s consumer settings for a configuration.
std::string consumer_setting(const Config& c, const char* name) {
  rd_kafka_conf_t* conf =
      make_kafka_conf(consumer_defaults(fetch_queue_bytes(c)), consumer_properties(c.kafka));
  char value[64];
  size_t size = sizeof value;
  EXPECT_EQ(rd_kafka_conf_get(conf, name, value, &size), RD_KAFKA_CONF_OK);
  rd_kafka_conf_destroy(conf);
  return value;
}

TEST(Config, TheFetchQueueIsBoundedInBytesByAnEighthOfTheBudgetUnlessKafkaSaysOtherwise) {
  Config c = load_config("", {});
  EXPECT_EQ(consumer_setting(c, "queued.max.messages.kbytes"), "131072");  // 1 GiB / 8
  // The message count must not bind first: librdkafka stops fetching at either bound.
  EXPECT_EQ(consumer_setting(c, "queued.min.messages"), "10000000");
  c = load_config("", {"state.memory_budget=268435456"});
  EXPECT_EQ(consumer_setting(c, "queued.max.messages.kbytes"), "32768");
  c = load_config("", {"state.memory_budget=268435456", "kafka.queued.max.messages.kbytes=4096",
                       "kafka.queued.min.messages=1000"});
  EXPECT_EQ(consumer_setting(c, "queued.max.messages.kbytes"), "4096");
  EXPECT_EQ(consumer_setting(c, "queued.min.messages"), "1000");
}

TEST(Config, ConsumersLeaveOutWhatOnlyProducersKnow) {
  const KafkaProperties shared = {{"bootstrap.servers", "h:9092"}, {"linger.ms", "1"},
                                  {"queue.buffering.max.ms", "1"}, {"acks", "1"},
                                  {"fetch.wait.max.ms", "5"},      {"security.protocol", "ssl"}};
  EXPECT_EQ(consumer_properties(shared), (KafkaProperties{{"bootstrap.servers", "h:9092"},
                                                          {"fetch.wait.max.ms", "5"},
                                                          {"security.protocol", "ssl"}}));
}

TEST(Config, TheTokenIsNeverPrinted) {
  Config c = load_config("", {"metrics.token=s3cret"});
  for (const auto& [key, value] : effective_settings(c))
    EXPECT_EQ(value.find("s3cret"), std::string::npos) << key;
}

TEST(Config, DocsTableIsGeneratedFromTheCode) {
  std::ifstream in(std::string(ENGAGED_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), settings_markdown()) << "docs/configuration.md is stale: run build/engaged "
                                              "config --markdown > docs/configuration.md";
}

}  // namespace
}  // namespace engaged
