// Decodes one message into an Event, or says why it is out of contract (docs/events.md).
// simdjson On-Demand walks the bytes once; string fields are views into the parser's buffer,
// so nothing is allocated per event. Skipped values (extra `props`) are still fully walked,
// so malformed JSON anywhere in the message is rejected, as a schema validator would.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/event.h"
#include "domain/reject_reason.h"

namespace engaged {

inline constexpr size_t kMaxEventBytes = 64 * 1024;

struct Rejection {
  RejectReason reason;
  std::string_view detail;  // the offending field, or a short explanation
};

class EventDecoder {
 public:
  explicit EventDecoder(size_t max_bytes = kMaxEventBytes);

  // Decodes `msg`. If the caller guarantees simdjson::SIMDJSON_PADDING readable bytes after
  // the message (`padded`), the bytes are parsed in place; otherwise they are first copied into
  // a reusable padded buffer. The Event's views stay valid until the next call.
  std::optional<Rejection> decode(std::string_view msg, Event& out, bool padded = false);

 private:
  std::optional<Rejection> decode_document(simdjson::ondemand::document& doc, Event& out);
  std::optional<Rejection> decode_props(simdjson::ondemand::value v, EventProps& props);

  size_t max_bytes_;
  simdjson::ondemand::parser parser_;
  std::unique_ptr<char[]> scratch_;
  std::string detail_;  // owns the detail text of unknown-field rejections
};

}  // namespace engaged
