// Runs one job per stream thread and returns when all are done: the pipeline's lanes process a
// polled batch side by side this way, then the shell goes on alone (checkpoints, rebalances and
// the program stage never overlap a lane). Job 0 runs on the calling thread; the others on
// threads kept for the pool's lifetime. An exception in a job is rethrown to the caller.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace engaged {

class ForkJoin {
 public:
  explicit ForkJoin(int jobs) : errors_(static_cast<size_t>(jobs)) {
    for (int i = 1; i < jobs; ++i) threads_.emplace_back([this, i] { serve(i); });
  }
  ~ForkJoin() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    start_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ForkJoin(const ForkJoin&) = delete;
  ForkJoin& operator=(const ForkJoin&) = delete;

  int jobs() const { return static_cast<int>(errors_.size()); }

  // Calls job(i) for every i in [0, jobs()), concurrently.
  void run(const std::function<void(int)>& job) {
    if (threads_.empty()) return job(0);
    {
      std::lock_guard lock(mutex_);
      job_ = &job;
      running_ = static_cast<int>(threads_.size());
      ++generation_;
    }
    start_.notify_all();
    call(0);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return running_ == 0; });
    job_ = nullptr;
    for (auto& e : errors_)
      if (e) std::rethrow_exception(std::exchange(e, nullptr));
  }

 private:
  void call(int i) {
    try {
      (*job_)(i);
    } catch (...) {
      errors_[static_cast<size_t>(i)] = std::current_exception();
    }
  }

  void serve(int i) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        start_.wait(lock, [&] { return closing_ || generation_ != seen; });
        if (closing_) return;
        seen = generation_;
      }
      call(i);
      std::lock_guard lock(mutex_);
      if (--running_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  std::vector<std::exception_ptr> errors_;  // by job, each written by its own thread
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* job_ = nullptr;
  uint64_t generation_ = 0;
  int running_ = 0;
  bool closing_ = false;
};

}  // namespace engaged
