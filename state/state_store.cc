#include "state/state_store.h"

#include "state/codec.h"

namespace engaged {

std::string store_prefix(int32_t partition, uint8_t store_id) {
  std::string key;
  codec::put_partition(key, partition);
  key.push_back(static_cast<char>(store_id));
  return key;
}

}  // namespace engaged
