// Bringing what an older release wrote to the current state format, in place: the values of a
// state directory when a binary first opens it for writing, and the records of an older
// changelog as they are restored. Format 3 gave every value a version (state/families.h,
// Format3): the families without one get version 1 prepended, the layout they already had.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "state/families.h"

namespace engaged {

class Store;

// The value `v` of family `f` as written by a release of state format 2 or older, in the current
// format: `v` itself or, when it changes, `buf`.
std::string_view upgrade_value(Family f, std::string_view v, std::string& buf);
// Redo ops (state/changelog_record.h) of such a release, with their values upgraded.
std::string upgrade_ops(std::string_view ops);
// Every value of a store of format 2 or older, upgraded, and the manifest text `manifest`, in
// one write: a crash leaves the state as it was or upgraded, never half of it.
void upgrade_state(Store& store, const std::string& manifest);

// Opens a state directory for reading (reports, dumps, training). One of an older format is
// first upgraded (opened for writing for that moment); if another process holds it, the error
// says so.
std::unique_ptr<Store> open_state_for_reading(const std::string& dir);

}  // namespace engaged
