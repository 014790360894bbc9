// StandbySet (changelog_tails.h): a copy is saved every 5 s of wall clock, and when it stops.
#include <spdlog/spdlog.h>

#include "state/changelog_tails.h"

namespace engaged {
namespace {
constexpr int64_t kSaveEveryMs = 5000;
}  // namespace

void StandbySet::start(int32_t logical, const std::string& topic, int32_t partition, int64_t from,
                       int64_t wall_clock_ms) {
  tails_.add(logical, topic, partition, from, INT64_MAX,
             std::make_unique<ChangelogRestore>(store_, logical, from, wall_clock_ms,
                                                /*standby=*/true));
  saved_ms_[logical] = wall_clock_ms;
  spdlog::info("{}[{}]: kept warm as a standby from offset {}", topic, partition, from);
}

void StandbySet::stop(int32_t logical, int64_t wall_clock_ms) {
  auto it = tails_.tails().find(logical);
  if (it == tails_.tails().end()) return;
  it->second.copy->save_standby(it->second.next, wall_clock_ms);
  tails_.remove(logical);
  saved_ms_.erase(logical);
}

void StandbySet::step(int64_t wall_clock_ms) {
  if (const std::string error = tails_.step(0); !error.empty())
    spdlog::warn("standby reader: {}", error);
  for (auto& [logical, t] : tails_.tails())
    if (int64_t& saved = saved_ms_.at(logical); wall_clock_ms - saved >= kSaveEveryMs) {
      t.copy->save_standby(t.next, wall_clock_ms);
      saved = wall_clock_ms;
    }
}

}  // namespace engaged
