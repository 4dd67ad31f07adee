// ManagerService: io.retentiond.Manager (and org.varlink.service) served
// over the control socket. It checks the caller's rights (control_access.h)
// and parameters, then acts on the Daemon and on its ManagerHost (the main
// loop: its queue and schedule). Cheap methods answer on the main thread;
// RunPolicy replies when the worker finishes the run; Report, VerifyLedger
// and Metrics, which read the whole ledger or many rows, run on the host's
// query thread so Status keeps answering within milliseconds.
//
// Threading: Handle() and set_rules() on the main thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "control/control_access.h"
#include "control/control_server.h"
#include "core/daemon.h"

namespace retention {

// A policy as the host sees it now.
struct PolicyView {
  std::string id;
  std::string state;  // "idle", "queued", "running"
  std::optional<WallTime> next_run;
};

// What the service needs from whoever drives the daemon.
class ManagerHost {
 public:
  virtual ~ManagerHost() = default;
  // Every configured policy, in configuration order.
  virtual std::vector<PolicyView> Policies() = 0;
  // Reloads as SIGHUP does; on failure *errors says why (possibly empty).
  virtual Status Reload(std::vector<ConfigError>* errors) = 0;
  // Queues a run of policy `id`; `done` is called (on the worker) when it
  // ends. kBusy when that policy is already queued or running.
  virtual Status QueueRun(const std::string& id, bool dry_run,
                          std::function<void(const RunReport&)> done) = 0;
  // Runs `work` off the main thread, in order.
  virtual void Defer(std::function<void()> work) = 0;
};

struct ServiceInfo {
  std::string version;
  int64_t pid = 0;
  WallTime started{};
  std::string config_path;
};

class ManagerService : public ControlHandler {
 public:
  ManagerService(Daemon& daemon, ManagerHost& host, Clock& clock,
                 ServiceInfo info, AccessRules rules)
      : daemon_(daemon),
        host_(host),
        clock_(clock),
        info_(std::move(info)),
        rules_(rules) {}

  // After a reload changed admin_group.
  void set_rules(const AccessRules& rules) { rules_ = rules; }

  void Handle(const Request& request, const Caller& caller,
              ReplyFn reply) override;

  // A method's handler, called once the caller's access and the parameters'
  // names passed the checks of its MethodSpec (control_protocol.h).
  struct Route {
    std::string_view method;
    void (*handler)(ManagerService&, const Request&, const Caller&, ReplyFn);
  };
  // One per method of kManagerMethods, in its order.
  static const std::vector<Route>& Routes();

 private:
  std::string Status();
  std::string ListPolicies();
  void RunPolicy(const Request& request, const Caller& caller, ReplyFn reply);
  std::string Reload(const Caller& caller);
  std::string ConfirmClock(const Caller& caller);
  std::string Release(const Request& request, const Caller& caller);
  std::string HoldOrRelease(const Request& request, const Caller& caller);
  std::string ListHolds();
  void Report(const Request& request, ReplyFn reply);
  void VerifyLedger(ReplyFn reply);
  void Occupancy(const Request& request, ReplyFn reply);
  void Metrics(ReplyFn reply);
  // The policies array of Status and ListPolicies, or an Internal error.
  StatusOr<nlohmann::json> PolicyArray();

  Daemon& daemon_;
  ManagerHost& host_;
  Clock& clock_;
  ServiceInfo info_;
  AccessRules rules_;
};

// Access rules from [daemon]: socket_group and admin_group resolved (a
// group that no longer resolves counts as unset, and is logged).
AccessRules AccessRulesFromConfig(const Config& config, uid_t daemon_uid);

}  // namespace retention
