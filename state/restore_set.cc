// RestoreSet (changelog_tails.h): a restore is done once its copy reached the end it began with;
// records of partitions no longer restoring (aborted) are skipped.
#include <stdexcept>

#include "state/changelog_tails.h"
#include "state/steady_clock.h"

namespace engaged {

void RestoreSet::begin(int32_t logical, const std::string& topic, int32_t partition, int64_t from,
                       int64_t end, int64_t wall_clock_ms) {
  tails_.add(logical, topic, partition, from, end,
             std::make_unique<ChangelogRestore>(store_, logical, from, wall_clock_ms));
  started_ns_[logical] = steady_ns();
}

int64_t RestoreSet::records() const {
  int64_t n = 0;
  for (const auto& [logical, t] : tails_.tails()) n += t.copy->records();
  return n;
}

std::vector<RestoreSet::Finished> RestoreSet::step(int timeout_ms) {
  std::vector<Finished> out;
  if (const std::string error = tails_.step(timeout_ms); !error.empty())
    throw std::runtime_error("changelog read failed: " + error);
  std::vector<int32_t> done;
  for (auto& [logical, t] : tails_.tails()) {
    ChangelogRestore& r = *t.copy;
    if (t.next < t.end) {
      r.write_if_large();
      continue;
    }
    out.push_back({logical, t.topic, t.partition, r.from(), t.end, r.records(), r.bytes(),
                   (steady_ns() - started_ns_.at(logical)) / 1e9, r.finish(t.end), r.fenced(),
                   r.uncovered()});
    done.push_back(logical);
  }
  for (int32_t logical : done) {
    tails_.remove(logical);
    started_ns_.erase(logical);
  }
  return out;
}

}  // namespace engaged
