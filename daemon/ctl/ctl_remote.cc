#include "ctl/ctl_remote.h"

#include <functional>
#include <optional>
#include <ostream>

#include "base/exit_codes.h"
#include "control/control_protocol.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_offline.h"
#include "ctl/ctl_run_progress.h"
#include "report/occupancy_view.h"
#include "report/run_summary.h"

namespace retention {
namespace {

using nlohmann::json;

// The reply's parameters, or nullopt with *code set: kExitNotRunning with
// nothing printed, or the exit code of a failure already printed.
std::optional<json> Ask(CtlContext& ctx, std::string_view method,
                        const json& params, int* code) {
  if (ctx.socket_path.empty()) {
    *code = kExitNotRunning;
    return std::nullopt;
  }
  StatusOr<Reply> reply = CallDaemon(ctx.socket_path, method, params);
  if (!reply.ok()) {
    const Status& st = reply.status();
    if (st.IsNotFound()) {
      *code = kExitNotRunning;
      return std::nullopt;
    }
    const bool denied = st.code() == Status::Code::kPermissionDenied;
    ctx.err << "retentionctl: " << (denied ? "permission denied: " : "")
            << st.message() << "\n";
    *code = denied ? kExitNoPermission : kExitFailure;
    return std::nullopt;
  }
  if (!reply->error.empty()) {
    ctx.err << FormatErrorReply(*reply);
    *code = ExitCodeForErrorReply(*reply);
    return std::nullopt;
  }
  return std::move(reply->parameters);
}

std::string Pretty(const json& params) {
  return params.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// Calls a method without parameters and prints the reply through `format`
// (or as JSON with --json).
int Show(CtlContext& ctx, std::string_view method,
         const std::function<std::string(const json&)>& format) {
  int code = kExitOk;
  std::optional<json> reply = Ask(ctx, method, json::object(), &code);
  if (!reply) return code;
  ctx.out << (ctx.json ? Pretty(*reply) : format(*reply));
  return kExitOk;
}

// The string field `key` of a reply, or nullopt after saying it is missing.
std::optional<std::string> StringField(CtlContext& ctx, const json& reply,
                                       const char* key) {
  auto it = reply.find(key);
  if (it != reply.end() && it->is_string()) return it->get<std::string>();
  ctx.err << "retentionctl: retentiond's reply lacks the string '" << key
          << "'\n";
  return std::nullopt;
}

std::string PolicyTableOf(const json& reply, WallTime now) {
  auto it = reply.find("policies");
  return FormatPolicyTable(it == reply.end() ? json() : *it, now);
}

}  // namespace

void PrintNotRunning(CtlContext& ctx) {
  if (ctx.socket_path.empty()) {
    ctx.err << "retentionctl: retentiond's control socket is disabled "
               "(control_socket is empty); give --socket PATH\n";
    return;
  }
  ctx.err << "retentionctl: retentiond is not running (no socket at "
          << ctx.socket_path << ")\n";
}

int StatusFromDaemon(CtlContext& ctx) {
  const WallTime now = ctx.clock.Now();
  return Show(ctx, kMethodStatus,
              [now](const json& reply) { return FormatStatus(reply, now); });
}

int PoliciesFromDaemon(CtlContext& ctx) {
  const WallTime now = ctx.clock.Now();
  return Show(ctx, kMethodListPolicies,
              [now](const json& reply) { return PolicyTableOf(reply, now); });
}

int ReloadFromDaemon(CtlContext& ctx) {
  return Show(ctx, kMethodReload, FormatReload);
}

// Nothing to confirm is a failure to do what was asked: said on stderr,
// exit kExitFailure (the reply still printed with --json).
int ConfirmClockFromDaemon(CtlContext& ctx) {
  int code = kExitOk;
  std::optional<json> reply =
      Ask(ctx, kMethodConfirmClock, json::object(), &code);
  if (!reply) return code;
  const auto it = reply->find("was_engaged");
  const bool was_engaged = it != reply->end() && it->is_boolean() && *it;
  if (ctx.json) ctx.out << Pretty(*reply);
  if (!was_engaged) {
    ctx.err << "retentionctl: " << kClockNotEngaged;
    return kExitFailure;
  }
  if (!ctx.json) ctx.out << FormatConfirmClock(*reply);
  return kExitOk;
}

int ReleaseFromDaemon(CtlContext& ctx) {
  if (ctx.args.size() != 1) {
    ctx.err << "retentionctl: release: give one policy NAME\n";
    return kExitUsage;
  }
  int code = kExitOk;
  std::optional<json> reply =
      Ask(ctx, kMethodRelease, {{"name", ctx.args[0]}}, &code);
  if (!reply) return code;
  ctx.out << (ctx.json ? Pretty(*reply) : FormatRelease(*reply));
  return kExitOk;
}

namespace {

// The hold target of the command line, or a usage error.
bool HoldTarget(CtlContext& ctx, const char* command, bool needs_reason) {
  if (ctx.hold_kind.empty() || ctx.hold_kind == "?") {
    ctx.err << "retentionctl: " << command
            << ": give one of --policy NAME, --path PATH, --account ID\n";
    return false;
  }
  if (needs_reason && ctx.reason.empty()) {
    ctx.err << "retentionctl: " << command << ": give --reason TEXT\n";
    return false;
  }
  return true;
}

}  // namespace

int HoldFromDaemon(CtlContext& ctx) {
  if (!HoldTarget(ctx, "hold", true)) return kExitUsage;
  int code = kExitOk;
  std::optional<json> reply = Ask(ctx, kMethodHold,
                                  {{"kind", ctx.hold_kind},
                                   {"target", ctx.hold_target},
                                   {"reason", ctx.reason}},
                                  &code);
  if (!reply) return code;
  ctx.out << (ctx.json ? Pretty(*reply) : FormatHolds(*reply, "hold"));
  return kExitOk;
}

int ReleaseHoldFromDaemon(CtlContext& ctx) {
  if (!HoldTarget(ctx, "release-hold", false)) return kExitUsage;
  int code = kExitOk;
  std::optional<json> reply =
      Ask(ctx, kMethodReleaseHold,
          {{"kind", ctx.hold_kind}, {"target", ctx.hold_target}}, &code);
  if (!reply) return code;
  if (ctx.json) {
    ctx.out << Pretty(*reply);
  } else {
    ctx.out << (reply->value("was_held", false) ? "hold released\n"
                                                : "no such hold\n");
  }
  return reply->value("was_held", false) ? kExitOk : kExitFailure;
}

int HoldsFromDaemon(CtlContext& ctx) {
  int code = kExitOk;
  std::optional<json> reply = Ask(ctx, kMethodListHolds, json::object(), &code);
  if (!reply) return code;
  ctx.out << (ctx.json ? Pretty(*reply) : FormatHolds(*reply, "holds"));
  return kExitOk;
}

int RunFromDaemon(CtlContext& ctx) {
  if (ctx.args.size() != 1) {
    ctx.err << "retentionctl: run: give one policy NAME\n";
    return kExitUsage;
  }
  int code = kExitOk;
  std::optional<json> reply;
  {
    // A terminal sees the run's progress while its reply is awaited.
    std::optional<RunProgressWatcher> progress;
    if (!ctx.json && !ctx.socket_path.empty()) {
      progress.emplace(ctx.socket_path, ctx.args[0]);
    }
    reply = Ask(ctx, kMethodRunPolicy,
                {{"name", ctx.args[0]}, {"dry_run", ctx.dry_run}}, &code);
  }
  if (!reply) return code;
  auto it = reply->find("run");
  StatusOr<RunReport> run = it == reply->end()
                                ? Status::InvalidArgument("reply lacks 'run'")
                                : RunFromJson(*it);
  if (ctx.json) ctx.out << Pretty(*reply);
  if (!run.ok()) {
    ctx.err << "retentionctl: run: retentiond's reply: "
            << run.status().message() << "\n";
    return kExitFailure;
  }
  if (!ctx.json) ctx.out << FormatRunsText({*run});
  return ExitCodeForRuns({*run});
}

int ReportFromDaemon(CtlContext& ctx) {
  int code = kExitOk;
  std::optional<json> reply =
      Ask(ctx, kMethodReport, {{"since", ctx.since}, {"format", ctx.format}},
          &code);
  if (!reply) return code;
  std::optional<std::string> report = StringField(ctx, *reply, "report");
  if (!report) return kExitFailure;
  return WriteReport(ctx, *report);
}

int VerifyFromDaemon(CtlContext& ctx) {
  int code = kExitOk;
  std::optional<json> reply =
      Ask(ctx, kMethodVerifyLedger, json::object(), &code);
  if (!reply) return code;
  bool ok = false;
  std::string text = FormatVerifyReply(*reply, &ok);
  ctx.out << (ctx.json ? Pretty(*reply) : text);
  return ok ? kExitOk : kExitFailure;
}

int MetricsFromDaemon(CtlContext& ctx) {
  int code = kExitOk;
  std::optional<json> reply = Ask(ctx, kMethodMetrics, json::object(), &code);
  if (!reply) return code;
  std::optional<std::string> text = StringField(ctx, *reply, "text");
  if (!text) return kExitFailure;
  ctx.out << *text;
  return kExitOk;
}

int OccupancyFromDaemon(CtlContext& ctx) {
  if (ctx.args.size() > 1) {
    ctx.err << "retentionctl: occupancy takes at most one USER\n";
    return kExitUsage;
  }
  json params = {{"top", std::max(0, ctx.top)}, {"over", ctx.over}};
  if (!ctx.args.empty()) params["user"] = ctx.args[0];
  int code = kExitOk;
  std::optional<json> reply = Ask(ctx, kMethodOccupancy, params, &code);
  if (!reply) return code;
  ctx.out << (ctx.json ? Pretty(*reply) : FormatOccupancyText(*reply));
  return kExitOk;
}

}  // namespace retention
