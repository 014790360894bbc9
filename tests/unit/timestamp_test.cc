// RFC 3339 / epoch parsing and the civil calendar.
#include "domain/timestamp.h"

#include <gtest/gtest.h>

#include "app/zone_files.h"
#include "domain/time_zone.h"

namespace engaged {
namespace {

TEST(Timestamp, ParsesRfc3339WithOffsets) {
  EXPECT_EQ(parse_rfc3339_ms("2026-06-01T00:00:00Z"), 1780272000000);
  EXPECT_EQ(parse_rfc3339_ms("2026-06-01T02:00:00.250+02:00"), 1780272000250);
  EXPECT_EQ(parse_rfc3339_ms("2026-05-31T19:00:00-05:00"), 1780272000000);
  EXPECT_EQ(parse_rfc3339_ms("2026-06-01t00:00:00.123456789z"), 1780272000123);
  EXPECT_EQ(parse_rfc3339_ms("2000-01-01T00:00:00Z"), kMinEventMs);
}

TEST(Timestamp, RejectsWhatIsNotRfc3339) {
  for (const char* bad : {"2026-06-01T00:00:00", "2026-06-01 00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-06-01T24:00:00Z", "2026-06-01T00:00:00.Z", "2026-06-01",
                          "1999-12-31T23:59:59Z", "2026-06-01T00:00:00+0200", "yesterday",
                          "2026-06-01T00:00:00Zjunk", "2024-02-29T00:00:00+24:00"})
    EXPECT_FALSE(parse_rfc3339_ms(bad)) << bad;
  EXPECT_TRUE(parse_rfc3339_ms("2024-02-29T00:00:00Z"));  // leap day
}

// Every byte at every position of the date and time: accepted exactly when it is a digit where
// a digit goes (and the fields stay in range), the separator, or t for T; then its value.
TEST(Timestamp, ChecksEveryCharacterOfTheDateAndTime) {
  const std::string valid = "2028-02-28T12:34:56.789Z";
  const char* kDigitAt = "1111011011011011011";
  for (size_t i = 0; i < 19; ++i) {
    for (int c = 0; c < 256; ++c) {
      std::string s = valid;
      s[i] = static_cast<char>(c);
      const bool digit = c >= '0' && c <= '9';
      std::optional<int64_t> expected;
      if (kDigitAt[i] == '1' ? digit : (c == valid[i] || (i == 10 && c == 't'))) {
        auto field = [&](size_t at, size_t n) { return std::stoi(s.substr(at, n)); };
        const int y = field(0, 4), mo = field(5, 2), d = field(8, 2), h = field(11, 2),
                  mi = field(14, 2), sec = field(17, 2);
        const int month_days = mo == 2 ? (y % 4 == 0 && (y % 100 || y % 400 == 0) ? 29 : 28)
                               : mo == 4 || mo == 6 || mo == 9 || mo == 11 ? 30
                                                                           : 31;
        const int64_t ms =
            (int64_t{days_from_civil(y, mo, d)} * 86400 + h * 3600 + mi * 60 + sec) * 1000 + 789;
        if (mo >= 1 && mo <= 12 && d >= 1 && d <= month_days && h <= 23 && mi <= 59 && sec <= 59 &&
            ms >= kMinEventMs && ms <= kMaxEventMs)
          expected = ms;
      }
      EXPECT_EQ(parse_rfc3339_ms(s), expected) << s;
    }
  }
  EXPECT_EQ(parse_rfc3339_ms(valid), 1835354096789);
}

TEST(Timestamp, FormatsMillisecondsAsRfc3339InUtc) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(1781234567890), "2026-06-12T03:22:47.890Z");
  EXPECT_EQ(format_rfc3339_ms(951782400007), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(253402300800000), "10000-01-01T00:00:00.000Z");  // five digits
  for (int64_t ms : {int64_t{1780272000250}, int64_t{946684800001}, int64_t{1709164800000}})
    EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(ms)), ms) << ms;
}

TEST(Timestamp, CivilDaysRoundTrip) {
  for (int32_t d = -1000; d < 40000; d += 37) {
    int y;
    unsigned m, dd;
    civil_from_days(d, y, m, dd);
    EXPECT_EQ(days_from_civil(y, m, dd), d);
  }
  EXPECT_EQ(format_day(days_from_civil(2026, 6, 1)), "2026-06-01");
  EXPECT_EQ(parse_day("2026-06-01"), days_from_civil(2026, 6, 1));
  EXPECT_EQ(utc_day_of(-1), -1);
}

TEST(TimeZone, LocalDaysAcrossDaylightSaving) {
  TimeZone berlin = load_time_zone("Europe/Berlin");
  // 2026-03-29 01:00Z is 03:00 CEST (after the switch); 2026-03-28 23:30Z is 00:30 CET next day.
  EXPECT_EQ(berlin.offset_seconds_at(*parse_rfc3339_ms("2026-03-29T01:00:00Z")), 7200);
  EXPECT_EQ(berlin.offset_seconds_at(*parse_rfc3339_ms("2026-03-28T12:00:00Z")), 3600);
  EXPECT_EQ(berlin.day_of(*parse_rfc3339_ms("2026-03-28T23:30:00Z")), days_from_civil(2026, 3, 29));
  EXPECT_EQ(berlin.day_start_ms(days_from_civil(2026, 7, 1)),
            *parse_rfc3339_ms("2026-06-30T22:00:00Z"));
  EXPECT_THROW(load_time_zone("Mars/Olympus"), std::runtime_error);
  EXPECT_EQ(TimeZone().day_of(*parse_rfc3339_ms("2026-03-28T23:30:00Z")),
            days_from_civil(2026, 3, 28));
  // Zones without transitions: midnight straight from the offset.
  EXPECT_EQ(TimeZone().day_start_ms(days_from_civil(2026, 3, 28)),
            *parse_rfc3339_ms("2026-03-28T00:00:00Z"));
  EXPECT_EQ(load_time_zone("Etc/GMT-5").day_start_ms(days_from_civil(2026, 3, 28)),
            *parse_rfc3339_ms("2026-03-27T19:00:00Z"));
  EXPECT_EQ(load_time_zone("Etc/GMT+11").day_start_ms(-1), -86400000 + 11 * 3600000);
}

// The whole database is loaded at start, so the program stage never reads a zone file.
TEST(ZoneTable, HoldsTheWholeDatabaseWithoutItsCopies) {
  const ZoneTable all = load_zone_table();
  EXPECT_GT(all.size(), 300u);
  ASSERT_NE(all.find("Asia/Kolkata"), nullptr);
  EXPECT_EQ(all.find("Asia/Kolkata")->offset_seconds_at(0), 19800);
  ASSERT_NE(all.find("UTC"), nullptr);
  EXPECT_EQ(all.find("right/Europe/Paris"), nullptr);
  EXPECT_EQ(all.find("zone.tab"), nullptr);
  EXPECT_EQ(all.find("Mars/Olympus"), nullptr);
}

}  // namespace
}  // namespace engaged
