// SIGINT/SIGTERM request a clean stop: the current batch finishes and a final checkpoint runs.
#include <atomic>
#include <csignal>

#include "app/commands.h"

namespace engaged {
namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) {
  g_stop.store(true);
}
}  // namespace

void install_signal_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool stop_requested() {
  return g_stop.load(std::memory_order_relaxed);
}

}  // namespace engaged
