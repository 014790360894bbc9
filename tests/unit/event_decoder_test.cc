// The decoder against the golden fixtures shared with the JSON Schema (tests/fixtures/events):
// every valid/ file decodes, every invalid/<reason>--*.json is rejected with exactly <reason>.
#include "ingest/event_decoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace engaged {
namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = fs::path(ENGAGED_SOURCE_DIR) / "tests/fixtures/events";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(EventDecoder, AcceptsEveryValidFixture) {
  EventDecoder decoder;
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures / "valid")) {
    Event ev;
    auto r = decoder.decode(slurp(entry.path()), ev);
    EXPECT_FALSE(r) << entry.path().filename() << ": " << reject_reason_name(r->reason) << " "
                    << r->detail;
    ++n;
  }
  EXPECT_GE(n, 20);
}

TEST(EventDecoder, RejectsEveryInvalidFixtureWithItsReason) {
  EventDecoder decoder;
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures / "invalid")) {
    std::string name = entry.path().filename().string();
    std::string expected = name.substr(0, name.find("--"));
    Event ev;
    auto r = decoder.decode(slurp(entry.path()), ev);
    ASSERT_TRUE(r) << name << " was accepted";
    EXPECT_EQ(reject_reason_name(r->reason), expected) << name << " (" << r->detail << ")";
    ++n;
  }
  EXPECT_GE(n, 18);
}

TEST(EventDecoder, DecodesFieldsWithoutCopies) {
  EventDecoder decoder;
  Event ev;
  std::string msg =
      R"({"event_id":"e1","user_id":"u\u00e9","type":"purchase","ts":"2026-06-01T02:00:00+02:00",)"
      R"("amount":9.99,"currency":"EUR","props":{"platform":"ios","x":[1,{"y":null}],"country":"DE"}})";
  ASSERT_FALSE(decoder.decode(msg, ev));
  EXPECT_EQ(ev.user_id, "u\xc3\xa9");
  EXPECT_EQ(ev.type, EventType::kPurchase);
  EXPECT_EQ(ev.ts_ms, 1780272000000);
  EXPECT_DOUBLE_EQ(*ev.amount, 9.99);
  EXPECT_EQ(ev.currency, "EUR");
  EXPECT_EQ(ev.props.platform, "ios");
  EXPECT_EQ(ev.props.country, "DE");
}

TEST(EventDecoder, ReasonsForTypicalProducerBugs) {
  EventDecoder decoder(100);
  Event ev;
  auto reason = [&](std::string msg) {
    auto r = decoder.decode(msg, ev);
    return r ? std::string(reject_reason_name(r->reason)) : std::string("accepted");
  };
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"check_in","ts":1780272000000})"),
            "accepted");
  EXPECT_EQ(reason(std::string(101, ' ')), "too_large");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"check_in","ts":1780272000000)"),
            "malformed_json");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"check_in","ts":1780272000000} x)"),
            "malformed_json");
  EXPECT_EQ(reason(R"([1,2])"), "not_an_object");
  EXPECT_EQ(reason(R"({"event_id":"e","type":"check_in","ts":1780272000000})"), "missing_field");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"action","ts":1780272000000})"),
            "missing_field");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":7,"type":"check_in","ts":1780272000000})"),
            "bad_type");
  EXPECT_EQ(reason(R"({"event_id":"","user_id":"u","type":"check_in","ts":1780272000000})"),
            "bad_value");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"app_open","ts":1780272000000})"),
            "unknown_type");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"check_in","ts":"2026-06-01 10:00"})"),
            "bad_timestamp");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"check_in","ts":1,"x":1})"),
            "bad_timestamp");
  EXPECT_EQ(reason(R"({"event_id":"e","user_id":"u","type":"check_in","ts":1780272000000,"x":1})"),
            "unknown_field");
}

}  // namespace
}  // namespace engaged
