// Finding 11 of the hardening issue: report CSV and JSON are correct for any user id or name
// (RFC 4180 quoting, JSON escaping), and an undefined number is JSON null, never nothing.
#include "app/report_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "app/table_writer.h"

namespace engaged {
namespace {

const std::string kNasty = "o'brien, \"jr\"\n\\x\t\x01";

TEST(TableWriter, CsvQuotesPerRfc4180) {
  std::ostringstream out;
  {
    TableWriter t({"user_id", "score"}, 1, "csv", out);
    t.row({kNasty, "0.5"});
    t.row({"plain", "1"});
  }
  EXPECT_EQ(out.str(), "user_id,score\n\"o'brien, \"\"jr\"\"\n\\x\t\x01\",0.5\nplain,1\n");
}

TEST(TableWriter, JsonEscapesStringsAndWritesNullForMissingNumbers) {
  std::ostringstream out;
  {
    TableWriter t({"user_id", "score"}, 1, "json", out);
    t.row({kNasty, ""});
  }
  const auto parsed = nlohmann::json::parse(out.str());  // throws if not JSON
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["user_id"], kNasty);
  EXPECT_TRUE(parsed[0]["score"].is_null());
}

TEST(TableWriter, UpliftWithoutAHoldoutIsValidJson) {
  StateTables t;
  t.figures[100].program_entered = {10, 0};  // treated only: no uplift to speak of
  std::ostringstream out;
  write_uplift(t, 200, "json", out);
  const auto parsed = nlohmann::json::parse(out.str());
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_TRUE(parsed[0]["uplift"].is_null());
  EXPECT_EQ(parsed[0]["treated_users"], 10);
}

}  // namespace
}  // namespace engaged
