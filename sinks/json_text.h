// Writing JSON text by hand, for the few messages engaged produces (dead letters, nudges):
// one escaping routine, so every producer quotes strings the same way.
#pragma once

#include <string>
#include <string_view>

namespace engaged {

// Appends `s` as a JSON string literal (quotes, backslash and control characters escaped).
void append_json_string(std::string& out, std::string_view s);
void append_base64(std::string& out, std::string_view in);

}  // namespace engaged
