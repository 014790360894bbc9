// How engaged logs: spdlog to stderr, as text (the default) or one JSON object per line for log
// collectors (Loki, Elasticsearch, Cloud Logging), which then need no parsing rules.
#pragma once

#include <string>

namespace engaged {

// `level`: trace|debug|info|warn|error|critical|off; `format`: text|json. JSON lines hold
// "time" (RFC 3339, UTC, microseconds), "level", "logger", "thread" and "message".
void setup_logging(const std::string& level, const std::string& format);

}  // namespace engaged
