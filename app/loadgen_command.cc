// `engaged loadgen`: the synthetic population to NDJSON or to a Kafka topic, optionally paced.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "app/commands.h"
#include "state/kafka/kafka_conf.h"

namespace engaged {
namespace {

// Sleeps so that `sent` messages take at least sent/rate seconds since `start`.
class Pacer {
 public:
  explicit Pacer(double rate) : rate_(rate), start_(std::chrono::steady_clock::now()) {}
  void wait(uint64_t sent) {
    if (rate_ <= 0 || sent % 1000 != 0) return;
    auto due = start_ + std::chrono::duration<double>(static_cast<double>(sent) / rate_);
    std::this_thread::sleep_until(due);
  }

 private:
  double rate_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

int loadgen(const LoadgenOptions& o) {
  Pacer pacer(o.rate);
  uint64_t sent = 0;
  const auto start = std::chrono::steady_clock::now();
  if (!o.output.empty()) {
    std::FILE* f = o.output == "-" ? stdout : std::fopen(o.output.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + o.output);
    generate_population(o.population, [&](std::string_view key, std::string_view value) {
      if (o.keyed) {
        std::fwrite(key.data(), 1, key.size(), f);
        std::fputc('\t', f);
      }
      std::fwrite(value.data(), 1, value.size(), f);
      std::fputc('\n', f);
      pacer.wait(++sent);
    });
    if (f != stdout)
      std::fclose(f);
    else
      std::fflush(f);
  } else {
    KafkaHandle producer = make_producer(o.kafka);
    rd_kafka_t* rk = producer.get();
    prefetch_metadata(rk, {o.topic});
    generate_population(o.population, [&](std::string_view key, std::string_view value) {
      produce_copy(rk, o.topic, key, value);
      if (++sent % 10000 == 0) rd_kafka_poll(rk, 0);
      pacer.wait(sent);
    });
    if (rd_kafka_flush(rk, 60000)) throw std::runtime_error("loadgen: flush timed out");
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("loadgen: {} messages in {:.2f} s", sent, s);
  return 0;
}

}  // namespace engaged
