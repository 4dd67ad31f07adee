#include <systemd/sd-daemon.h>
#include <time.h>

#include "app/service_notifier.h"

namespace retention {
namespace {

class SystemdNotifier final : public ServiceNotifier {
 public:
  SystemdNotifier() {
    uint64_t usec = 0;
    // Passing 0 keeps WATCHDOG_USEC in the environment for children to see.
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
      interval_ = std::chrono::microseconds(usec);
    }
  }
  void Ready(const std::string& status) override {
    Send("READY=1\nSTATUS=" + status);
  }
  void Reloading() override {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const long long usec = ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
    Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
  }
  void Stopping() override { Send("STOPPING=1"); }
  void SetStatus(const std::string& status) override {
    Send("STATUS=" + status);
  }
  void Watchdog() override { Send("WATCHDOG=1"); }
  std::optional<Duration> WatchdogInterval() const override {
    return interval_;
  }

 private:
  static void Send(const std::string& state) {
    // Notification is advisory: a manager that cannot be told is not a
    // reason to stop deleting on schedule.
    sd_notify(0, state.c_str());
  }
  std::optional<Duration> interval_;
};

}  // namespace

std::unique_ptr<ServiceNotifier> NewSystemdNotifier() {
  return std::make_unique<SystemdNotifier>();
}

}  // namespace retention
