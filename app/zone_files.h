// Reading the system's tz database (the shell's job: processors and the domain types only parse
// and look up).
#pragma once

#include <string>

#include "domain/time_zone.h"

namespace engaged {

// /usr/share/zoneinfo/<name> (or $TZDIR/<name>); "UTC" needs no file. Throws std::runtime_error
// naming the file if the zone is unknown or the file is not TZif.
TimeZone load_time_zone(const std::string& name);
// Every TZif file under $TZDIR or /usr/share/zoneinfo, by its name there ("Asia/Kolkata"),
// without the posix/ and right/ copies: about 600 zones, a few milliseconds.
ZoneTable load_zone_table();

}  // namespace engaged
