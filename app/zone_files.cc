#include "app/zone_files.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace engaged {
namespace {

std::string zone_dir() {
  const char* dir = std::getenv("TZDIR");
  return dir ? dir : "/usr/share/zoneinfo";
}

}  // namespace

TimeZone load_time_zone(const std::string& name) {
  if (name == "UTC" || name == "Etc/UTC") return TimeZone();
  if (name.empty() || name.find("..") != std::string::npos || name[0] == '/')
    throw std::runtime_error("invalid time zone name: " + name);
  const std::string path = zone_dir() + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("unknown time zone '" + name + "' (no " + path + ")");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return TimeZone::from_tzif(name, bytes, path);
}

ZoneTable load_zone_table() {
  namespace fs = std::filesystem;
  const fs::path dir = zone_dir();
  ZoneTable table;
  table.add(TimeZone());  // UTC, whatever the directory holds
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = fs::relative(it->path(), dir).generic_string();
    if (it->is_directory() && (name == "posix" || name == "right")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    try {
      table.add(load_time_zone(name));
    } catch (const std::runtime_error&) {
      // Not a zone: zone.tab, tzdata.zi, leapseconds...
    }
  }
  return table;
}

}  // namespace engaged
