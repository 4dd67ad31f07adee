#include "ctl/ctl_audit.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "base/exit_codes.h"

#include "config/kind_registry.h"
#include "core/audit.h"
#include "core/audit_run.h"
#include "core/policy.h"
#include "core/state_db.h"
#include "report/audit_json.h"

namespace retention {
namespace {

// state.db when there is one (holds, accounts' purges); never creates it.
std::unique_ptr<StateDb> OpenStateIfAny(CtlContext& ctx) {
  auto dir = ctx.fs.OpenRoot(ctx.state_dir);
  if (!dir.ok() || !ctx.fs.StatAt(**dir, "state.db").ok()) return nullptr;
  auto db = StateDb::Open(ctx.state_dir + "/state.db");
  if (!db.ok()) {
    ctx.err << "retentionctl: audit: without holds: "
            << db.status().ToString() << "\n";
    return nullptr;
  }
  return std::move(*db);
}

void Print(CtlContext& ctx, const std::vector<AuditFinding>& findings,
           WallTime now) {
  if (ctx.format == "prometheus") {
    ctx.out << FormatAuditPrometheus(findings);
  } else if (ctx.json) {
    ctx.out << AuditJson(findings, now)
                   .dump(2, ' ', false,
                         nlohmann::json::error_handler_t::replace)
            << "\n";
  } else {
    ctx.out << FormatAuditText(findings, now);
  }
}

}  // namespace

int AuditOffline(CtlContext& ctx) {
  if (ctx.config == nullptr) {
    ctx.err << ctx.config_problem;
    return kExitConfig;
  }
  if (ctx.args.size() > 1) {
    ctx.err << "retentionctl: audit takes at most one POLICY\n";
    return kExitUsage;
  }
  if (ctx.format != "text" && ctx.format != "prometheus") {
    ctx.err << "retentionctl: audit: --format is text or prometheus\n";
    return kExitUsage;
  }
  const KindRegistry registry = BuiltinRegistry();
  std::unique_ptr<StateDb> state = OpenStateIfAny(ctx);
  std::vector<Hold> holds;
  if (state) {
    auto read = state->Holds();
    if (!read.ok()) {
      ctx.err << "retentionctl: audit: " << read.status().ToString() << "\n";
      return kAuditUnchecked;
    }
    holds = std::move(*read);
  }
  Services services{.clock = ctx.clock, .fs = ctx.fs, .state = state.get()};
  const WallTime now = ctx.clock.Now();
  std::vector<AuditFinding> findings =
      AuditPolicies(*ctx.config, registry, services, holds, now,
                    ctx.args.empty() ? "" : ctx.args[0]);
  if (!ctx.args.empty() && findings.empty()) {
    ctx.err << "retentionctl: audit: no deleting policy named '"
            << ctx.args[0] << "'\n";
    return kExitUsage;
  }
  Print(ctx, findings, now);
  return AuditExitCode(findings);
}

}  // namespace retention
