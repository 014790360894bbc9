// libFuzzer: any bytes given to the event decoder give an event or a rejection, never a crash,
// a leak or undefined behaviour (built with ASan + UBSan), padded or not.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/event_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static engaged::EventDecoder decoder(1 << 20);
  engaged::Event event;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)decoder.decode(bytes, event, /*padded=*/false);
  std::string padded(bytes);
  padded.append(64, '\0');  // simdjson's padding, as replay gives it
  (void)decoder.decode(std::string_view(padded.data(), size), event, /*padded=*/true);
  return 0;
}
