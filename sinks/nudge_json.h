// What goes out to app.nudges: a decided nudge as nudge.v1 JSON (schemas/nudge.v1.schema.json,
// the contract in docs/nudges.md). The program stage decides; this encodes, on the way out.
#pragma once

#include <string>

#include "processors/program/nudge.h"

namespace engaged {

// The nudge as one line of JSON (nudge.v1), without a trailing newline.
std::string nudge_json(const Nudge& n);

}  // namespace engaged
