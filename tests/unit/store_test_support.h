// What the state tests share: a Store in a fresh directory of its own (removed after the test),
// the key of an id in a partition, and the users family the way the changelog tests compare it.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "state/codec.h"
#include "state/store.h"

namespace engaged {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("engaged-") + test->test_suite_name() + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    store_ = Store::open(dir_, {});
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

// partition | id
inline std::string partition_key(int32_t partition, std::string_view id) {
  std::string k;
  codec::put_partition(k, partition);
  k.append(id);
  return k;
}

// The users family: user id (the key without its partition prefix) -> stored value.
inline std::map<std::string, std::string> users_in(Store& store) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Family::kUsers)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out[it->key().ToString().substr(4)] = it->value().ToString();
  return out;
}

}  // namespace engaged
