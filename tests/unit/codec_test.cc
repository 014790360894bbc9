// State encodings round-trip, and keys sort by partition then day.
#include "state/codec.h"

#include <gtest/gtest.h>

#include <tuple>

#include "processors/program/churn_risk.h"
#include "processors/runtime/record_codec.h"
#include "state/byte_io.h"
#include "state/changelog_writer.h"

namespace engaged {
namespace {

TEST(Codec, UserRoundTrip) {
  UserActivity u;
  u.add_day(20000);
  u.add_day(20100);
  u.add_day(20099);
  u.signup_day = 19999;
  UserProfile p;
  p.check_ins.add(20050);
  p.check_ins.add(20051);
  p.longest_streak = 2;
  p.purchase_days.add(20001);
  p.purchases.push_back({20001, {'E', 'U', 'R'}, 12990000});
  p.key_action_ms = {1728000000000, 1728000000001};
  p.first_week.push_back({3, 20002, 4});
  p.tickets.push_back({0xfeedULL, 1728000000000, INT64_MIN});
  p.gap_sessions.push_back({1728000000000, 1728000600000, 5});
  p.referral_days.add(20010);
  p.referred = true;
  p.segments = {2, 1, 0, 0};
  p.segment_ts = {1728000000000, INT64_MAX, 0, 0};
  std::string v;
  codec::encode_user(v, u, p);
  UserActivity u2;
  UserProfile p2;
  ASSERT_TRUE(codec::decode_user(v, u2, p2));
  EXPECT_EQ(u2.cohort_day, 20000);
  EXPECT_EQ(u2.last_day, 20100);
  EXPECT_EQ(u2.signup_day, 19999);
  EXPECT_TRUE(u2.days == u.days);
  EXPECT_EQ(p2, p);
  EXPECT_FALSE(codec::decode_user(v.substr(0, v.size() - 1), u2, p2));
  // Without action counts the record is the previous release's version 3, byte for byte.
  EXPECT_EQ(v[0], 3);
  std::string newer = v;
  newer[0] = 7;  // a version this build does not know: refused by name, not misread
  EXPECT_THROW(codec::decode_user(newer, u2, p2), std::runtime_error);
  // Version 4's action counts.
  record_action(p, 20100, 2);
  record_action(p, 20100, 2);
  record_action(p, 20093, 0);
  codec::encode_user(v, u, p);
  EXPECT_EQ(v[0], 4);
  ASSERT_TRUE(codec::decode_user(v, u2, p2));
  EXPECT_EQ(p2.action_counts[0][2], 2);
  EXPECT_EQ(p2.action_counts[1][0], 1);
  EXPECT_EQ(p2, p);
  // Version 5 (the previous release) held 128-bit keys and absolute times: still read, keeping the
  // keys' low 64 bits.
  std::string v5 = v;
  v5[0] = 5;
  codec::put_varint(v5, 2);
  for (auto [hi, lo, ts] : {std::tuple{0x0123456789abcdefULL, 0xfedcba9876543210ULL, 1728000000000},
                            std::tuple{1ULL, 2ULL, 1728000000005}}) {
    codec::put_le64(v5, hi);
    codec::put_le64(v5, lo);
    codec::put_varint(v5, ts);
  }
  codec::put_varint(v5, 1);
  codec::put_le64(v5, 3);
  codec::put_le64(v5, 4);
  for (int64_t x : {int64_t{1728000000000}, int64_t{600000}, int64_t{7}}) codec::put_varint(v5, x);
  ASSERT_TRUE(codec::decode_user(v5, u2, p2));
  p.seen = {{0xfedcba9876543210ULL, 1728000000000}, {2, 1728000000005}};
  p.sessions = {{4, {1728000000000, 1728000600000, 7}}};
  EXPECT_EQ(p2, p);
  // Version 6: 64-bit keys, each id's time as the difference from the one before; with or
  // without counts.
  codec::encode_user(v, u, p);
  EXPECT_EQ(v[0], 6);
  EXPECT_EQ(v.size(), v5.size() - 3 * 8 - 5);  // 8 bytes less a key, 6 less the second time
  ASSERT_TRUE(codec::decode_user(v, u2, p2));
  EXPECT_EQ(p2, p);
  EXPECT_FALSE(codec::decode_user(v.substr(0, v.size() - 1), u2, p2));
  p.seen.push_back({7, INT64_MIN});  // differences wrap, whatever the times
  p.seen.push_back({8, INT64_MAX});
  p.action_week = INT32_MIN;
  p.action_counts = {};
  codec::encode_user(v, u, p);
  EXPECT_EQ(v[0], 6);
  ASSERT_TRUE(codec::decode_user(v, u2, p2));
  EXPECT_EQ(p2, p);
}

// One user's record is one changelog op, and an op is never split between Kafka messages: the
// largest record the bounds allow (every list full, every number at its longest varint) must
// fit in a redo chunk.
TEST(Codec, TheLargestUserRecordFitsInOneChangelogChunk) {
  constexpr int64_t kFar = int64_t{1} << 61;
  UserActivity u;
  u.add_day(20000);
  u.signup_day = INT32_MIN;
  UserProfile p;
  for (size_t i = 0; i < kMaxUserListEntries; ++i) {
    const bool odd = i % 2;
    p.purchases.push_back({odd ? INT32_MIN : INT32_MAX, {'X', 'X', 'X'}, INT64_MIN});
    p.tickets.push_back({~0ULL, INT64_MIN, INT64_MIN + 1});
    p.gap_sessions.push_back({-kFar, 2 * kFar, INT32_MIN});
    p.sessions.push_back({~0ULL, {-kFar, 2 * kFar, INT32_MIN}});
    p.seen.push_back({~0ULL, odd ? INT64_MAX : INT64_MIN});
  }
  p.opens.assign(kMaxOpenedNudges, {255, INT32_MIN});
  p.key_action_ms.assign(16, INT64_MIN);  // aha.count <= 16
  for (uint8_t c = 0; c < 32; ++c)        // aha.candidates <= 32
    for (int d = 0; d < 7; ++d) p.first_week.push_back({c, INT32_MIN, 65535});
  p.topics.assign(kMaxListProps, std::string(32, 't'));  // decoder bounds
  p.tz = std::string(256, 'z');                          // what the record reads at most
  p.language = std::string(32, 'l');
  p.intent_ms.assign(1000, INT64_MIN);  // sales.intent_count <= 1000
  p.session_day = 0;
  p.action_week = 0;
  std::string v;
  codec::encode_user(v, u, p);
  UserActivity u2;
  UserProfile p2;
  ASSERT_TRUE(codec::decode_user(v, u2, p2));
  EXPECT_EQ(p2, p);
  // The op adds the family, the key (partition and a user id of at most 128 bytes) and lengths.
  EXPECT_LT(v.size() + 256, ChangelogOptions{}.chunk_bytes) << v.size();
}

TEST(Codec, FiguresRoundTrip) {
  DayFigures f;
  f.active_days_30[30] = 7;
  f.unanswered_by_hour[23] = -2;
  f.response_ms = 1LL << 40;
  std::string v;
  codec::encode_day_row(v, f);
  DayFigures f2;
  ASSERT_TRUE(codec::decode_day_row(v, f2));
  EXPECT_EQ(f2, f);
  CohortFigures c;
  c.aha_reached = 3;
  c.hours_to_aha = {0, 1, 2};
  c.payers = {1, 2, 3};
  c.ltv["USD"].micros = {5, 6, 7};
  c.week2_active = 9;
  c.did = {1, 2, 3, 4, 5};
  c.did_and_week2 = {1, 1, 1, 0, 0};
  codec::encode_day_row(v, c);
  CohortFigures c2;
  ASSERT_TRUE(codec::decode_day_row(v, c2));
  EXPECT_EQ(c2, c);
}

TEST(Codec, KeysOrderByPartitionThenDay) {
  std::string a, b, c;
  codec::day_key(a, 1, -5);
  codec::day_key(b, 1, 3);
  codec::day_key(c, 2, -100);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(codec::day_of_key(a), -5);
  EXPECT_EQ(codec::partition_of(c), 2);
}

TEST(Codec, RetentionAndMetaRoundTrip) {
  std::vector<int64_t> row = {500, 0, -3, 1LL << 40};
  std::string v;
  codec::encode_retention(v, row);
  EXPECT_EQ(codec::decode_retention(v), row);
  codec::PartitionMeta m{123456789};
  m.rejected[3] = 7;
  m.clock_hour = 99;
  m.forgotten = 42;
  codec::encode_meta(v, m);
  auto back = codec::decode_meta(v);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stream_time_ms, 123456789);
  EXPECT_EQ(back->rejected, m.rejected);
  EXPECT_EQ(back->forgotten, 42);
  // The previous release's record ends at the clock hour: nothing forgotten yet.
  back = codec::decode_meta(std::string_view(v).substr(0, v.size() - 8));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->clock_hour, 99);
  EXPECT_EQ(back->forgotten, 0);
}

