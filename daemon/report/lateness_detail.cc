#include "report/lateness_detail.h"

#include "config/config_value.h"
#include "core/lateness.h"

namespace retention {
namespace {

const Section* SectionOf(const Config& config, const std::string& id) {
  for (const Section* s : config.policies()) {
    if (s->id() == id) return s;
  }
  return nullptr;
}

}  // namespace

std::optional<Duration> WorstLateness(
    const std::vector<LedgerEntry>& removals) {
  std::optional<Duration> worst;
  for (const LedgerEntry& e : removals) {
    std::optional<Duration> late = LatenessOf(e.detail);
    if (late && (!worst || *late > *worst)) worst = late;
  }
  return worst;
}

void AddLatenessDetails(
    const Config& config,
    const std::map<std::string, std::vector<LedgerEntry>>& removals,
    Report* report) {
  for (PolicyReport& p : report->policies) {
    const Section* s = p.configured ? SectionOf(config, p.id) : nullptr;
    if (s == nullptr) continue;
    auto it = removals.find(p.id);
    std::optional<Duration> worst;
    if (it != removals.end()) worst = WorstLateness(it->second);
    // Only deleting kinds write a lateness or accept max_lateness.
    if (!worst && !s->Has("max_lateness")) continue;
    const Duration bound = LatenessBoundOf(*s);
    std::string text = "(bound " + FormatDuration(bound) + ")";
    if (!worst) {
      text = "none removed " + text;
    } else {
      text = FormatDuration(*worst) + " " + text;
      if (*worst > bound) text += ": OVER THE BOUND";
    }
    p.details.push_back({"worst lateness", text});
  }
}

}  // namespace retention
