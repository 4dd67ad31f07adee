#include "core/lateness.h"

#include "config/config_value.h"

#include <algorithm>

#include "config/kind_registry.h"
#include "core/metrics.h"

namespace retention {
namespace {

constexpr char kLateness[] = "; lateness ";

}  // namespace

void AddLatenessKeys(KindSpec* spec) {
  spec->keys.push_back(
      {.name = "max_lateness",
       .type = ValueType::kDuration,
       .help = "longest an item may stay past its deadline; runs are "
               "scheduled to meet it (default: twice every)"});
}

void CheckLatenessKeys(const Section& s, std::vector<ConfigError>* errors) {
  if (s.Has("max_lateness") &&
      s.GetDuration("max_lateness") <= Duration::zero()) {
    AddKeyError(s, "max_lateness", "must be greater than 0", errors);
  }
}

Duration LatenessBoundOf(const Section& section) {
  if (section.Has("max_lateness")) return section.GetDuration("max_lateness");
  return 2 * section.GetDuration("every");
}

Duration RunInterval(Duration every, Duration bound, Duration run_time) {
  const Duration margin = std::min<Duration>(std::chrono::seconds(1), bound / 20);
  const Duration interval = bound - 2 * run_time - margin;
  return std::min(every, std::max(interval, bound / 10));
}

std::string LatenessSuffix(Duration late) {
  const auto secs = std::chrono::round<std::chrono::seconds>(
      std::max(late, Duration::zero()));
  return kLateness + FormatDuration(secs);
}

// Reads "1h2m5s" and the older "3725s" alike.
std::optional<Duration> LatenessOf(const std::string& reason) {
  const size_t at = reason.rfind(kLateness);
  if (at == std::string::npos) return std::nullopt;
  StatusOr<Duration> late = ParseDuration(
      std::string_view(reason).substr(at + sizeof(kLateness) - 1));
  if (!late.ok()) return std::nullopt;
  return *late;
}

std::optional<Duration> PlanLateness(const Plan& plan, WallTime done) {
  std::optional<Duration> worst;
  for (const Action& a : plan.actions) {
    std::optional<Duration> late =
        IsRemoval(a.verb) ? LatenessOf(a.reason) : std::nullopt;
    if (late && (!worst || *late > *worst)) worst = late;
  }
  if (worst) *worst += std::max(done - plan.now, Duration::zero());
  return worst;
}

namespace {

void Gauges(std::string* out, const char* name, const char* help,
            const std::map<std::string, Duration>& values) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name +
          " gauge\n";
  for (const auto& [id, d] : values) {
    *out += std::string(name) + "{policy=\"" + PrometheusLabelValue(id) +
            "\"} " +
            std::to_string(std::chrono::duration<double>(d).count()) + "\n";
  }
}

}  // namespace

std::string FormatLatenessMetrics(
    const std::map<std::string, Duration>& bounds,
    const std::map<std::string, Duration>& worst) {
  std::string out;
  Gauges(&out, "retentiond_lateness_bound_seconds",
         "the policy's max_lateness", bounds);
  Gauges(&out, "retentiond_lateness_worst_seconds",
         "worst lateness of a removal since retentiond started", worst);
  return out;
}

}  // namespace retention
