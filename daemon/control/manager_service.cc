#include "control/manager_service.h"

#include <spdlog/spdlog.h>

#include "config/config_value.h"
#include "config/kind_registry.h"
#include "control/control_protocol.h"
#include "control/status_json.h"
#include "core/report_section.h"
#include "os/groups.h"
#include "report/hold_json.h"
#include "report/occupancy_view.h"
#include "report/report.h"
#include "report/run_summary.h"

namespace retention {
namespace {

using nlohmann::json;

std::string InternalError(const Status& st) {
  return EncodeError(kErrorInternal, {{"message", st.ToString()}});
}

std::optional<gid_t> GroupOf(const Section& daemon, const char* key) {
  const std::string& name = daemon.GetStringOrEmpty(key);
  if (name.empty()) return std::nullopt;
  auto gid = LookupGroup(name);
  if (!gid.ok()) {
    spdlog::error("{}: {}; treating it as unset", key, gid.status().ToString());
    return std::nullopt;
  }
  return *gid;
}

}  // namespace

AccessRules AccessRulesFromConfig(const Config& config, uid_t daemon_uid) {
  AccessRules rules;
  rules.daemon_uid = daemon_uid;
  rules.socket_gid = GroupOf(config.daemon(), "socket_group");
  rules.admin_gid = GroupOf(config.daemon(), "admin_group");
  return rules;
}

void ManagerService::Handle(const Request& request, const Caller& caller,
                            ReplyFn reply) {
  if (auto service = DispatchServiceInterface(request, info_.version)) {
    reply(std::move(*service));
    return;
  }
  const MethodSpec* spec = FindManagerMethod(request.method);
  if (spec == nullptr) {
    reply(EncodeUnknownMethod(request));
    return;
  }
  if (!MayCall(caller, rules_, spec->changes_state)) {
    spdlog::warn("control: refused {} to {} ({})", request.member,
                 DescribeCaller(caller),
                 spec->changes_state ? "needs root or admin_group"
                                     : "needs root or socket_group");
    reply(EncodeError(kErrorPermissionDenied, {{"method", request.method}}));
    return;
  }
  if (spec->changes_state) {
    spdlog::info("control: {} called by {}", request.member,
                 DescribeCaller(caller));
  }
  if (auto unknown = FindUnknownParam(request, spec->params)) {
    reply(EncodeInvalidParameter(
        *unknown, retention::Status::InvalidArgument("unknown parameter '" +
                                                     *unknown + "'")));
    return;
  }
  for (const Route& route : Routes()) {
    if (route.method == spec->name) {
      route.handler(*this, request, caller, std::move(reply));
      return;
    }
  }
  reply(EncodeError(kServiceErrorMethodNotImplemented,
                    {{"method", request.method}}));
}

// The handler of each method of kManagerMethods (control_protocol.h), which
// holds its access level and parameters; a test checks the two lists match.
const std::vector<ManagerService::Route>& ManagerService::Routes() {
  using Req = const Request&;
  using Who = const Caller&;
  static const std::vector<Route> routes = {
      {kMethodStatus,
       [](ManagerService& s, Req, Who, ReplyFn r) { r(s.Status()); }},
      {kMethodListPolicies,
       [](ManagerService& s, Req, Who, ReplyFn r) { r(s.ListPolicies()); }},
      {kMethodRunPolicy, [](ManagerService& s, Req q, Who c,
                            ReplyFn r) { s.RunPolicy(q, c, std::move(r)); }},
      {kMethodReload,
       [](ManagerService& s, Req, Who c, ReplyFn r) { r(s.Reload(c)); }},
      {kMethodConfirmClock,
       [](ManagerService& s, Req, Who c, ReplyFn r) { r(s.ConfirmClock(c)); }},
      {kMethodReport, [](ManagerService& s, Req q, Who,
                         ReplyFn r) { s.Report(q, std::move(r)); }},
      {kMethodVerifyLedger, [](ManagerService& s, Req, Who,
                               ReplyFn r) { s.VerifyLedger(std::move(r)); }},
      {kMethodMetrics,
       [](ManagerService& s, Req, Who, ReplyFn r) { s.Metrics(std::move(r)); }},
      {kMethodRelease,
       [](ManagerService& s, Req q, Who c, ReplyFn r) { r(s.Release(q, c)); }},
      {kMethodHold, [](ManagerService& s, Req q, Who c,
                       ReplyFn r) { r(s.HoldOrRelease(q, c)); }},
      {kMethodReleaseHold, [](ManagerService& s, Req q, Who c,
                              ReplyFn r) { r(s.HoldOrRelease(q, c)); }},
      {kMethodListHolds,
       [](ManagerService& s, Req, Who, ReplyFn r) { r(s.ListHolds()); }},
      {kMethodOccupancy, [](ManagerService& s, Req q, Who,
                            ReplyFn r) { s.Occupancy(q, std::move(r)); }},
  };
  return routes;
}

StatusOr<json> ManagerService::PolicyArray() {
  auto config = daemon_.config();
  auto runs = daemon_.state().LastRealRuns();
  if (!runs.ok()) return runs.status();
  auto brakes = daemon_.state().Brakes();
  if (!brakes.ok()) return brakes.status();
  const auto alerts = daemon_.Alerts();
  json policies = json::array();
  for (const PolicyView& view : host_.Policies()) {
    const Section* section = config->Find(view.id);
    auto policy = daemon_.Find(view.id);
    json p = {{"id", view.id},
              {"kind", section ? section->kind : ""},
              {"every", policy ? FormatDuration(policy->every()) : ""},
              {"state", view.state},
              {"next_run", OptionalTimeJson(view.next_run)},
              {"last_run", nullptr},
              {"last_result", nullptr},
              {"brake", nullptr},
              {"holder", nullptr},
              {"description", nullptr},
              {"progress", ProgressJson(daemon_.progress().Find(view.id))},
              {"alerts", json::object()},
              {"alerts_since", json::object()}};
    if (auto it = alerts.find(view.id); it != alerts.end()) {
      for (const StandingAlert& a : it->second) {
        p["alerts"][a.name] = a.text;
        p["alerts_since"][a.name] = FormatIso8601(a.since);
      }
    }
    if (section && section->Has(kDescriptionKey)) {
      p["description"] = section->GetString(kDescriptionKey);
    }
    if (auto it = runs->find(view.id); it != runs->end()) {
      p["last_run"] = FormatIso8601(it->second.started);
      p["last_result"] = it->second.outcome;
    }
    for (const Brake& b : *brakes) {
      if (b.name == view.id) p["brake"] = b.reason;
    }
    if (auto holder = policy ? policy->work_holder() : std::nullopt) {
      p["holder"] = {{"host", holder->host},
                     {"until", FormatIso8601(holder->until)}};
    }
    policies.push_back(std::move(p));
  }
  return policies;
}

std::string ManagerService::Status() {
  auto policies = PolicyArray();
  if (!policies.ok()) return InternalError(policies.status());
  auto brake = daemon_.clock_brake().Engaged();
  if (!brake.ok()) return InternalError(brake.status());
  auto holds = daemon_.state().Holds();
  if (!holds.ok()) return InternalError(holds.status());
  json hold_list = HoldsJson(*holds);
  json running = nullptr;
  json queued = json::array();
  for (const json& p : *policies) {
    if (p["state"] == "running") running = p["id"];
    if (p["state"] == "queued") queued.push_back(p["id"]);
  }
  return EncodeReply(
      {{"version", info_.version},
       {"pid", info_.pid},
       {"started", FormatIso8601(info_.started)},
       {"config", info_.config_path},
       {"state_dir", daemon_.config()->daemon().GetString("state_dir")},
       {"clock_brake",
        brake->has_value() ? json((*brake)->reason) : json(nullptr)},
       {"running", running},
       {"queued", queued},
       {"holds", std::move(hold_list)},
       {"checkpoints", CheckpointSendsJson(daemon_.checkpoint_sends())},
       {"policies", std::move(*policies)}});
}

std::string ManagerService::ListPolicies() {
  auto policies = PolicyArray();
  if (!policies.ok()) return InternalError(policies.status());
  return EncodeReply({{"policies", std::move(*policies)}});
}

void ManagerService::RunPolicy(const Request& request, const Caller& caller,
                               ReplyFn reply) {
  auto name = StringParam(request, "name", true);
  if (!name.ok()) {
    reply(EncodeInvalidParameter("name", name.status()));
    return;
  }
  auto dry_run = BoolParam(request, "dry_run", false);
  if (!dry_run.ok()) {
    reply(EncodeInvalidParameter("dry_run", dry_run.status()));
    return;
  }
  auto policy = daemon_.Find(*name);
  if (!policy) {
    reply(EncodeError(kErrorNoSuchPolicy, {{"name", *name}}));
    return;
  }
  const std::string who = DescribeCaller(caller);
  auto shared = std::make_shared<ReplyFn>(reply);
  retention::Status st = host_.QueueRun(
      policy->id(), *dry_run, [shared, who](const RunReport& report) {
        spdlog::info("control: run of {} for {}: {}", report.policy, who,
                     OutcomeName(report.outcome));
        (*shared)(EncodeReply({{"run", RunToJson(report)}}));
      });
  if (st.IsBusy()) {
    reply(EncodeError(kErrorBusy, {{"reason", st.message()}}));
  } else if (!st.ok()) {
    reply(InternalError(st));
  }
}

std::string ManagerService::Reload(const Caller& caller) {
  std::vector<ConfigError> errors;
  retention::Status st = host_.Reload(&errors);
  if (!st.ok()) {
    json lines = json::array();
    for (const ConfigError& e : errors) lines.push_back(e.ToString());
    if (lines.empty()) lines.push_back(st.ToString());
    return EncodeError(kErrorConfigInvalid, {{"errors", lines}});
  }
  set_rules(AccessRulesFromConfig(*daemon_.config(), rules_.daemon_uid));
  spdlog::info("control: reloaded for {}", DescribeCaller(caller));
  return EncodeReply({{"policies", daemon_.Schedule().size()}});
}

std::string ManagerService::ConfirmClock(const Caller& caller) {
  auto was = daemon_.ConfirmClock(DescribeCaller(caller));
  if (!was.ok()) return InternalError(was.status());
  return EncodeReply({{"was_engaged", *was}});
}

std::string ManagerService::Release(const Request& request,
                                    const Caller& caller) {
  auto name = StringParam(request, "name", true);
  if (!name.ok()) return EncodeInvalidParameter("name", name.status());
  auto policy = daemon_.Find(*name);
  if (!policy) return EncodeError(kErrorNoSuchPolicy, {{"name", *name}});
  auto was = daemon_.ReleaseBrake(policy->id(), DescribeCaller(caller));
  if (!was.ok()) return InternalError(was.status());
  return EncodeReply({{"policy", policy->id()}, {"was_engaged", *was}});
}

std::string ManagerService::HoldOrRelease(const Request& request,
                                          const Caller& caller) {
  const bool place = request.method == kMethodHold;
  const std::vector<std::string> names =
      place ? std::vector<std::string>{"kind", "target", "reason"}
            : std::vector<std::string>{"kind", "target"};
  std::vector<std::string> values;
  for (const std::string& name : names) {
    auto value = StringParam(request, name, true);
    if (!value.ok()) return EncodeInvalidParameter(name, value.status());
    values.push_back(*value);
  }
  const std::string who = DescribeCaller(caller);
  if (!place) {
    auto was = daemon_.ReleaseHold(values[0], values[1], who);
    if (!was.ok()) return InternalError(was.status());
    return EncodeReply({{"was_held", *was}});
  }
  auto hold = daemon_.PlaceHold(values[0], values[1], values[2], who);
  if (hold.status().code() == retention::Status::Code::kInvalidArgument) {
    return EncodeInvalidParameter("target", hold.status());
  }
  if (!hold.ok()) return InternalError(hold.status());
  return EncodeReply({{"hold", HoldJson(*hold)}});
}

std::string ManagerService::ListHolds() {
  auto holds = daemon_.state().Holds();
  if (!holds.ok()) return InternalError(holds.status());
  return EncodeReply({{"holds", HoldsJson(*holds)}});
}

void ManagerService::Report(const Request& request, ReplyFn reply) {
  auto since_text = StringParam(request, "since", false, "30d");
  if (!since_text.ok()) {
    reply(EncodeInvalidParameter("since", since_text.status()));
    return;
  }
  auto since = ParseDuration(*since_text);
  if (!since.ok() || *since <= Duration::zero()) {
    reply(EncodeInvalidParameter(
        "since", retention::Status::InvalidArgument(
                     "'" + *since_text + "' is not a duration such as 30d")));
    return;
  }
  auto format = StringParam(request, "format", false, "text");
  if (!format.ok()) {
    reply(EncodeInvalidParameter("format", format.status()));
    return;
  }
  if (*format != "text" && *format != "json" && *format != "html") {
    reply(EncodeInvalidParameter(
        "format", retention::Status::InvalidArgument(
                      "'" + *format + "' is not text, json or html")));
    return;
  }
  host_.Defer([this, reply, period = *since, format = *format] {
    auto report =
        BuildReport(*daemon_.config(), daemon_.state(), daemon_.ledger(),
                    BuiltinReportSections(), clock_.Now(), period);
    if (!report.ok()) {
      reply(InternalError(report.status()));
      return;
    }
    auto audit = daemon_.Audit();  // without holds, the report goes without
    if (audit.ok()) report->audit = std::move(*audit);
    std::string text = format == "json"   ? FormatReportJson(*report)
                       : format == "html" ? FormatReportHtml(*report)
                                          : FormatReportText(*report);
    reply(EncodeReply({{"format", format}, {"report", std::move(text)}}));
  });
}

void ManagerService::Occupancy(const Request& request, ReplyFn reply) {
  auto user = StringParam(request, "user", false);
  auto top = IntParam(request, "top", false);
  auto over = BoolParam(request, "over", false);
  for (const auto& [name, st] :
       {std::pair<const char*, retention::Status>{"user", user.status()},
        {"top", top.status()},
        {"over", over.status()}}) {
    if (!st.ok()) return reply(EncodeInvalidParameter(name, st));
  }
  if (*top < 0) {
    return reply(EncodeInvalidParameter(
        "top", retention::Status::InvalidArgument("must be 0 or more")));
  }
  host_.Defer([this, reply, q = OccupancyQuery{*user, size_t(*top), *over}] {
    auto view = OccupancyJson(daemon_.state(), q);
    reply(view.ok() ? EncodeReply(*view) : InternalError(view.status()));
  });
}

void ManagerService::VerifyLedger(ReplyFn reply) {
  host_.Defer([this, reply] {
    auto check = daemon_.ledger().Verify();
    if (!check.ok()) {
      reply(InternalError(check.status()));
      return;
    }
    reply(EncodeReply(
        {{"ok", check->ok},
         {"entries", check->entries},
         {"head_hash", check->head_hash},
         {"first_bad_seq",
          check->ok ? json(nullptr) : json(check->first_bad_seq)},
         {"problem", check->ok ? json(nullptr) : json(check->problem)}}));
  });
}

void ManagerService::Metrics(ReplyFn reply) {
  host_.Defer([this, reply] {
    auto text = daemon_.Metrics();
    reply(text.ok() ? EncodeReply({{"text", *text}})
                    : InternalError(text.status()));
  });
}

}  // namespace retention
