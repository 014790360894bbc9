// What the changelog tests compare: the users family of a store, user id (the key without its
// partition prefix) -> stored value.
#pragma once

#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <string>

#include "state/store.h"

namespace engaged {

inline std::map<std::string, std::string> users_in(Store& store) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Family::kUsers)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out[it->key().ToString().substr(4)] = it->value().ToString();
  return out;
}

}  // namespace engaged
