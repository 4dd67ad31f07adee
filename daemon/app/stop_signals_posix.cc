// StopOnTermSignals (main_loop.h).
#include <signal.h>

#include <atomic>

#include "app/main_loop.h"

namespace retention {
namespace {

std::atomic<bool>* stop_flag = nullptr;

void SetStop(int) {
  if (stop_flag != nullptr) *stop_flag = true;  // lock-free: signal-safe
}

}  // namespace

void StopOnTermSignals(std::atomic<bool>* stop) {
  stop_flag = stop;
  struct sigaction sa = {};
  sa.sa_handler = SetStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace retention