// The meta record of format 1 (no version word, 11 rejection reasons) still reads: adding a
// reason (key_mismatch) must not shift the fields after them.
TEST(Codec, ChangelogPositionOfVersionOneReadsWithoutAClaim) {
  std::string v1 = {1};
  for (int64_t field : {900, -1, 1, 5000, 6000, 850}) codec::put_varint(v1, field);
  const auto p = codec::decode_changelog_position(v1);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->next_offset, 900);
  EXPECT_EQ(p->uncovered_from, 850);
  EXPECT_EQ(p->claim, codec::Claim{});
  // Written again it carries both claims, and each offset answers with its own.
  codec::ChangelogPosition claimed = *p;
  claimed.claim = {0xfedcba9876543210ULL, 1767225600000};
  claimed.uncovered_claim = {7, 3};
  std::string v2;
  codec::encode_changelog_position(v2, claimed);
  EXPECT_EQ(codec::decode_changelog_position(v2), claimed);
  EXPECT_EQ(claimed.claim_at(850), (codec::Claim{7, 3}));
  EXPECT_EQ(claimed.claim_at(900), claimed.claim);
  v2.pop_back();
  EXPECT_FALSE(codec::decode_changelog_position(v2));
}

// An outbox entry holds its messages in order, whatever bytes they carry; the previous release's
// one-message entries (version 1) read as entries of one message; a truncated value or a newer
// version is refused.
TEST(Codec, OutboxEntriesHoldTheirMessagesInOrderAndReadVersionOne) {
  using Messages = std::vector<std::pair<std::string, std::string>>;
  auto messages = [](const codec::OutboxEntry& e) {
    Messages out;
    for (const codec::OutboxMessage& m : e.messages()) out.emplace_back(m.key, m.payload);
    return out;
  };
  codec::OutboxEntry e(codec::OutboxSink::kNudges);
  const Messages want = {{"u1", "{\"a\":1}"}, {"", std::string("\0\xff\n", 3)}, {"u3", ""}};
  for (const auto& [key, payload] : want) e.add(key, payload);
  const auto back = codec::OutboxEntry::decode(e.value());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sink(), codec::OutboxSink::kNudges);
  EXPECT_EQ(messages(*back), want);
  EXPECT_EQ(back->value(), e.value());

  std::string v1 = {1, 0};  // version 1, the program sink: key "7", the payload to the end
  codec::put_string(v1, "7");
  v1 += std::string("rec\0ord", 7);
  const auto old = codec::OutboxEntry::decode(v1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->sink(), codec::OutboxSink::kProgram);
  EXPECT_EQ(messages(*old), (Messages{{"7", std::string("rec\0ord", 7)}}));

  std::string truncated = e.value();
  truncated.pop_back();
  EXPECT_FALSE(codec::OutboxEntry::decode(truncated));
  std::string unknown_sink = e.value();
  unknown_sink[1] = 2;
  EXPECT_FALSE(codec::OutboxEntry::decode(unknown_sink));
  std::string newer = e.value();
  newer[0] = 3;
  try {
    codec::OutboxEntry::decode(newer);
    FAIL() << "a newer version was read";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("outbox: record format version 3"), std::string::npos)
        << error.what();
  }
}

