// Follows the nudges topic and answers it with simulated users' events (see the header).
#include "app/demo_reactor.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <cmath>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "domain/timestamp.h"
#include "state/kafka/kafka_conf.h"
#include "state/kafka/topic_reader.h"

namespace engaged {

namespace {

constexpr double kMessageShare = 0.7, kReturnShare = 0.35, kOpenShare = 0.4;
constexpr int64_t kMinute = 60 * 1000, kHour = 60 * kMinute;

// The draws of one nudge: uniform in [0, 1), from (seed, nudge_id) alone.
class Draws {
 public:
  Draws(uint64_t seed, std::string_view nudge_id)
      : state_(XXH3_64bits_withSeed(nudge_id.data(), nudge_id.size(), seed)) {}
  double uniform() {  // splitmix64
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return double((z ^ (z >> 31)) >> 11) / double(1ULL << 53);
  }
  // Log-uniform in [lo, hi]: most answers come soon, a few late.
  int64_t delay_ms(int64_t lo, int64_t hi) {
    return int64_t(std::exp(std::log(double(lo)) + uniform() * std::log(double(hi) / double(lo))));
  }

 private:
  uint64_t state_;
};

}  // namespace

struct DemoReactor::Impl {
  Impl(const Config& c, int p, uint64_t s) : config(c), partitions(p), seed(s) {}
  Config config;
  int partitions;
  uint64_t seed;
  mutable std::mutex mu;
  ReactorCounts counts;
  std::unordered_set<std::string> seen;  // at-least-once delivery: answer each nudge once

  void produce(rd_kafka_t* rk, std::string_view user, const std::string& event) {
    produce_copy(rk, config.topic, user, event);
  }

  // The answers to one nudge.
  void react(rd_kafka_t* rk, simdjson::dom::element n) {
    std::string_view id, kind, role, recipient, subject, deliver_at;
    bool holdout = true;
    if (n["nudge_id"].get(id) || n["kind"].get(kind) || n["recipient_role"].get(role) ||
        n["recipient_user_id"].get(recipient) || n["deliver_at"].get(deliver_at) ||
        n["holdout"].get(holdout) || holdout)
      return;
    const auto deliver = parse_rfc3339_ms(deliver_at);
    if (!deliver || !seen.insert(std::string(id)).second) return;
    if (n["subject_user_id"].get(subject)) subject = {};
    Draws draw(seed, id);
    std::lock_guard lock(mu);
    ++counts.nudges;
    if (kind == "mentor_match" && role == "mentor" && !subject.empty() &&
        draw.uniform() < kMessageShare) {
      const int64_t wrote = *deliver + draw.delay_ms(10 * kMinute, 20 * kHour);
      produce(rk, recipient,
              fmt::format(R"({{"event_id":"sim-msg-{}","user_id":"{}","type":"mentor_message",)"
                          R"("ts":"{}","peer_user_id":"{}"}})",
                          id, recipient, format_rfc3339_ms(wrote), subject));
      ++counts.mentor_messages;
      if (draw.uniform() < kReturnShare) {
        const int64_t back = wrote + draw.delay_ms(kHour, 48 * kHour);
        for (auto [type, at] :
             {std::pair{"session_start", back}, std::pair{"session_end", back + 15 * kMinute}})
          produce(rk, subject,
                  fmt::format(R"({{"event_id":"sim-{}-{}","user_id":"{}","type":"{}",)"
                              R"("ts":"{}","session_id":"sim-{}"}})",
                              type, id, subject, type, format_rfc3339_ms(at), id));
        ++counts.returns;
      }
    }
    if (role != "sales" && draw.uniform() < kOpenShare) {
      produce(rk, recipient,
              fmt::format(R"({{"event_id":"sim-open-{}","user_id":"{}","type":"nudge_opened",)"
                          R"("ts":"{}","nudge_id":"{}"}})",
                          id, recipient,
                          format_rfc3339_ms(*deliver + draw.delay_ms(kMinute, 6 * kHour)), id));
      ++counts.opens;
    }
  }
};

DemoReactor::DemoReactor(const Config& config, int partitions, uint64_t seed)
    : impl_(std::make_unique<Impl>(config, partitions, seed)) {
  thread_ = std::thread([this] {
    try {
      KafkaHandle producer =
          make_producer({{"bootstrap.servers", impl_->config.kafka.at("bootstrap.servers")}});
      TopicReader reader(impl_->config.kafka, "demo-reactor");
      for (int32_t p = 0; p < impl_->partitions; ++p)
        reader.start(impl_->config.nudges_topic, p, 0);
      simdjson::dom::parser parser;
      std::vector<rd_kafka_message_t*> batch;
      while (!stop_) {
        reader.poll(batch, 1000, 100);
        for (rd_kafka_message_t* m : batch) {
          simdjson::dom::element n;
          if (!m->err && !parser.parse(static_cast<const char*>(m->payload), m->len).get(n))
            impl_->react(producer.get(), n);
          rd_kafka_message_destroy(m);
        }
        batch.clear();
        rd_kafka_poll(producer.get(), 0);
      }
      rd_kafka_flush(producer.get(), 10000);
    } catch (const std::exception& e) {
      spdlog::warn("demo reactor stopped: {}", e.what());
    }
  });
}

DemoReactor::~DemoReactor() {
  stop_ = true;
  thread_.join();
}

ReactorCounts DemoReactor::counts() const {
  std::lock_guard lock(impl_->mu);
  return impl_->counts;
}

}  // namespace engaged
