// The process_* series every Prometheus client library exports (CPU, memory, file descriptors,
// start time), read from /proc at each scrape. prometheus-cpp has no process collector; these use
// the names the Go and Java clients use, so the usual dashboards and alerts work unchanged.
#pragma once

#include <prometheus/metric_family.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace engaged {

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_start_time_seconds, process_open_fds, process_max_fds; empty where /proc is missing.
std::vector<prometheus::MetricFamily> process_metric_families();

// The process's resident memory now (/proc/self/statm): nullopt where it cannot be read.
std::optional<size_t> resident_memory_bytes();

}  // namespace engaged
