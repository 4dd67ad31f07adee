// ServiceNotifier: tells the service manager what the daemon is doing
// (sd_notify): READY=1 once serving, STATUS= one-line summaries,
// RELOADING=1 / READY=1 around reloads, STOPPING=1, and WATCHDOG=1 pings
// when the unit set WatchdogSec. Without NOTIFY_SOCKET every call is a
// no-op. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"

namespace retention {

class ServiceNotifier {
 public:
  virtual ~ServiceNotifier() = default;
  virtual void Ready(const std::string& status) = 0;
  virtual void Reloading() = 0;
  virtual void Stopping() = 0;
  virtual void SetStatus(const std::string& status) = 0;
  virtual void Watchdog() = 0;
  // How often Watchdog() must be called, if the manager asked for it.
  virtual std::optional<Duration> WatchdogInterval() const = 0;
};

// The systemd implementation. Constructed only by main().
std::unique_ptr<ServiceNotifier> NewSystemdNotifier();

}  // namespace retention
