// libFuzzer: any `--set key=value` line is applied or refused with std::invalid_argument (never
// another exception, a crash or an overflow), and the durations parser likewise.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    engaged::load_config("", {text});
  } catch (const std::invalid_argument&) {
  }
  try {
    engaged::parse_duration_ms(text);
  } catch (const std::invalid_argument&) {
  }
  try {
    engaged::parse_host_port(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
