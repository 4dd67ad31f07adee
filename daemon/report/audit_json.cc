#include "report/audit_json.h"

namespace retention {
namespace {

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

}  // namespace

nlohmann::json AuditJson(const std::vector<AuditFinding>& findings,
                         WallTime now) {
  nlohmann::json all = nlohmann::json::array();
  for (const AuditFinding& f : findings) all.push_back(FindingJson(f, now));
  return {{"ok", AuditExitCode(findings) == 0},
          {"time", FormatIso8601(now)},
          {"policies", all}};
}

}  // namespace retention
