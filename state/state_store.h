// A store a processor declares for its partition-local state (Kafka Streams' StateStore). Each
// partition holds one instance per declared store; the checkpoint has each write its changed keys
// into the one batch (which the changelog mirrors), and a partition's load reads each back. Its
// records live in the `stores` column family under partition | store id | key, and every value
// starts with the store's format version: a new binary reads older versions, and refuses by name
// a version newer than it knows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "state/change_batch.h"

namespace engaged {

class Store;

class StateStore {
 public:
  virtual ~StateStore() = default;
  // Its changes since the last checkpoint into `batch`.
  virtual void write_changes(ChangeBatch& batch, int32_t partition) = 0;
  // Its records as last checkpointed.
  virtual void restore(Store& store, int32_t partition) = 0;
};

struct StoreSpec {
  uint8_t id;             // its key prefix after the partition: never renumbered or reused
  std::string_view name;  // in errors and docs
  std::function<std::unique_ptr<StateStore>()> make;
};

// partition | store id: every key of one partition's store starts with this.
std::string store_prefix(int32_t partition, uint8_t store_id);

}  // namespace engaged
