#include "state/changelog_tails.h"

#include <librdkafka/rdkafka.h>

#include "state/changelog_record.h"
#include "state/kafka/topic_reader.h"

namespace engaged {

ChangelogTails::Tail& ChangelogTails::add(int32_t logical, const std::string& topic,
                                          int32_t partition, int64_t from, int64_t end,
                                          std::unique_ptr<ChangelogRestore> copy) {
  Tail t{std::move(copy), topic, partition, from, end, from < end};
  if (t.reading) reader_.start(topic, partition, from);
  by_source_[{topic, partition}] = logical;
  return tails_[logical] = std::move(t);
}

void ChangelogTails::remove(int32_t logical) {
  auto it = tails_.find(logical);
  if (it == tails_.end()) return;
  if (it->second.reading) reader_.stop(it->second.topic, it->second.partition);
  by_source_.erase({it->second.topic, it->second.partition});
  tails_.erase(it);
}

std::vector<int32_t> ChangelogTails::partitions() const {
  std::vector<int32_t> out;
  for (const auto& [logical, t] : tails_) out.push_back(logical);
  return out;
}

std::string ChangelogTails::step(int timeout_ms) {
  std::string error;
  if (tails_.empty()) return error;
  std::vector<rd_kafka_message_t*> msgs;
  reader_.poll(msgs, 20000, timeout_ms);
  for (rd_kafka_message_t* m : msgs) {
    auto src =
        m->err ? by_source_.end() : by_source_.find({rd_kafka_topic_name(m->rkt), m->partition});
    if (m->err && error.empty()) error = rd_kafka_message_errstr(m);
    if (src != by_source_.end()) {
      Tail& t = tails_.at(src->second);
      if (m->offset >= t.next && m->offset < t.end) {
        const std::string_view key{static_cast<const char*>(m->key), m->key_len};
        const std::string_view value{static_cast<const char*>(m->payload), m->len};
        t.copy->apply(m->offset, key, m->payload ? &value : nullptr, changelog::writer_of(m));
        t.next = m->offset + 1;
      }
    }
    rd_kafka_message_destroy(m);
  }
  return error;
}

}  // namespace engaged
