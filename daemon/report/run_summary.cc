#include "report/run_summary.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "config/config_value.h"

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

// The "action" field, one of VerbName's words.
Status ReadVerb(const nlohmann::json& object, Verb* verb) {
  std::string name;
  RETENTION_RETURN_IF_ERROR(ReadField(object, "action", &name));
  const std::optional<Verb> known = ParseVerb(name);
  if (!known) return Status::InvalidArgument("unknown action '" + name + "'");
  *verb = *known;
  return Status::Ok();
}

StatusOr<Action> ActionFromJson(const nlohmann::json& planned) {
  if (!planned.is_object()) {
    return Status::InvalidArgument("a planned action is not an object");
  }
  Action a;
  RETENTION_RETURN_IF_ERROR(ReadVerb(planned, &a.verb));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "target", &a.target));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "bytes", &a.bytes));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "count", &a.count));
  RETENTION_RETURN_IF_ERROR(ReadField(planned, "reason", &a.reason));
  return a;
}

// The summary fields an older daemon does not send: optional, so its
// replies still read (the summary then counts in "items").
Status ReadPerformed(const nlohmann::json& run, RunReport* r) {
  if (run.contains("unit"))
    RETENTION_RETURN_IF_ERROR(ReadField(run, "unit", &r->unit));
  if (run.contains("destructive")) {
    RETENTION_RETURN_IF_ERROR(ReadField(run, "destructive", &r->destructive));
  }
  if (!run.contains("performed")) return Status::Ok();
  nlohmann::json performed;
  RETENTION_RETURN_IF_ERROR(ReadField(run, "performed", &performed));
  if (!performed.is_array()) {
    return Status::InvalidArgument("run field 'performed' is not an array");
  }
  for (const nlohmann::json& p : performed) {
    if (!p.is_object()) {
      return Status::InvalidArgument("a performed entry is not an object");
    }
    Performed one;
    RETENTION_RETURN_IF_ERROR(ReadVerb(p, &one.verb));
    RETENTION_RETURN_IF_ERROR(ReadField(p, "count", &one.items));
    RETENTION_RETURN_IF_ERROR(ReadField(p, "bytes", &one.bytes));
    r->performed.push_back(std::move(one));
  }
  return Status::Ok();
}

// Small sizes read better with a unit: "18 bytes" rather than "18".
std::string FormatBytes(uint64_t bytes) {
  return bytes < 1024 ? std::to_string(bytes) + " bytes" : FormatSize(bytes);
}

// "700,000": counts are read by people; --json keeps the exact number.
std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) {
    digits.insert(static_cast<size_t>(at), ",");
  }
  return digits;
}

// "1 file", "700,000 rows".
std::string Items(uint64_t n, const std::string& unit) {
  const std::string noun = unit.empty() ? "item" : unit;
  return FormatCount(n) + " " + noun + (n == 1 ? "" : "s");
}

struct VerbWords {
  Verb verb;
  const char* done;  // "deleted"
  bool bytes_in_parens;
};

constexpr VerbWords kVerbs[] = {
    {Verb::kDelete, "deleted", false},
    {Verb::kPurge, "purged", false},
    {Verb::kRotate, "rotated", true},
    {Verb::kCompress, "compressed", true},
    {Verb::kCleanup, "cleaned up", false},
    {Verb::kRecover, "recovered", false},
    {Verb::kRestore, "restored", false},
};

// One verb's share of a summary: "deleted 700,000 rows", "rotated 1 file
// (4.0M)", "2 users over quota"; with `planned`, what a plan holds
// ("delete 3 files"; never "would delete", which starts a dry run's action
// lines that scripts count).
std::string Phrase(const Performed& p, const std::string& unit, bool planned) {
  if (IsEvent(p.verb)) {
    const std::string state =
        p.verb == Verb::kOverQuota ? "over quota" : "back under quota";
    return Items(p.items, unit) + " " + state;
  }
  const VerbWords* words = nullptr;
  for (const VerbWords& w : kVerbs) {
    if (p.verb == w.verb) words = &w;
  }
  std::string line =
      planned || words == nullptr ? VerbName(p.verb) : words->done;
  line += " " + Items(p.items, unit);
  if (p.bytes == 0) return line;
  if (words != nullptr && words->bytes_in_parens) {
    return line + " (" + FormatBytes(p.bytes) + ")";
  }
  return line + ", " + FormatBytes(p.bytes);
}

// The planned actions of `plan`, by verb, as Performed tallies.
std::vector<Performed> Planned(const Plan& plan) {
  std::vector<Performed> planned;
  for (const Action& a : plan.actions) AddPerformed(a, &planned);
  return planned;
}

