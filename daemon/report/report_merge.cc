// MergeReports: reads each host's "retentiond.report.v1" document, checking
// every field it uses, and merges the policies by id.
#include "report/report_merge.h"

#include <nlohmann/json.hpp>

#include "report/report.h"

namespace retention {
namespace {

using json = nlohmann::json;

enum class Type { kObject, kArray, kString, kInt, kBool };

const char* TypeName(Type t) {
  switch (t) {
    case Type::kObject:
      return "an object";
    case Type::kArray:
      return "an array";
    case Type::kString:
      return "a string";
    case Type::kInt:
      return "an integer";
    case Type::kBool:
      return "true or false";
  }
  return "?";
}

bool HasType(const json& j, Type t) {
  switch (t) {
    case Type::kObject:
      return j.is_object();
    case Type::kArray:
      return j.is_array();
    case Type::kString:
      return j.is_string();
    case Type::kInt:
      return j.is_number_integer();
    case Type::kBool:
      return j.is_boolean();
  }
  return false;
}

// Reads fields of one file's document; the first problem is kept, named by
// the file and the field's path ("policies[2].removed.items"), and later
// reads return empty values.
class Fields {
 public:
  explicit Fields(std::string file) : file_(std::move(file)) {}

  // obj[key] when it has type `t` (or is null and `nullable`), else null.
  const json& Get(const json& obj, const std::string& where, const char* key,
                  Type t, bool nullable = false) {
    static const json kNull;
    const std::string path = where.empty() ? key : where + "." + key;
    if (!status_.ok()) return kNull;
    auto it = obj.find(key);
    if (it == obj.end()) return Fail(path, "missing"), kNull;
    if (it->is_null() && nullable) return kNull;
    if (!HasType(*it, t)) {
      return Fail(path, std::string("expected ") + TypeName(t)), kNull;
    }
    return *it;
  }
  std::string Str(const json& obj, const std::string& where, const char* key) {
    const json& j = Get(obj, where, key, Type::kString);
    return j.is_string() ? j.get<std::string>() : "";
  }
  int64_t Int(const json& obj, const std::string& where, const char* key) {
    const json& j = Get(obj, where, key, Type::kInt);
    return j.is_number_integer() ? j.get<int64_t>() : 0;
  }
  std::optional<int64_t> OptInt(const json& obj, const std::string& where,
                                const char* key) {
    const json& j = Get(obj, where, key, Type::kInt, true);
    if (!j.is_number_integer()) return std::nullopt;
    return j.get<int64_t>();
  }
  std::optional<std::string> OptStr(const json& obj, const std::string& where,
                                    const char* key) {
    const json& j = Get(obj, where, key, Type::kString, true);
    if (!j.is_string()) return std::nullopt;
    return j.get<std::string>();
  }
  bool Bool(const json& obj, const std::string& where, const char* key) {
    const json& j = Get(obj, where, key, Type::kBool);
    return j.is_boolean() && j.get<bool>();
  }
  void Fail(const std::string& path, const std::string& what) {
    if (status_.ok()) {
      status_ = Status::InvalidArgument(file_ + ": " + path + ": " + what);
    }
  }
  const Status& status() const { return status_; }

