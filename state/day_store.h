// A registered store of rows by event-time day (state_store.h): the shape of most figures. Row
// is summed over partitions by reports (Row += Row); Codec lays a row out:
//   static constexpr uint8_t kVersion;                    newest format written
//   static void encode(std::string& out, const Row&);     appends the row
//   static bool decode(std::string_view, uint8_t version, Row&);  any version 1..kVersion
// Keys: partition | store id | day (biased BE); values: version | Codec::encode.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "state/byte_io.h"
#include "state/day_table.h"
#include "state/families.h"
#include "state/state_store.h"
#include "state/store.h"

namespace engaged {

template <typename Row, typename Codec>
class DayStore final : public StateStore {
 public:
  DayStore(uint8_t id, std::string_view name) : id_(id), name_(name) {}

  DayTable<Row>& days() { return days_; }

  void write_changes(ChangeBatch& batch, int32_t partition) override {
    std::string key, value;
    days_.for_each_changed([&](int32_t day, const Row& row) {
      key = store_prefix(partition, id_);
      codec::put_be32(key, codec::biased(day));
      codec::begin_record(value, Codec::kVersion);
      Codec::encode(value, row);
      batch.put(Family::kStores, key, value);
    });
    days_.clear_changed();
  }

  void restore(Store& store, int32_t partition) override {
    Row row;
    store.scan(
        Family::kStores, store_prefix(partition, id_),
        [&](std::string_view k, std::string_view v) { days_.restore(day_of(k), decode(v, row)); });
  }

  // The rows summed over the partitions this copy owns, by day (for reports).
  static std::map<int32_t, Row> sum(Store& store, uint8_t id, std::string_view name) {
    std::map<int32_t, Row> out;
    Row row;
    DayStore reader(id, name);
    for (int32_t p : store.owned_partitions())
      store.scan(Family::kStores, store_prefix(p, id), [&](std::string_view k, std::string_view v) {
        out[day_of(k)] += reader.decode(v, row);
      });
    return out;
  }

 private:
  static int32_t day_of(std::string_view key) {
    return codec::unbiased(codec::get_be32(key.data() + 5));
  }
  const Row& decode(std::string_view v, Row& row) const {
    const uint8_t version = codec::record_version(v, name_, Codec::kVersion);
    row = Row{};
    if (!Codec::decode(v.substr(1), version, row))
      throw std::runtime_error("store " + std::string(name_) + ": corrupt record");
    return row;
  }

  uint8_t id_;
  std::string_view name_;
  DayTable<Row> days_;
};

}  // namespace engaged
