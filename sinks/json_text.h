// Writing JSON text by hand, for the few messages engaged produces (dead letters, nudges):
// one escaping routine, so every producer quotes strings the same way.
#pragma once

#include <string>
#include <string_view>

namespace engaged {

// Appends `s` as a JSON string literal (quotes, backslash and control characters escaped).
void append_json_string(std::string& out, std::string_view s);
// Appends `x` with four decimals, the digits fmt's "{:.4f}" writes (x's exact binary value
// rounded to nearest, ties to even; "-" for any negative x, also "-0.0000"), in a fifth of its
// time: a nudge's score and reasons are most of its JSON's cost with fmt.
void append_decimal4(std::string& out, double x);
void append_base64(std::string& out, std::string_view in);

}  // namespace engaged
