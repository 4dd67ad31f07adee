#include "ctl/ctl_audit.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "base/exit_codes.h"

#include "config/kind_registry.h"
#include "core/audit.h"
#include "core/policy.h"
#include "core/state_db.h"

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

bool Selected(const CtlContext& ctx, const Section& s) {
  return ctx.args.empty() || ctx.args[0] == s.id() || ctx.args[0] == s.name;
}

// One policy's finding; nullopt for kinds that promise no removal.
std::optional<AuditFinding> AuditSection(const Section& s, const KindSpec& kind,
                                         Services& services,
                                         const std::vector<Hold>& holds,
                                         WallTime now) {
  AuditFinding f;
  f.policy = s.id();
  auto policy = kind.factory(s, services);
  if (!policy.ok()) {
    f.error = policy.status().ToString();
  } else if (!(*policy)->destructive()) {
    return std::nullopt;
  } else if (auto plan = (*policy)->MakePlan(now); !plan.ok()) {
    f.error = plan.status().ToString();
  } else {
    f = AuditPlan(std::move(*plan), holds);
  }
  if (f.checked() && kind.audit) {
    auto extra = kind.audit(s, services, now);
    if (extra.ok()) {
      f.extra = std::move(*extra);
    } else {
      f.error = extra.status().ToString();
    }
  }
  f.policy = s.id();
  f.kind = kind.kind;
  f.unit = kind.unit;
  return f;
}

nlohmann::json FindingJson(const AuditFinding& f, WallTime now) {
  nlohmann::json j = {{"policy", f.policy}, {"kind", f.kind},
                      {"ok", f.ok()},       {"checked", f.checked()},
                      {"error", f.error},   {"overdue", f.overdue},
                      {"bytes", f.bytes},   {"held", f.held},
                      {"kept", f.kept},     {"extra", f.extra}};
  j["oldest"] = nullptr;
  j["oldest_age_seconds"] = nullptr;
  if (f.oldest) {
    j["oldest"] = FormatIso8601(*f.oldest);
    j["oldest_age_seconds"] =
        std::chrono::duration<double>(now - *f.oldest).count();
  }
  return j;
}

void Print(CtlContext& ctx, const std::vector<AuditFinding>& findings,
           WallTime now) {
  if (ctx.format == "prometheus") {
    ctx.out << FormatAuditPrometheus(findings);
  } else if (ctx.json) {
    nlohmann::json all = nlohmann::json::array();
    for (const AuditFinding& f : findings) all.push_back(FindingJson(f, now));
    ctx.out << nlohmann::json{{"ok", AuditExitCode(findings) == 0},
                              {"time", FormatIso8601(now)},
                              {"policies", all}}
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
  std::vector<AuditFinding> findings;
  for (const Section* s : ctx.config->policies()) {
    const KindSpec* kind = registry.Find(s->kind);
    if (!Selected(ctx, *s) || kind == nullptr || !kind->factory) continue;
    auto f = AuditSection(*s, *kind, services, holds, now);
    if (f) findings.push_back(std::move(*f));
  }
  if (!ctx.args.empty() && findings.empty()) {
    ctx.err << "retentionctl: audit: no deleting policy named '"
            << ctx.args[0] << "'\n";
    return kExitUsage;
  }
  Print(ctx, findings, now);
  return AuditExitCode(findings);
}

}  // namespace retention
