// State format 3 gave every stored value a version. What older releases wrote (a state directory
// of format 2, the records of an older changelog) is upgraded once, exactly: each value of the
// families that had no version gets version 1 prepended, the rest is left as it was, and a value
// of a newer version is refused by name.
#include "state/format_upgrade.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "processors/runtime/record_codec.h"
#include "state/byte_io.h"
#include "state/changelog_record.h"
#include "state/changelog_restore.h"
#include "state/codec.h"
#include "state/manifest.h"
#include "state/store.h"
#include "tests/unit/store_test_support.h"

namespace engaged {
namespace {

constexpr int32_t kPartition = 3;

std::string key(std::string_view id) {
  return partition_key(kPartition, id);
}

class FormatUpgradeTest : public StoreTest {
 protected:
  void put_raw(Family f, const std::string& k, const std::string& v) {
    rocksdb::WriteBatch b;
    b.Put(store_->cf(f), k, v);
    store_->write(b);
  }
  std::string get(Family f, const std::string& k) { return store_->get(f, k).value_or("(none)"); }
};

// A day row of the layout before format 3 (7 little-endian words, no version).
std::string legacy_daily_row() {
  std::string v;
  for (int64_t x : {5, 9, 12, 1, 2, 0, 3}) codec::put_le64(v, static_cast<uint64_t>(x));
  return v;
}

TEST_F(FormatUpgradeTest, AFormat2DirectoryIsUpgradedOnceInOneWrite) {
  const std::string row = legacy_daily_row();
  put_raw(Family::kDaily, key("d"), row);
  put_raw(Family::kTimers, key("t"), "");
  put_raw(Family::kProgram, key("B"), "");            // a set member
  put_raw(Family::kProgram, key("N"), "\x01\x02");    // a program record: versioned already
  put_raw(Family::kUsers, key("u"), "\x03whatever");  // versioned already
  Manifest old;
  old.format = 2;
  store_->put_manifest_text(encode_manifest(old));

  check_manifest(*store_, dir_, nullptr);
  EXPECT_EQ(read_manifest(*store_)->format, kStateFormat);
  EXPECT_EQ(get(Family::kDaily, key("d")), "\x01" + row);
  EXPECT_EQ(get(Family::kTimers, key("t")), "\x01");
  EXPECT_EQ(get(Family::kProgram, key("B")), "\x01");
  EXPECT_EQ(get(Family::kProgram, key("N")), "\x01\x02");
  EXPECT_EQ(get(Family::kUsers, key("u")), "\x03whatever");
  DayCounters c;
  ASSERT_TRUE(codec::decode_day_row(get(Family::kDaily, key("d")), c));
  EXPECT_EQ(c.mau, 12);
  EXPECT_EQ(c.dormant, 3);

  // Opened again, nothing is upgraded twice.
  check_manifest(*store_, dir_, nullptr);
  EXPECT_EQ(get(Family::kDaily, key("d")), "\x01" + row);
}

TEST_F(FormatUpgradeTest, AStoredValueOfANewerVersionIsRefusedByName) {
  DayCounters c{1, 2, 3, 4, 5, 6, 7};
  std::string v;
  codec::encode_day_row(v, c);
  EXPECT_EQ(v[0], 1);
  v[0] = 2;
  try {
    codec::decode_day_row(v, c);
    FAIL() << "a newer version was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("daily: record format version 2"), std::string::npos)
        << e.what();
  }
  std::string offset;
  codec::encode_offset(offset, 42);
  EXPECT_EQ(codec::decode_offset(offset), 42);
  offset[0] = 7;
  EXPECT_THROW(codec::decode_offset(offset), std::runtime_error);
}

// A changelog written before format 3: a state record of version 1 and a redo record of version
// 2 restore upgraded; records of the current versions restore as they are.
TEST_F(FormatUpgradeTest, AnOlderChangelogRestoresUpgraded) {
  const std::string row = legacy_daily_row();
  std::string k, v, ops;
  ChangelogRestore r(*store_, kPartition, 0, 0);
  auto apply = [&](int64_t offset) {
    const std::string_view value = v;
    r.apply(offset, k, &value, 0);
  };
  changelog::state_key(k, Family::kDaily, key("d"));
  changelog::state_value(v, row);
  v[0] = 1;  // state record version 1
  apply(0);
  changelog::append_put(ops, Family::kTimers, key("t"), "");
  changelog::append_insert(ops, Family::kOutbox, key("o"), "\x01k");
  changelog::append_put(ops, Family::kUsers, key("u"), "\x03x");
  changelog::redo_key(k, {1, 0, 0});
  changelog::redo_value_header(v, /*last=*/true, 3);
  v[0] = 2;  // redo version 2
  v += ops;
  apply(1);
  ops.clear();
  changelog::append_put(ops, Family::kRetention, key("r"), "\x01\x05");
  changelog::redo_key(k, {1, 1, 0});
  changelog::redo_value_header(v, /*last=*/true, 1);
  v += ops;
  apply(2);
  r.finish(3);

  EXPECT_EQ(get(Family::kDaily, key("d")), "\x01" + row);
  EXPECT_EQ(get(Family::kTimers, key("t")), "\x01");
  EXPECT_EQ(get(Family::kOutbox, key("o")), "\x01\x01k");
  EXPECT_EQ(get(Family::kUsers, key("u")), "\x03x");
  EXPECT_EQ(get(Family::kRetention, key("r")), "\x01\x05");
}

}  // namespace
}  // namespace engaged
