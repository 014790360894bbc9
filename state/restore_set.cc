// Records of partitions no longer restoring (aborted) are skipped.
#include "state/restore_set.h"

#include <librdkafka/rdkafka.h>

#include "state/changelog_record.h"
#include "state/kafka/topic_reader.h"
#include "state/steady_clock.h"

namespace engaged {

void RestoreSet::begin(int32_t logical, const std::string& topic, int32_t partition, int64_t from,
                       int64_t end, int64_t wall_clock_ms) {
  Active a;
  a.restore = std::make_unique<ChangelogRestore>(store_, logical, from, wall_clock_ms);
  a.topic = topic;
  a.partition = partition;
  a.end = end;
  a.started_ns = steady_ns();
  a.done = from >= end;
  if (!a.done) reader_.start(topic, partition, from);
  by_source_[{topic, partition}] = logical;
  active_[logical] = std::move(a);
}

std::vector<int32_t> RestoreSet::partitions() const {
  std::vector<int32_t> out;
  for (const auto& [logical, a] : active_) out.push_back(logical);
  return out;
}

int64_t RestoreSet::records() const {
  int64_t n = 0;
  for (const auto& [logical, a] : active_) n += a.restore->records();
  return n;
}

std::vector<RestoreSet::Finished> RestoreSet::step(int timeout_ms) {
  std::vector<Finished> out;
  if (active_.empty()) return out;
  std::vector<rd_kafka_message_t*> msgs;
  reader_.poll(msgs, 20000, timeout_ms);
  std::string error;
  for (rd_kafka_message_t* m : msgs) {
    auto src =
        m->err ? by_source_.end() : by_source_.find({rd_kafka_topic_name(m->rkt), m->partition});
    if (m->err && error.empty()) error = rd_kafka_message_errstr(m);
    if (src != by_source_.end() && error.empty()) {
      Active& a = active_.at(src->second);
      if (!a.done && m->offset >= a.restore->from()) {
        const std::string_view key{static_cast<const char*>(m->key), m->key_len};
        const std::string_view value{static_cast<const char*>(m->payload), m->len};
        a.restore->apply(m->offset, key, m->payload ? &value : nullptr, changelog::writer_of(m));
        if (m->offset + 1 >= a.end) a.done = true;
      }
    }
    rd_kafka_message_destroy(m);
  }
  if (!error.empty()) throw std::runtime_error("changelog read failed: " + error);
  for (auto it = active_.begin(); it != active_.end();) {
    Active& a = it->second;
    if (!a.done) {
      a.restore->write_if_large();
      ++it;
      continue;
    }
    if (a.end > a.restore->from()) reader_.stop(a.topic, a.partition);
    Finished f{it->first,
               a.topic,
               a.partition,
               a.restore->from(),
               a.end,
               a.restore->records(),
               a.restore->bytes(),
               (steady_ns() - a.started_ns) / 1e9,
               a.restore->finish(a.end),
               a.restore->fenced(),
               a.restore->uncovered()};
    out.push_back(std::move(f));
    by_source_.erase({a.topic, a.partition});
    it = active_.erase(it);
  }
  return out;
}

}  // namespace engaged