 private:
  std::string file_;
  Status status_;
};

Status ParseReport(const ReportFile& file, json* out) {
  json& doc = *out;
  try {  // the library's edge: its exception becomes a Status here
    doc = json::parse(file.text);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(file.path +
                                   ": not a JSON report: " + e.what());
  }
  auto it = doc.is_object() ? doc.find("schema") : doc.end();
  if (it == doc.end() || !it->is_string()) {
    return Status::InvalidArgument(
        file.path + ": not a retentiond report (no \"schema\" field)");
  }
  if (*it != kReportSchema) {
    return Status::InvalidArgument(
        file.path + ": unknown report schema '" + it->get<std::string>() +
        "'; this retentionctl reads " + kReportSchema);
  }
  return Status::Ok();
}

// "web1.json" -> "web1"; the report's own "host" wins when it has one.
std::string HostName(const ReportFile& file, const json& doc) {
  auto it = doc.find("host");
  if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  const std::string suffix = ".json";
  std::string name = file.path;
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    name.resize(name.size() - suffix.size());
  }
  return name;
}

MergedHost ReadHost(Fields& f, const json& doc) {
  MergedHost h;
  h.generated_at = f.Str(doc, "", "generated_at");
  const json& period = f.Get(doc, "", "period", Type::kObject);
  h.since = f.Str(period, "period", "since");
  h.until = f.Str(period, "period", "until");
  const json& ledger = f.Get(doc, "", "ledger", Type::kObject);
  h.ledger_verified = f.Bool(ledger, "ledger", "verified");
  h.ledger_entries = f.Int(ledger, "ledger", "entries");
  h.head_hash = f.Str(ledger, "ledger", "head_hash");
  h.first_bad_seq = f.OptInt(ledger, "ledger", "first_bad_seq").value_or(0);
  h.problem = f.OptStr(ledger, "ledger", "problem").value_or("");
  const json& brake = f.Get(doc, "", "clock_brake", Type::kObject, true);
  if (brake.is_object()) h.clock_brake = f.Str(brake, "clock_brake", "reason");
  return h;
}

HostPolicy ReadPolicy(Fields& f, const json& p, const std::string& at) {
  HostPolicy h;
  h.limit = f.Str(p, at, "limit");
  h.limit_age_seconds = f.OptInt(p, at, "limit_age_seconds");
  h.oldest_age_seconds = f.OptInt(p, at, "oldest_age_seconds");
  h.kept_items = f.OptInt(p, at, "kept_items");
  h.measured_at = f.OptStr(p, at, "measured_at");
  h.compliance = f.Str(p, at, "compliance");
  const json& run = f.Get(p, at, "last_run", Type::kObject, true);
  if (run.is_object()) {
    h.last_run_started = f.Str(run, at + ".last_run", "started");
    h.last_run_outcome = f.Str(run, at + ".last_run", "outcome");
  }
  const json& removed = f.Get(p, at, "removed", Type::kObject);
  h.removed_items = f.Int(removed, at + ".removed", "items");
  h.removed_bytes = f.Int(removed, at + ".removed", "bytes");
  h.brake = f.Get(p, at, "brake", Type::kObject, true).is_object();
  return h;
}

MergedPolicy& PolicyFor(MergedReport* r, const std::string& id,
                        const std::string& kind) {
  for (MergedPolicy& p : r->policies) {
    if (p.id == id) return p;
  }
  r->policies.push_back(MergedPolicy{.id = id, .kind = kind});
  return r->policies.back();
}

Status AddFile(const ReportFile& file, MergedReport* r) {
  json doc;
  RETENTION_RETURN_IF_ERROR(ParseReport(file, &doc));
  Fields f(file.path);
  MergedHost host = ReadHost(f, doc);
  host.host = HostName(file, doc);
  host.path = file.path;
  for (const MergedHost& earlier : r->hosts) {
    if (earlier.host == host.host) {
      return Status::InvalidArgument(file.path + ": host '" + host.host +
                                     "' already given by " + earlier.path);
    }
  }
  const json& policies = f.Get(doc, "", "policies", Type::kArray);
  for (size_t i = 0; i < policies.size() && f.status().ok(); ++i) {
    const std::string at = "policies[" + std::to_string(i) + "]";
    const json& p = policies[i];
    if (!p.is_object()) f.Fail(at, "expected an object");
    const std::string id = f.Str(p, at, "id");
    const std::string kind = f.Str(p, at, "kind");
    HostPolicy hp = ReadPolicy(f, p, at);
    if (!f.status().ok()) break;
    hp.host = host.host;
    PolicyFor(r, id, kind).hosts.push_back(std::move(hp));
  }
  if (!f.status().ok()) return f.status();
  r->all_verified = r->all_verified && host.ledger_verified;
  r->hosts.push_back(std::move(host));
  return Status::Ok();
}

// The oldest survivor: the greatest age measured; "none left" only when no
// host has anything left.
std::optional<size_t> OldestIndex(const MergedPolicy& p) {
  std::optional<size_t> best;
  int64_t best_score = -2;
  for (size_t i = 0; i < p.hosts.size(); ++i) {
    const HostPolicy& h = p.hosts[i];
    if (!h.oldest_age_seconds) continue;
    const int64_t score =
        h.kept_items && *h.kept_items == 0 ? -1 : *h.oldest_age_seconds;
    if (score > best_score) best = i, best_score = score;
  }
  return best;
}

void Summarize(const MergedReport& r, MergedPolicy* p) {
  bool overdue = false, unmeasured = false;
  for (const HostPolicy& h : p->hosts) {
    p->removed_items += h.removed_items;
    p->removed_bytes += h.removed_bytes;
    p->limits_agree = p->limits_agree && h.limit == p->hosts.front().limit;
    overdue = overdue || h.compliance == ComplianceName(Compliance::kOverdue);
    unmeasured =
        unmeasured || h.compliance != ComplianceName(Compliance::kWithin);
  }
  for (const MergedHost& host : r.hosts) {
    bool has = false;
    for (const HostPolicy& h : p->hosts) has = has || h.host == host.host;
    if (!has) p->absent.push_back(host.host);
  }
  p->oldest_index = OldestIndex(*p);
  p->compliance = ComplianceName(overdue      ? Compliance::kOverdue
                                 : unmeasured ? Compliance::kNotMeasured
                                              : Compliance::kWithin);
}

}  // namespace

StatusOr<MergedReport> MergeReports(const std::vector<ReportFile>& files) {
  if (files.empty()) {
    return Status::InvalidArgument("no report files to merge");
  }
  MergedReport r;
  for (const ReportFile& file : files) {
    RETENTION_RETURN_IF_ERROR(AddFile(file, &r));
  }
  for (MergedPolicy& p : r.policies) Summarize(r, &p);
  return r;
}

}  // namespace retention
