#include "state/state_store.h"

#include <fmt/format.h>

#include <stdexcept>

#include "state/codec.h"

namespace engaged {

std::string store_prefix(int32_t partition, uint8_t store_id) {
  std::string key;
  codec::put_partition(key, partition);
  key.push_back(static_cast<char>(store_id));
  return key;
}

uint8_t check_store_version(std::string_view value, std::string_view store, uint8_t newest) {
  if (value.empty()) throw std::runtime_error(fmt::format("store {}: empty record", store));
  const auto version = static_cast<uint8_t>(value[0]);
  if (version == 0 || version > newest)
    throw std::runtime_error(fmt::format(
        "store {}: record format version {} (this binary reads 1..{}); the state was written by "
        "a newer release",
        store, version, newest));
  return version;
}

}  // namespace engaged
