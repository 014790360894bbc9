// The routing scan answers only when it must agree with the decoder; otherwise it defers.
#include "ingest/line_router.h"

#include <gtest/gtest.h>

namespace engaged {
namespace {

std::optional<std::string_view> scan(std::string_view s) {
  return scan_user_id(s);
}

TEST(LineRouter, FindsTheUserIdWhereverItIs) {
  EXPECT_EQ(scan(R"({"event_id":"e1","user_id":"u42","type":"check_in"})"), "u42");
  EXPECT_EQ(scan(R"({"type":"signup","user_id" : "user one","ts":1})"), "user one");
  EXPECT_EQ(scan(R"({"name":"ugly_user","user_id":"u","uu":"uuu"})"), "u");
}

TEST(LineRouter, DefersWhenTheDecoderCouldDisagree) {
  EXPECT_EQ(scan(R"({"user_id":"u\u0031"})"), std::nullopt);                    // escape
  EXPECT_EQ(scan(R"({"user_id":"a","name":"x\"y"})"), std::nullopt);            // any backslash
  EXPECT_EQ(scan(R"({"user_id":"a","user_id":"b"})"), std::nullopt);            // duplicate key
  EXPECT_EQ(scan(R"({"props":{"user_id":"x"},"user_id":"y"})"), std::nullopt);  // nested too
  EXPECT_EQ(scan(R"({"user_id":42})"), std::nullopt);                           // not a string
  EXPECT_EQ(scan(R"({"event_id":"e"})"), std::nullopt);                         // none
  EXPECT_EQ(scan(R"({"user_id":"unterminated)"), std::nullopt);
}

}  // namespace
}  // namespace engaged
