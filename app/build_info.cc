// ENGAGED_VERSION, ENGAGED_COMMIT and ENGAGED_MARCH_NAME come from CMakeLists.txt.
#include "app/build_info.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <rocksdb/version.h>

namespace engaged {

const BuildInfo& build_info() {
  static const BuildInfo info{ENGAGED_VERSION, ENGAGED_COMMIT, rd_kafka_version_str(),
                              fmt::format("{}.{}.{}", ROCKSDB_MAJOR, ROCKSDB_MINOR, ROCKSDB_PATCH),
                              ENGAGED_MARCH_NAME};
  return info;
}

std::string version_line() {
  const BuildInfo& b = build_info();
  return fmt::format("engaged {} (commit {}, -march {}; librdkafka {}, RocksDB {})", b.version,
                     b.commit, b.march, b.librdkafka, b.rocksdb);
}

}  // namespace engaged
