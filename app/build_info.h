// What this binary is: its version, the commit it was built from and the libraries it runs with.
// `engaged --version` prints it; `engaged_build_info` exports it, so a dashboard can tell which
// build each instance runs during a rolling upgrade.
#pragma once

#include <string>

namespace engaged {

struct BuildInfo {
  std::string version;     // the project's (CMakeLists.txt)
  std::string commit;      // git's short hash at configure time, or "unknown"
  std::string librdkafka;  // as loaded (rd_kafka_version_str)
  std::string rocksdb;     // as compiled against
  std::string march;       // ENGAGED_MARCH: portable, native, a -march value, or "default"
  std::string simdjson;    // its version and the kernel compiled in ("3.0.1 westmere")
};

const BuildInfo& build_info();
// "engaged 0.2.0 (commit 1a2b3c4d5e6f, portable; librdkafka 2.0.2, RocksDB 7.8.3, simdjson
// 3.0.1 westmere)"
std::string version_line();

}  // namespace engaged
