// `engaged check-events FILE`: an app team's sample of events, checked against the event
// contract (docs/events.md) by the decoder `run` uses, before anything goes live. Each rejected
// line is printed with the reason code the dead-letter topic would carry and what is wrong;
// then counts by reason and, for the accepted lines, by event type. Exit 0 when every line is
// accepted, 1 otherwise. Not checked here: too_late and from_future, which depend on the
// stream time of a running pipeline.
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>

#include "app/commands.h"
#include "domain/event.h"
#include "ingest/event_decoder.h"

namespace engaged {

constexpr size_t kShownBytes = 160;  // of a rejected line, printed after its reason

int check_events(const CheckEventsOptions& o) {
  std::ifstream file;
  if (o.input != "-") {
    file.open(o.input);
    if (!file) throw std::runtime_error("check-events: cannot read " + o.input);
  }
  std::istream& in = o.input == "-" ? std::cin : file;
  EventDecoder decoder;
  Event event;
  RejectCounts rejected{};
  std::map<std::string_view, int64_t> accepted;  // by event type
  int64_t lines = 0, shown = 0;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::string_view message = line, key;
    if (o.keyed) {
      const size_t tab = line.find('\t');
      key = tab == std::string::npos ? std::string_view() : message.substr(0, tab);
      message = tab == std::string::npos ? message : message.substr(tab + 1);
    }
    std::optional<Rejection> r = decoder.decode(message, event);
    if (!r && o.keyed && key != event.user_id)
      r = Rejection{RejectReason::kKeyMismatch, "the key (before the tab) must be the user_id"};
    if (!r) {
      ++accepted[event_type_name(event.type)];
      continue;
    }
    ++rejected[static_cast<size_t>(r->reason)];
    if (shown++ < o.max_shown)
      fmt::print("line {}: {} ({}): {}{}\n", lines, reject_reason_name(r->reason), r->detail,
                 message.substr(0, kShownBytes), message.size() > kShownBytes ? "..." : "");
  }
  int64_t total_rejected = 0;
  for (int64_t n : rejected) total_rejected += n;
  if (shown > o.max_shown)
    fmt::print("... {} more rejected lines not shown (--max-shown)\n", shown - o.max_shown);
  fmt::print("{} lines: {} accepted, {} rejected\n", lines, lines - total_rejected, total_rejected);
  for (int i = 0; i < kRejectReasonCount; ++i)
    if (rejected[static_cast<size_t>(i)])
      fmt::print("  rejected {:<16} {:>8}\n", reject_reason_name(static_cast<RejectReason>(i)),
                 rejected[static_cast<size_t>(i)]);
  for (const auto& [type, n] : accepted) fmt::print("  accepted {:<16} {:>8}\n", type, n);
  return total_rejected == 0 ? 0 : 1;
}

}  // namespace engaged
