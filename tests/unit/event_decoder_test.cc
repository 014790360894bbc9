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

// Every top-level key lands in its own field, and a key one byte off any of them is unknown.
TEST(EventDecoder, EachKeyFillsItsFieldAndNearMissesAreUnknown) {
  EventDecoder decoder;
  Event ev;
  const std::string head = R"({"event_id":"e","user_id":"u","ts":"2026-06-01T00:00:00Z",)";
  ASSERT_FALSE(decoder.decode(
      head + R"("type":"mentor_rating","name":"n","session_id":"s","ticket_id":"t",)"
             R"("referred_user_id":"rd","referrer_user_id":"rr","peer_user_id":"p",)"
             R"("nudge_id":"nu","score":7,"amount":1.5,"currency":"USD","props":{}})",
      ev));
  EXPECT_EQ(ev.event_id, "e");
  EXPECT_EQ(ev.user_id, "u");
  EXPECT_EQ(ev.type, EventType::kMentorRating);
  EXPECT_EQ(ev.name, "n");
  EXPECT_EQ(ev.session_id, "s");
  EXPECT_EQ(ev.ticket_id, "t");
  EXPECT_EQ(ev.referred_user_id, "rd");
  EXPECT_EQ(ev.referrer_user_id, "rr");
  EXPECT_EQ(ev.peer_user_id, "p");
  EXPECT_EQ(ev.nudge_id, "nu");
  EXPECT_EQ(ev.score, 7);
  EXPECT_EQ(ev.currency, "USD");
  for (const char* key : {"t", "tss", "Type", "nam", "names", "user_iD", "event_ie", "currencz",
                          "nudge_ie", "ticket_iD", "session_iD", "peer_user_iD", "referred_user_iD",
                          "referrer_user_iD", "scor", "prop", "amounts", ""}) {
    const auto r = decoder.decode(head + R"("type":"check_in",")" + key + R"(":"x"})", ev);
    ASSERT_TRUE(r) << key;
    EXPECT_EQ(r->reason, RejectReason::kUnknownField) << key;
    EXPECT_EQ(r->detail, key);
  }
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
