// Settings precedence and validation, and the generated settings table is what docs/ holds.
#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

TEST(Config, DocsTableIsGeneratedFromTheCode) {
  std::ifstream in(std::string(ENGAGED_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), settings_markdown()) << "docs/configuration.md is stale: run build/engaged "
                                              "config --markdown > docs/configuration.md";
}

}  // namespace
}  // namespace engaged
