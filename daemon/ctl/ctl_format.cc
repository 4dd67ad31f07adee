#include "ctl/ctl_format.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include "base/exit_codes.h"
#include "base/human_format.h"
#include "base/text_table.h"
#include "control/control_protocol.h"
#include "core/progress.h"

namespace retention {
namespace {

using nlohmann::json;

// obj[key] as one printable cell: strings as they are, numbers and booleans
// as JSON writes them, "-" for missing or null.
std::string Field(const json& obj, const char* key) {
  if (!obj.is_object()) return "-";
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "-";
  if (it->is_string()) return Printable(it->get<std::string>());
  if (it->is_array()) {
    std::string joined;
    for (const json& item : *it) {
      if (!joined.empty()) joined += ", ";
      joined += item.is_string()
                    ? Printable(item.get<std::string>())
                    : Printable(item.dump(-1, ' ', false,
                                          json::error_handler_t::replace));
    }
    return joined.empty() ? "-" : joined;
  }
  return Printable(it->dump(-1, ' ', false, json::error_handler_t::replace));
}

int64_t IntField(const json& obj, const char* key) {
  auto it = obj.is_object() ? obj.find(key) : obj.end();
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

bool BoolField(const json& obj, const char* key) {
  auto it = obj.is_object() ? obj.find(key) : obj.end();
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::string Line(const std::string& label, const std::string& value) {
  return WrapText(label + std::string(14 - label.size(), ' ') + value,
                  kTerminalColumns, 14);
}

// "2026-01-01T00:00:05Z" (what FormatIso8601 writes), or nullopt.
std::optional<WallTime> ParseIsoTime(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (text.size() != 20 ||
      std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h,
                  &mi, &s, &tail) != 7 ||
      tail != 'Z') {
    return std::nullopt;
  }
  const std::chrono::year_month_day day{std::chrono::year(y),
                                        std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!day.ok()) return std::nullopt;
  return WallTime(std::chrono::sys_days(day).time_since_epoch() +
                  std::chrono::hours(h) + std::chrono::minutes(mi) +
                  std::chrono::seconds(s));
}

// A time field relative to `now` ("in 18s", "3m ago"); the field as it is
// when it is not a time; "-" when missing.
std::string WhenField(const json& obj, const char* key, WallTime now) {
  const std::string text = Field(obj, key);
  const std::optional<WallTime> t = ParseIsoTime(text);
  return t ? HumanRelative(*t, now) : text;
}

// "RunPolicy" from "io.retentiond.Manager.RunPolicy".
std::string Member(const std::string& method) {
  size_t dot = method.rfind('.');
  return dot == std::string::npos ? method : method.substr(dot + 1);
}

std::string PermissionText(const json& params) {
  std::string method = Field(params, "method");
  if (method == "-") return "permission denied by retentiond";
  std::string who = ChangesState(method)
                        ? "root or a member of the admin group"
                        : "a member of the control socket's group";
  return "permission denied: " + Member(method) + " needs " + who;
}

std::string ConfigInvalidText(const json& params) {
  std::string out;
  auto it = params.find("errors");
  if (it != params.end() && it->is_array()) {
    for (const json& e : *it) {
      out += (e.is_string()
                  ? Printable(e.get<std::string>())
                  : e.dump(-1, ' ', false, json::error_handler_t::replace)) +
             "\n";
    }
  }
  return out +
         "retentionctl: the configuration is invalid; retentiond keeps "
         "running the previous one\n";
}

// The words for one error reply, without the "retentionctl: " prefix.
std::string ErrorText(const std::string& name, const json& params) {
  if (name == kErrorNoSuchPolicy) {
    return "no policy named '" + Field(params, "name") + "'";
  }
  if (name == kErrorInvalidParameter) {
    return "invalid parameter '" + Field(params, "parameter") +
           "': " + Field(params, "reason");
  }
  if (name == kErrorInvalidMessage) {
    return "retentiond refused the call: " + Field(params, "reason");
  }
  if (name == kErrorBusy)
    return "retentiond is busy: " + Field(params, "reason");
  if (name == kErrorInternal) {
    return "internal error in retentiond: " + Field(params, "message");
  }
  if (name == kServiceErrorMethodNotFound) {
    return "retentiond does not know " + Field(params, "method") +
           " (an older daemon?)";
  }
  return "retentiond replied " + Printable(name) + " " +
         Printable(params.dump(-1, ' ', false, json::error_handler_t::replace));
}

bool IsPermissionDenied(const std::string& name) {
  return name == kErrorPermissionDenied ||
         name == "org.varlink.service.PermissionDenied";
}

}  // namespace

std::optional<ProgressSnapshot> ProgressOf(const json& policy) {
  auto it = policy.is_object() ? policy.find("progress") : policy.end();
  if (it == policy.end() || !it->is_object()) return std::nullopt;
  const auto seconds = [&](const char* name) -> std::optional<Duration> {
    auto f = it->find(name);
    if (f == it->end() || !f->is_number()) return std::nullopt;
    return std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(f->get<double>()));
  };
  ProgressSnapshot p;
  p.policy = Field(policy, "id");
  p.unit = it->value("unit", "");
  p.done = static_cast<uint64_t>(std::max<int64_t>(IntField(*it, "done"), 0));
  p.planned =
      static_cast<uint64_t>(std::max<int64_t>(IntField(*it, "planned"), 0));
  p.elapsed = seconds("elapsed_seconds").value_or(Duration::zero());
  p.eta = seconds("eta_seconds");
  if (auto r = it->find("rate_per_second"); r != it->end() && r->is_number()) {
    p.rate = r->get<double>();
  }
  return p;
}

std::string FormatPolicyTable(const json& policies, WallTime now) {
  if (!policies.is_array() || policies.empty()) {
    return "no policies configured\n";
  }
  // 80 columns: a long id is cut; an engaged brake and each standing
  // alert are said below the table.
  std::vector<TableRow> rows = {
      {"POLICY", "EVERY", "STATE", "NEXT RUN", "LAST RUN", "RESULT"}};
  std::string notes;
  for (const json& p : policies) {
    const std::string brake = Field(p, "brake");
    rows.push_back({FitWidth(Field(p, "id"), 26), Field(p, "every"),
                    Field(p, "state"), WhenField(p, "next_run", now),
                    WhenField(p, "last_run", now), Field(p, "last_result")});
    const std::string description = Field(p, "description");
    if (description != "-" && !description.empty()) {
      notes += WrapText(Field(p, "id") + ": " + description);
    }
    if (brake != "-") {
      notes += WrapText(Field(p, "id") + ": brake engaged: " + brake +
                        " (retentionctl release)");
    }
    auto alerts = p.is_object() ? p.find("alerts") : p.end();
    if (alerts == p.end() || !alerts->is_object()) continue;
    auto since = p.find("alerts_since");
    for (const auto& [name, text] : alerts->items()) {
      std::string when;
      if (since != p.end() && since->is_object()) {
        when = WhenField(*since, name.c_str(), now);
        when = when == "-" ? "" : " (since " + when + ")";
      }
      notes += WrapText(Field(p, "id") + ": alert " + Printable(name) + when +
                        ": " + Field(*alerts, name.c_str()));
    }
  }
  return FormatTable(rows) + (notes.empty() ? "" : "\n" + notes);
}

namespace {

// "checkpoints: last sent 5m ago" and, after a refusal, when and why.
std::string CheckpointLine(const json& status, WallTime now) {
  auto c = status.is_object() ? status.find("checkpoints") : status.end();
  if (c == status.end() || !c->is_object()) return "";
  std::string text = Field(*c, "last_sent") == "-"
                         ? "none sent yet"
                         : "last sent " + WhenField(*c, "last_sent", now);
  const int64_t failures = IntField(*c, "send_failures");
  if (failures > 0) {
    text += "; " + std::to_string(failures) + " send" +
            (failures == 1 ? "" : "s") + " FAILED, last " +
            WhenField(*c, "last_failure", now) + ": " +
            Field(*c, "last_error");
  }
  return Line("checkpoints:", text);
}

}  // namespace

std::string FormatStatus(const json& status, WallTime now) {
  std::string clock_brake = Field(status, "clock_brake");
  std::string out =
      Line("version:", Field(status, "version")) +
      Line("pid:", Field(status, "pid")) +
      Line("started:", WhenField(status, "started", now)) +
      Line("config:", Field(status, "config")) +
      Line("state dir:", Field(status, "state_dir")) +
      Line("clock brake:",
           clock_brake == "-" ? "not engaged" : "ENGAGED: " + clock_brake) +
      Line("running:", Field(status, "running")) +
      Line("queued:", Field(status, "queued"));
  auto holds = status.is_object() ? status.find("holds") : status.end();
  if (holds != status.end() && holds->is_array() && !holds->empty()) {
    out +=
        Line("holds:", std::to_string(holds->size()) + " (retentionctl holds)");
  }
  out += CheckpointLine(status, now);
  const json none;
  auto it = status.is_object() ? status.find("policies") : status.end();
  const json& policies = it == status.end() ? none : *it;
  out += "\n" + FormatPolicyTable(policies, now);
  for (const json& p : policies.is_array() ? policies : json::array()) {
    if (auto progress = ProgressOf(p)) {
      out += WrapText("in progress: " + FormatProgress(*progress));
    }
  }
  // Fleets (rows on PostgreSQL): which host does each shared policy's work.
  for (const json& p : policies.is_array() ? policies : json::array()) {
    auto h = p.is_object() ? p.find("holder") : p.end();
    if (h == p.end() || !h->is_object()) continue;
    out += WrapText(Field(p, "id") + ": work held by " + Field(*h, "host") +
                    ", lease ends " + WhenField(*h, "until", now));
  }
  return out;
}

std::string FormatReload(const json& reply) {
  int64_t n = IntField(reply, "policies");
  return "reloaded: " + std::to_string(n) + (n == 1 ? " policy" : " policies") +
         "\n";
}

std::string FormatConfirmClock(const json& reply) {
  return BoolField(reply, "was_engaged")
             ? "clock confirmed; the clock brake is released\n"
             : kClockNotEngaged;
}

std::string FormatHolds(const json& reply, const char* field) {
  auto it = reply.is_object() ? reply.find(field) : reply.end();
  if (it == reply.end()) return "no holds\n";
  const json list = it->is_array() ? *it : json::array({*it});
  if (list.empty()) return "no holds\n";
  std::vector<TableRow> rows = {{"KIND", "TARGET", "SINCE", "BY", "REASON"}};
  for (const json& h : list) {
    rows.push_back({Field(h, "kind"), Field(h, "target"), Field(h, "since"),
                    Field(h, "by"), Field(h, "reason")});
  }
  return FormatTable(rows);
}

std::string FormatRelease(const json& reply) {
  return Field(reply, "policy") +
         (BoolField(reply, "was_engaged")
              ? ": brake released; the next run may delete beyond "
                "max_delete_fraction once\n"
              : ": no brake was engaged; the next run may delete beyond "
                "max_delete_fraction once\n");
}

std::string FormatLedgerCheck(bool ok, int64_t entries,
                              const std::string& head_hash,
                              int64_t first_bad_seq,
                              const std::string& problem) {
  if (ok) {
    return "ledger intact: " + std::to_string(entries) + " entries, head " +
           head_hash + "\n";
  }
  return "LEDGER BROKEN at entry " + std::to_string(first_bad_seq) + ": " +
         problem + "\n";
}

std::string FormatVerifyReply(const json& reply, bool* ok) {
  *ok = BoolField(reply, "ok");
  return FormatLedgerCheck(
      *ok, IntField(reply, "entries"), Field(reply, "head_hash"),
      IntField(reply, "first_bad_seq"), Field(reply, "problem"));
}

std::string FormatErrorReply(const Reply& reply) {
  if (reply.error == kErrorConfigInvalid) {
    return ConfigInvalidText(reply.parameters);
  }
  if (IsPermissionDenied(reply.error)) {
    return "retentionctl: " + PermissionText(reply.parameters) + "\n";
  }
  return "retentionctl: " + ErrorText(reply.error, reply.parameters) + "\n";
}

int ExitCodeForErrorReply(const Reply& reply) {
  return IsPermissionDenied(reply.error) ? kExitNoPermission : kExitFailure;
}

}  // namespace retention
