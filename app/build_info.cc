// ENGAGED_VERSION and ENGAGED_MARCH_NAME come from CMakeLists.txt, ENGAGED_COMMIT from the
// header scripts/build_commit.cmake writes at every build.
#include "app/build_info.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <rocksdb/version.h>
#include <simdjson.h>

#include "build_commit.h"

#define ENGAGED_STRING(x) #x
#define ENGAGED_EXPANDED(x) ENGAGED_STRING(x)

namespace engaged {

const BuildInfo& build_info() {
  static const BuildInfo info{
      ENGAGED_VERSION, ENGAGED_COMMIT, rd_kafka_version_str(),
      fmt::format("{}.{}.{}", ROCKSDB_MAJOR, ROCKSDB_MINOR, ROCKSDB_PATCH), ENGAGED_MARCH_NAME,
      // The On-Demand kernel this file was compiled with: the decoder's, as the flags are the same.
      ENGAGED_EXPANDED(SIMDJSON_VERSION) " " ENGAGED_EXPANDED(SIMDJSON_BUILTIN_IMPLEMENTATION)};
  return info;
}

std::string version_line() {
  const BuildInfo& b = build_info();
  return fmt::format("engaged {} (commit {}, {}; librdkafka {}, RocksDB {}, simdjson {})",
                     b.version, b.commit, b.march, b.librdkafka, b.rocksdb, b.simdjson);
}

}  // namespace engaged
