// The identity of a state directory, checked by every command that opens one: the format of its
// records and what it was built from (input topic, partition count, time zone, the settings that
// define labels). A state built from 6 partitions read as 12, or with another time zone, would
// give wrong figures without a sound; this makes it an error that names the difference.
//
// Versioning is state-wide and one way: the format number covers the layout of every record
// type (RocksDB and changelog alike). A release that changes a layout bumps it and keeps reading
// the previous format; a state of a newer format is refused.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace engaged {

class Store;

// 1: releases before the manifest (no manifest record; partition meta without a version word).
// 2: the manifest; partition meta v2 (any number of rejection reasons).
// 3: every value starts with its version (state/codec.h, begin_record); upgraded in place by
//    state/format_upgrade.h.
inline constexpr int kStateFormat = 3;
inline constexpr int kOldestReadableFormat = 1;

struct Manifest {
  int format = kStateFormat;
  std::string engaged_version;  // of the binary that created the state (informational)
  // What the state was built from: "input.topic", "input.partitions", "processing.timezone" and
  // every label-defining setting (segments.*, activity.*, aha.*, revenue.currencies), by name.
  std::map<std::string, std::string> built_from;
  // The registered stores (state_store.h) the state holds, by name: their id, and whether they
  // were there from the state's first event ("start") or added to a state that already had
  // data ("added": their figures count only the events processed since).
  struct StoreEntry {
    int id = 0;
    bool added_later = false;
    bool operator==(const StoreEntry&) const = default;
  };
  std::map<std::string, StoreEntry> stores;
};

std::string encode_manifest(const Manifest& m);
std::optional<Manifest> decode_manifest(const std::string& text);

// The stored manifest; nullopt for an empty store. A store with data but no manifest was written
// by a format-1 release: its manifest says format 1 and nothing else.
std::optional<Manifest> read_manifest(Store& store);

// Refuses (std::runtime_error naming the setting, the stored and the given value) a state of an
// unreadable format or, when `expected` is given, built from other settings or with a store id
// used for another store. A writable store of an older format is upgraded. A writable store without
// a manifest (new, or format 1) gets `expected`'s, at the current format; one that lacks some of
// `expected`'s stores records them as added later (and says so in the log).
void check_manifest(Store& store, const std::string& dir, const Manifest* expected);

}  // namespace engaged
