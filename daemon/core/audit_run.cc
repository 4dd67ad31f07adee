#include "core/audit_run.h"

namespace retention {
namespace {

bool Selected(const std::string& only, const Section& s) {
  return only.empty() || only == s.id() || only == s.name;
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

}  // namespace

std::vector<AuditFinding> AuditPolicies(const Config& config,
                                        const KindRegistry& registry,
                                        Services& services,
                                        const std::vector<Hold>& holds,
                                        WallTime now, const std::string& only) {
  std::vector<AuditFinding> findings;
  for (const Section* s : config.policies()) {
    const KindSpec* kind = registry.Find(s->kind);
    if (!Selected(only, *s) || kind == nullptr || !kind->factory) continue;
    auto f = AuditSection(*s, *kind, services, holds, now);
    if (f) findings.push_back(std::move(*f));
  }
  return findings;
}

}  // namespace retention
