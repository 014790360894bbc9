// libFuzzer: the timestamp and day parsers accept or refuse any text; what they accept formats
// back to an instant that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "domain/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ms = engaged::parse_rfc3339_ms(text)) {
    const auto again = engaged::parse_rfc3339_ms(engaged::format_rfc3339_ms(*ms));
    if (!again || *again != *ms) std::abort();
  }
  if (auto day = engaged::parse_day(text)) {
    if (engaged::parse_day(engaged::format_day(*day)) != day) std::abort();
  }
  return 0;
}
