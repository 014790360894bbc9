// Which input partition an NDJSON line belongs to when it carries no Kafka key: the partition
// librdkafka's default partitioner gives its `user_id`, as if the app had produced it keyed by
// user id. The id is found by a textual scan (no JSON parse), so the replay's reader routes every
// line cheaply before a worker decodes it; only ids with escape sequences need the full decoder.
#pragma once

#include <optional>
#include <string_view>

namespace engaged {

// The text of the `"user_id": "..."` string of `line`, when a textual scan can be sure to agree
// with the decoder; nullopt otherwise (the caller then decodes the line to get the id).
std::optional<std::string_view> scan_user_id(std::string_view line);

}  // namespace engaged
