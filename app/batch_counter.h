// A count the processing thread keeps as a plain integer and publishes to its Prometheus counter
// once per batch (adding only what is new), so the hot path never touches an atomic.
#pragma once

#include <prometheus/counter.h>

#include <cstdint>

namespace engaged {

struct BatchCounter {
  int64_t total = 0;      // since start
  int64_t published = 0;  // of which already added to the Prometheus counter

  BatchCounter& operator++() {
    ++total;
    return *this;
  }
  BatchCounter& operator+=(int64_t n) {
    total += n;
    return *this;
  }
  void publish(prometheus::Counter& counter) {
    counter.Increment(static_cast<double>(total - published));
    published = total;
  }
};

}  // namespace engaged