// "deleted 3 files; rotated 1 file (4.0M)"; with `planned`, "planned: delete
// 3 files, rotate 1 file (4.0M)"; empty when there is nothing.
std::string JoinPhrases(const std::vector<Performed>& tallies,
                        const std::string& unit, bool planned) {
  std::string out;
  for (const Performed& p : tallies) {
    if (!out.empty()) out += planned ? ", " : "; ";
    out += Phrase(p, unit, planned);
  }
  return planned && !out.empty() ? "planned: " + out : out;
}

// What a run did, in the kind's units.
std::string Did(const RunReport& r) {
  std::string out;
  // A measuring kind's scope is what it measured, dry run or not.
  if (!r.destructive) out = "measured " + Items(r.plan.scope, r.unit);
  const std::string did = r.dry_run ? JoinPhrases(Planned(r.plan), r.unit, true)
                                    : JoinPhrases(r.performed, r.unit, false);
  if (!did.empty()) out += (out.empty() ? "" : "; ") + did;
  if (out.empty()) {
    out = r.outcome == Outcome::kOk || r.dry_run ? "nothing to do"
                                                 : "nothing done";
  }
  if (r.destructive) {
    out += "; " + Items(r.plan.scope, r.unit) + " in scope";
  }
  if (!r.dry_run && r.result.failed > 0) {
    out += "; " + FormatCount(r.result.failed) + " failed";
  }
  if (!r.dry_run && r.outcome != Outcome::kOk && !r.plan.actions.empty() &&
      r.performed.empty()) {
    out += "; " + JoinPhrases(Planned(r.plan), r.unit, true);
  }
  return out;
}

// A run worth no info line: it did nothing, found nothing wrong, and has
// nothing to warn about (every minute, a [rows] policy would say so).
bool Idle(const RunReport& r) {
  return r.outcome == Outcome::kOk && r.destructive && r.performed.empty() &&
         r.result.failed == 0 && r.error.empty();
}

}  // namespace

std::string SummarizeRun(const RunReport& r) {
  std::string line = r.policy + "  " + OutcomeName(r.outcome) + "  " + Did(r);
  if (!r.error.empty()) line += "  (" + r.error + ")";
  return line;
}

void LogRunReport(const RunReport& r) {
  for (const std::string& w : r.plan.warnings)
    spdlog::warn("{}: {}", r.policy, w);
  for (const std::string& e : r.result.errors)
    spdlog::error("{}: {}", r.policy, e);
  const bool bad =
      r.outcome == Outcome::kError || r.outcome == Outcome::kBraked;
  if (bad) {
    spdlog::warn("{}", SummarizeRun(r));
  } else if (Idle(r)) {
    spdlog::debug("{}", SummarizeRun(r));
  } else {
    spdlog::info("{}", SummarizeRun(r));
  }
}

std::string FormatRunsText(const std::vector<RunReport>& reports) {
  std::string out;
  for (const RunReport& r : reports) {
    if (!r.dry_run) continue;
    for (const Action& a : r.plan.actions) {
      out += r.policy + ": would " + VerbName(a.verb) + " " + a.target + "  (" +
             a.reason + ")\n";
    }
  }
  for (const RunReport& r : reports) out += SummarizeRun(r) + "\n";
  return out;
}

nlohmann::json RunToJson(const RunReport& r) {
  nlohmann::json actions = nlohmann::json::array();
  for (const Action& a : r.plan.actions) {
    actions.push_back({{"action", VerbName(a.verb)},
                       {"target", a.target},
                       {"bytes", a.bytes},
                       {"count", a.count},
                       {"reason", a.reason}});
  }
  nlohmann::json performed = nlohmann::json::array();
  for (const Performed& p : r.performed) {
    performed.push_back(
        {{"action", VerbName(p.verb)}, {"count", p.items}, {"bytes", p.bytes}});
  }
  return {{"policy", r.policy},
          {"dry_run", r.dry_run},
          {"outcome", OutcomeName(r.outcome)},
          {"error", r.error},
          {"scope", r.plan.scope},
          {"planned", actions},
          {"warnings", r.plan.warnings},
          {"done", r.result.done},
          {"failed", r.result.failed},
          {"bytes", r.result.bytes},
          {"errors", r.result.errors},
          {"unit", r.unit},
          {"destructive", r.destructive},
          {"performed", performed}};
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
  std::string outcome;
  RETENTION_RETURN_IF_ERROR(ReadField(run, "outcome", &outcome));
  const std::optional<Outcome> known = ParseOutcome(outcome);
  if (!known) {
    return Status::InvalidArgument("unknown outcome '" + outcome + "'");
  }
  r.outcome = *known;
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
  RETENTION_RETURN_IF_ERROR(ReadPerformed(run, &r));
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
    if (r.outcome == Outcome::kError || r.outcome == Outcome::kStopped)
      return kExitFailure;
    if (r.outcome == Outcome::kBraked) code = kExitTempFail;
  }
  return code;
}

}  // namespace retention
