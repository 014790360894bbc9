// SIGINT/SIGTERM request a clean stop: the current batch finishes and a final checkpoint runs.
// The stop is bounded: a second signal, or the shutdown deadline passing, ends the process at
// once, which the state survives as it survives kill -9 (it stays at its last checkpoint).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "app/commands.h"

namespace engaged {
namespace {

std::atomic<bool> g_stop{false};

void say(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

extern "C" void on_signal(int) {
  if (g_stop.exchange(true)) {  // the second one: no more waiting
    say("[engaged] second signal: exiting now; the state stays at its last checkpoint\n");
    ::_exit(kExitShutdownDeadline);
  }
}

}  // namespace

void install_signal_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool stop_requested() {
  return g_stop.load(std::memory_order_relaxed);
}

void arm_shutdown_deadline(int64_t ms) {
  std::thread([ms] {
    while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    say("[engaged] the clean stop took longer than state.shutdown_timeout: exiting now; the "
        "state stays at its last checkpoint\n");
    ::_exit(kExitShutdownDeadline);
  }).detach();
}

}  // namespace engaged
