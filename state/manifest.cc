// The manifest record: "key=value" lines in the default column family, key "manifest".
#include "state/manifest.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <stdexcept>

#include "state/format_upgrade.h"
#include "state/store.h"

namespace engaged {

std::string encode_manifest(const Manifest& m) {
  std::string out = fmt::format("format={}\nengaged_version={}\n", m.format, m.engaged_version);
  for (const auto& [key, value] : m.built_from) out += fmt::format("{}={}\n", key, value);
  for (const auto& [name, e] : m.stores)
    out += fmt::format("store.{}={} {}\n", name, e.id, e.added_later ? "added" : "start");
  return out;
}

std::optional<Manifest> decode_manifest(const std::string& text) {
  Manifest m;
  m.format = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "format")
      m.format = std::atoi(value.c_str());
    else if (key == "engaged_version")
      m.engaged_version = value;
    else if (key.starts_with("store."))
      m.stores[key.substr(6)] = {std::atoi(value.c_str()), value.ends_with(" added")};
    else
      m.built_from[key] = value;
  }
  if (m.format <= 0) return std::nullopt;
  return m;
}

std::optional<Manifest> read_manifest(Store& store) {
  if (auto text = store.manifest_text()) {
    auto m = decode_manifest(*text);
    if (!m) throw std::runtime_error("the state's manifest is unreadable: " + *text);
    return m;
  }
  if (store.empty()) return std::nullopt;
  Manifest legacy;
  legacy.format = 1;
  return legacy;
}

void check_manifest(Store& store, const std::string& dir, const Manifest* expected) {
  const std::optional<Manifest> stored = read_manifest(store);
  if (stored && stored->format > kStateFormat)
    throw std::runtime_error(fmt::format(
        "state {} has format {}, written by engaged {}; this binary reads formats {}..{}: use a "
        "newer engaged, or rebuild the state with a replay",
        dir, stored->format, stored->engaged_version, kOldestReadableFormat, kStateFormat));
  if (stored && stored->format < kOldestReadableFormat)
    throw std::runtime_error(
        fmt::format("state {} has format {}, older than this binary reads", dir, stored->format));
  const bool old_format = stored && stored->format < kStateFormat;
  if (!expected) {
    if (!old_format || store.read_only()) return;
    Manifest m = *stored;
    m.format = kStateFormat;
    upgrade_state(store, encode_manifest(m));
    return;
  }
  if (stored && !stored->built_from.empty())
    for (const auto& [key, value] : expected->built_from) {
      auto it = stored->built_from.find(key);
      const std::string was = it == stored->built_from.end() ? "(not recorded)" : it->second;
      if (was != value)
        throw std::runtime_error(fmt::format(
            "state {} was built with {}={}, but this command has {}={}: its figures would mix "
            "both. Use the original setting, or rebuild the state with a replay into a new "
            "state.dir",
            dir, key, was, key, value));
    }
  if (stored)
    for (const auto& [name, e] : expected->stores) {
      auto it = stored->stores.find(name);
      if (it != stored->stores.end() && it->second.id != e.id)
        throw std::runtime_error(
            fmt::format("state {} holds store {} with id {}, but this binary gives it id {}", dir,
                        name, it->second.id, e.id));
      for (const auto& [other, o] : stored->stores)
        if (other != name && o.id == e.id)
          throw std::runtime_error(
              fmt::format("state {} holds store {} with id {}, which this binary gives to store {}",
                          dir, other, o.id, name));
    }
  if (store.read_only()) return;
  const bool recorded = stored && !stored->built_from.empty();  // a manifest of format 2 or later
  Manifest m = recorded ? *stored : *expected;
  m.format = kStateFormat;
  if (!recorded) m.stores.clear();
  bool changed = !recorded;
  for (const auto& [name, e] : expected->stores) {
    if (m.stores.count(name)) continue;
    const bool added_later = stored.has_value();  // the state already has data
    m.stores[name] = {e.id, added_later};
    changed = true;
    if (added_later)
      spdlog::warn(
          "state {}: store {} is new to this state; its figures count only the events processed "
          "from now on (replay the input into a new state to have them from the start)",
          dir, name);
  }
  if (old_format)
    upgrade_state(store, encode_manifest(m));
  else if (changed)
    store.put_manifest_text(encode_manifest(m));
}

}  // namespace engaged