TEST(Codec, MetaOfFormatOneReads) {
  std::string v1;
  codec::put_le64(v1, 123456789);                                       // stream time
  for (int i = 0; i < 11; ++i) codec::put_le64(v1, uint64_t(i + 1));    // rejections by reason
  codec::put_le64(v1, 42);                                              // duplicates
  codec::put_le64(v1, 1000);                                            // dedupe horizon
  codec::put_le64(v1, 2000);                                            // session horizon
  for (int i = 0; i < 10; ++i) codec::put_le64(v1, uint64_t(100 + i));  // risk buckets
  codec::put_le64(v1, 55);                                              // at risk
  codec::put_le64(v1, 77);                                              // next program seq
  codec::put_le64(v1, 99);                                              // clock hour
  auto m = codec::decode_meta(v1);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->stream_time_ms, 123456789);
  EXPECT_EQ(m->rejected[10], 11);
  EXPECT_EQ(m->rejected[static_cast<int>(RejectReason::kKeyMismatch)], 0);
  EXPECT_EQ(m->duplicates, 42);
  EXPECT_EQ(m->session_horizon_ms, 2000);
  EXPECT_EQ(m->risk.by_bucket[9], 109);
  EXPECT_EQ(m->risk.at_risk, 55);
  EXPECT_EQ(m->next_program_seq, 77u);
  EXPECT_EQ(m->clock_hour, 99);
  // Written again, it is v2 and reads back the same.
  std::string v2;
  codec::encode_meta(v2, *m);
  auto again = codec::decode_meta(v2);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->rejected, m->rejected);
  EXPECT_EQ(again->clock_hour, 99);
  EXPECT_EQ(again->next_program_seq, 77u);
}

}  // namespace
}  // namespace engaged

namespace engaged {
namespace {

TEST(Codec, RevenueRoundTripAndMoneyFormat) {
  RevenueCounters c;
  c.by_currency["EUR"] = {12990000, 1};
  c.by_currency["USD"] = {-5, 2};
  std::string v;
  codec::encode_day_row(v, c);
  RevenueCounters back;
  ASSERT_TRUE(codec::decode_day_row(v, back));
  EXPECT_EQ(back, c);
  EXPECT_EQ(format_micros(12990000), "12.99");
  EXPECT_EQ(format_micros(12000000), "12.00");
  EXPECT_EQ(format_micros(1234567), "1.234567");
  EXPECT_EQ(format_micros(-5), "-0.000005");
}

}  // namespace
}  // namespace engaged
