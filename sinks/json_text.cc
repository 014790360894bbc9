// JSON string escaping, fixed decimals and base64, shared by the dead-letter and nudge encoders.
#include "sinks/json_text.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <iterator>

namespace engaged {

void append_decimal4(std::string& out, double x) {
  const double a = std::fabs(x);
  if (!(a < 1e14)) {  // beyond the integer arithmetic below (and NaN): fmt's own
    fmt::format_to(std::back_inserter(out), "{:.4f}", x);
    return;
  }
  // a = mantissa * 2^e exactly; a * 10^4 = mantissa * 10^4 * 2^e, below 2^67.
  int e = 0;
  const auto mantissa = static_cast<uint64_t>(std::ldexp(std::frexp(a, &e), 53));
  e -= 53;
  const unsigned __int128 scaled = static_cast<unsigned __int128>(mantissa) * 10000;
  uint64_t q = 0;  // a * 10^4, rounded
  if (e >= 0) {
    q = static_cast<uint64_t>(scaled << e);  // a < 1e14: below 2^60
  } else if (e > -128) {
    const int shift = -e;
    q = static_cast<uint64_t>(scaled >> shift);
    const unsigned __int128 rest = scaled & ((static_cast<unsigned __int128>(1) << shift) - 1);
    const unsigned __int128 half = static_cast<unsigned __int128>(1) << (shift - 1);
    if (rest > half || (rest == half && (q & 1))) ++q;
  }  // else: below 2^-61, 0.0000
  char digits[24];
  char* end = digits + sizeof digits;
  char* p = end;
  for (int i = 0; i < 4; ++i, q /= 10) *--p = static_cast<char>('0' + q % 10);
  *--p = '.';
  do *--p = static_cast<char>('0' + q % 10);
  while (q /= 10);
  if (std::signbit(x)) *--p = '-';
  out.append(p, end);
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t plain = 0;  // the run of characters since the last escape, appended at once
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.substr(plain, i - plain));
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += fmt::format("\\u{:04x}", c);
    }
  }
  out.append(s.substr(plain));
  out.push_back('"');
}

void append_base64(std::string& out, std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
}

}  // namespace engaged
