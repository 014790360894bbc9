// A copy is saved every 5 s of wall clock, and when it stops.
#include "state/standby_set.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include "state/changelog_record.h"
#include "state/kafka/topic_reader.h"

namespace engaged {
namespace {
constexpr int64_t kSaveEveryMs = 5000;
}  // namespace

void StandbySet::start(int32_t logical, const std::string& topic, int32_t partition, int64_t from,
                       int64_t wall_clock_ms) {
  Active a;
  a.copy = std::make_unique<ChangelogRestore>(store_, logical, from, wall_clock_ms,
                                              /*standby=*/true);
  a.topic = topic;
  a.partition = partition;
  a.next = from;
  a.saved_ms = wall_clock_ms;
  reader_.start(topic, partition, from);
  by_source_[{topic, partition}] = logical;
  active_[logical] = std::move(a);
  spdlog::info("{}[{}]: kept warm as a standby from offset {}", topic, partition, from);
}

void StandbySet::stop(int32_t logical, int64_t wall_clock_ms) {
  auto it = active_.find(logical);
  if (it == active_.end()) return;
  Active& a = it->second;
  reader_.stop(a.topic, a.partition);
  a.copy->save_standby(a.next, wall_clock_ms);
  by_source_.erase({a.topic, a.partition});
  active_.erase(it);
}

std::vector<int32_t> StandbySet::partitions() const {
  std::vector<int32_t> out;
  for (const auto& [logical, a] : active_) out.push_back(logical);
  return out;
}

void StandbySet::step(int64_t wall_clock_ms) {
  if (active_.empty()) return;
  std::vector<rd_kafka_message_t*> msgs;
  reader_.poll(msgs, 20000, 0);
  for (rd_kafka_message_t* m : msgs) {
    auto src =
        m->err ? by_source_.end() : by_source_.find({rd_kafka_topic_name(m->rkt), m->partition});
    if (m->err) spdlog::warn("standby reader: {}", rd_kafka_message_errstr(m));
    if (src != by_source_.end()) {
      Active& a = active_.at(src->second);
      if (m->offset >= a.next) {
        const std::string_view key{static_cast<const char*>(m->key), m->key_len};
        const std::string_view value{static_cast<const char*>(m->payload), m->len};
        a.copy->apply(m->offset, key, m->payload ? &value : nullptr, changelog::writer_of(m));
        a.next = m->offset + 1;
      }
    }
    rd_kafka_message_destroy(m);
  }
  for (auto& [logical, a] : active_)
    if (wall_clock_ms - a.saved_ms >= kSaveEveryMs) {
      a.copy->save_standby(a.next, wall_clock_ms);
      a.saved_ms = wall_clock_ms;
    }
}

}  // namespace engaged
