#include "run_summary.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "config_value.h"
#include "options.h"

namespace retention {
namespace {

// Reads obj[key] into *out. Failure: kInvalidArgument naming the field.
template <typename T>
Status ReadField(const nlohmann::json& obj, const char* key, T* out) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    return Status::InvalidArgument(std::string("run lacks '") + key + "'");
  }
  try {
    *out = it->get<T>();
  } catch (const nlohmann::json::exception&) {  // the library's edge
    return Status::InvalidArgument(std::string("run field '") + key +
                                   "' has the wrong type (" + it->type_name() +
                                   ")");
  }
  return Status::Ok();
}

StatusOr<Action> ActionFromJson(const nlohmann::json& planned) {
  if (!planned.is_object()) {
    return Status::InvalidArgument("a planned action is not an object");
  }
  Action a;
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "action", &a.verb));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "target", &a.target));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "bytes", &a.bytes));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "count", &a.count));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "reason", &a.reason));
  return a;
}

// Small sizes read better with a unit: "18 bytes" rather than "18".
std::string FormatBytes(uint64_t bytes) {
  return bytes < 1024 ? std::to_string(bytes) + " bytes" : FormatSize(bytes);
}

}  // namespace

std::string SummarizeRun(const RunReport& r) {
  std::string line = r.policy + "  " + r.outcome + "  ";
  if (r.dry_run) {
    uint64_t bytes = 0;
    for (const Action& a : r.plan.actions) bytes += a.bytes;
    line += std::to_string(r.plan.actions.size()) + " planned, " +
            FormatBytes(bytes) + ", " + std::to_string(r.plan.scope) +
            " in scope";
  } else {
    line += std::to_string(r.result.done) + " of " +
            std::to_string(r.plan.actions.size()) + " done, " +
            FormatBytes(r.result.bytes);
  }
  if (!r.error.empty()) line += "  (" + r.error + ")";
  return line;
}

void LogRunReport(const RunReport& r) {
  for (const std::string& w : r.plan.warnings)
    spdlog::warn("{}: {}", r.policy, w);
  for (const std::string& e : r.result.errors)
    spdlog::error("{}: {}", r.policy, e);
  const bool bad = r.outcome == "error" || r.outcome == "braked";
  if (bad) {
    spdlog::warn("{}", SummarizeRun(r));
  } else {
    spdlog::info("{}", SummarizeRun(r));
  }
}

std::string FormatRunsText(const std::vector<RunReport>& reports) {
  std::string out;
  for (const RunReport& r : reports) {
    if (!r.dry_run) continue;
    for (const Action& a : r.plan.actions) {
      out += r.policy + ": would " + a.verb + " " + a.target + "  (" +
             a.reason + ")\n";
    }
  }
  for (const RunReport& r : reports) out += SummarizeRun(r) + "\n";
  return out;
}

nlohmann::json RunToJson(const RunReport& r) {
  nlohmann::json actions = nlohmann::json::array();
  for (const Action& a : r.plan.actions) {
    actions.push_back({{"action", a.verb},
                       {"target", a.target},
                       {"bytes", a.bytes},
                       {"count", a.count},
                       {"reason", a.reason}});
  }
  return {{"policy", r.policy},          {"dry_run", r.dry_run},
          {"outcome", r.outcome},        {"error", r.error},
          {"scope", r.plan.scope},       {"planned", actions},
          {"warnings", r.plan.warnings}, {"done", r.result.done},
          {"failed", r.result.failed},   {"bytes", r.result.bytes},
          {"errors", r.result.errors}};
}

std::string FormatRunsJson(const std::vector<RunReport>& reports) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunReport& r : reports) runs.push_back(RunToJson(r));
  return nlohmann::json{{"runs", runs}}.dump(
             2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

StatusOr<RunReport> RunFromJson(const nlohmann::json& run) {
  if (!run.is_object()) return Status::InvalidArgument("run is not an object");
  RunReport r;
  nlohmann::json planned;
  RETENTION_RETURN_IF_ERROR(ReadField(run, "policy", &r.policy));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "dry_run", &r.dry_run));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "outcome", &r.outcome));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "error", &r.error));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "scope", &r.plan.scope));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "planned", &planned));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "warnings", &r.plan.warnings));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "done", &r.result.done));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "failed", &r.result.failed));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "bytes", &r.result.bytes));
  RETENTION_RETURN_IF_ERROR(ReadField(run, "errors", &r.result.errors));
  if (!planned.is_array()) {
    return Status::InvalidArgument("run field 'planned' is not an array");
  }
  r.plan.policy = r.policy;
  for (const nlohmann::json& p : planned) {
    StatusOr<Action> action = ActionFromJson(p);
    if (!action.ok()) return action.status();
    r.plan.actions.push_back(std::move(*action));
  }
  return r;
}

int ExitCodeForRuns(const std::vector<RunReport>& reports) {
  int code = kExitOk;
  for (const RunReport& r : reports) {
    if (r.outcome == "error" || r.outcome == "stopped") return kExitFailure;
    if (r.outcome == "braked") code = kExitTempFail;
  }
  return code;
}

}  // namespace retention
