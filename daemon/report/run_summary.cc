#include "report/run_summary.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "base/human_format.h"
#include "base/text_table.h"

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
    if (p.contains("target") && !p["target"].is_null()) {
      RETENTION_RETURN_IF_ERROR(ReadField(p, "target", &one.first_target));
    }
    if (p.contains("worst_lateness_seconds") &&
        !p["worst_lateness_seconds"].is_null()) {
      int64_t late = 0;
      RETENTION_RETURN_IF_ERROR(ReadField(p, "worst_lateness_seconds", &late));
      one.worst_late = std::chrono::seconds(late);
    }
    r->performed.push_back(std::move(one));
  }
  return Status::Ok();
}

struct VerbWords {
  Verb verb;
  const char* done;  // "deleted"
};

constexpr VerbWords kVerbs[] = {
    {Verb::kDelete, "deleted"},     {Verb::kPurge, "purged"},
    {Verb::kRotate, "rotated"},     {Verb::kCompress, "compressed"},
    {Verb::kCleanup, "cleaned up"}, {Verb::kRecover, "recovered"},
    {Verb::kRestore, "restored"},
};

// A single item's name: a path's last component, or the target as the
// ledger wrote it when it names an item of the kind ("account erin").
// Empty when the target describes a batch (rows' "table: N rows ...").
std::string SingleName(const std::string& target, const std::string& unit) {
  if (!target.empty() && target.front() == '/') {
    return Printable(target.substr(target.rfind('/') + 1));
  }
  if (!unit.empty() && target.rfind(unit + " ", 0) == 0) {
    return Printable(target);
  }
  return "";
}

// What a quota event tally says: "carol over quota", "2 users back under
// quota".
std::string EventPhrase(const Performed& p, const std::string& unit) {
  const std::string state =
      p.verb == Verb::kOverQuota ? "over quota" : "back under quota";
  if (p.items == 1 && !p.first_target.empty()) {
    return Printable(p.first_target) + " " + state;
  }
  return HumanCountOf(p.items, unit) + " " + state;
}

// One verb's share of a summary: "deleted 700,000 rows (oldest 1h2m past
// its limit)", "rotated app.log-20261205T0447Z (4.0 MiB)", "purged account
// erin (1.2 GiB)"; with `planned`, what a plan holds ("delete 3 files";
// never "would delete", which starts a dry run's action lines that scripts
// count).
std::string Phrase(const Performed& p, const std::string& unit, bool planned) {
  if (IsEvent(p.verb)) return EventPhrase(p, unit);
  const char* done = VerbName(p.verb);
  for (const VerbWords& w : kVerbs) {
    if (p.verb == w.verb && !planned) done = w.done;
  }
  const std::string name =
      p.items == 1 && !planned ? SingleName(p.first_target, unit) : "";
  std::string line =
      std::string(done) + " " +
      (name.empty() ? HumanCountOf(p.items, unit) : name);
  std::vector<std::string> notes;
  if (p.bytes != 0) notes.push_back(HumanBytes(p.bytes));
  if (p.worst_late && *p.worst_late >= std::chrono::seconds(1)) {
    notes.push_back((p.items == 1 ? "" : "oldest ") +
                    HumanDuration(*p.worst_late) + " past its limit");
  }
  for (size_t i = 0; i < notes.size(); ++i) {
    line += (i == 0 ? " (" : ", ") + notes[i];
  }
  return notes.empty() ? line : line + ")";
}

// The planned actions of `plan`, by verb, as Performed tallies.
std::vector<Performed> Planned(const Plan& plan) {
  std::vector<Performed> planned;
  for (const Action& a : plan.actions) AddPerformed(a, &planned);
  return planned;
}

// "deleted 3 files; rotated 1 file (4.0 MiB)"; with `planned`, "planned:
// delete 3 files, rotate 1 file (4.0 MiB)"; empty when there is nothing.
std::string JoinPhrases(const std::vector<Performed>& tallies,
                        const std::string& unit, bool planned) {
  std::string out;
  for (const Performed& p : tallies) {
    if (!out.empty()) out += planned ? ", " : "; ";
    out += Phrase(p, unit, planned);
  }
  return planned && !out.empty() ? "planned: " + out : out;
}

// A run worth no info line: it did nothing, found nothing wrong, and has
// nothing to warn about (every minute, a [rows] policy would say so); a
// measuring run without a quota transition is one too.
bool Idle(const RunReport& r) {
  return r.outcome == Outcome::kOk && r.performed.empty() &&
         r.result.failed == 0 && r.error.empty();
}

// What a run did, in the kind's units. The scope is said when nothing was
// done (what was looked at) or in a dry run, never beside a done count.
std::string Did(const RunReport& r) {
  std::string out;
  // A measuring kind's scope is what it measured, dry run or not.
  if (!r.destructive) out = "measured " + HumanCountOf(r.plan.scope, r.unit);
  const std::string did = r.dry_run ? JoinPhrases(Planned(r.plan), r.unit, true)
                                    : JoinPhrases(r.performed, r.unit, false);
  if (!did.empty()) out += (out.empty() ? "" : "; ") + did;
  const bool said_nothing = out.empty();
  if (said_nothing) {
    out = r.outcome == Outcome::kOk || r.dry_run ? "nothing to do"
                                                 : "nothing done";
  }
  if (r.destructive && (said_nothing || r.dry_run || r.outcome != Outcome::kOk)) {
    out += "; " + HumanCountOf(r.plan.scope, r.unit) + " in scope";
  }
  if (!r.dry_run && r.result.failed > 0) {
    out += "; " + HumanCount(r.result.failed) + " failed";
  }
  if (!r.dry_run && r.outcome != Outcome::kOk && !r.plan.actions.empty() &&
      r.performed.empty()) {
    out += "; " + JoinPhrases(Planned(r.plan), r.unit, true);
  }
  return out;
}

}  // namespace

std::string SummarizeRun(const RunReport& r) {
  std::string line = r.policy + ": ";
  if (r.outcome != Outcome::kOk) line += std::string(OutcomeName(r.outcome)) + ": ";
  line += Did(r);
  // A stopped run's error only repeats "stopped" (on request).
  if (!r.error.empty() && r.outcome != Outcome::kStopped) {
    line += "  (" + r.error + ")";
  }
  return line;
}

namespace {

// `r` without what its policy logs itself later (Performed::told_later).
RunReport WithoutToldLater(const RunReport& r) {
  RunReport told = r;
  std::erase_if(told.performed, [](Performed& p) {
    p.items -= std::min(p.items, p.told_later);
    p.bytes -= std::min(p.bytes, p.told_later_bytes);
    p.told_later = p.told_later_bytes = 0;
    return p.items == 0;
  });
  return told;
}

bool AnyToldLater(const RunReport& r) {
  for (const Performed& p : r.performed) {
    if (p.told_later > 0) return true;
  }
  return false;
}

}  // namespace

void LogRunReport(const RunReport& r) {
  // A run's rotations whose lines follow their compression: not said twice.
  if (AnyToldLater(r)) {
    LogRunReport(WithoutToldLater(r));
    return;
  }
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
    nlohmann::json late = nullptr;
    if (p.worst_late) {
      late = std::chrono::duration_cast<std::chrono::seconds>(*p.worst_late)
                 .count();
    }
    performed.push_back({{"action", VerbName(p.verb)},
                         {"count", p.items},
                         {"bytes", p.bytes},
                         {"target", p.first_target},
                         {"worst_lateness_seconds", late}});
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
