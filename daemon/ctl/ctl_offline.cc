#include "ctl/ctl_offline.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "base/exit_codes.h"
#include "base/human_format.h"
#include "base/text_table.h"
#include "config/config_value.h"
#include "config/kind_registry.h"
#include "control/control_protocol.h"
#include "core/audit_run.h"
#include "core/clock_brake.h"
#include "core/ledger.h"
#include "core/metrics.h"
#include "core/report_section.h"
#include "core/state_db.h"
#include "ctl/ctl_checkpoints.h"
#include "ctl/ctl_format.h"
#include "os/atomic_file.h"
#include "report/occupancy_view.h"
#include "report/report.h"

namespace retention {
std::unique_ptr<StateDb> OpenExistingStateDb(CtlContext& ctx) {
  auto dir = ctx.fs.OpenRoot(ctx.state_dir);
  Status st =
      dir.ok() ? ctx.fs.StatAt(**dir, "state.db").status() : dir.status();
  if (!st.ok()) {
    ctx.err << "retentionctl: no state database in " << ctx.state_dir << ": "
            << st.ToString() << "\n";
    return nullptr;
  }
  auto db = StateDb::Open(ctx.state_dir + "/state.db");
  if (!db.ok()) {
    ctx.err << "retentionctl: " << db.status().ToString() << "\n";
    return nullptr;
  }
  return std::move(*db);
}

int VerifyStateDir(CtlContext& ctx) {
  auto db = OpenExistingStateDb(ctx);
  if (!db) return kExitFailure;
  Ledger ledger(*db);
  auto check = ledger.Verify();
  if (!check.ok()) {
    ctx.err << "retentionctl: " << check.status().ToString() << "\n";
    return kExitFailure;
  }
  nlohmann::json out{{"ok", check->ok},
                     {"entries", check->entries},
                     {"first_bad_seq", check->first_bad_seq},
                     {"problem", check->problem},
                     {"head_hash", check->head_hash}};
  std::string text =
      FormatLedgerCheck(check->ok, check->entries, check->head_hash,
                        check->first_bad_seq, check->problem);
  bool ok = check->ok;
  if (ok && (!ctx.checkpoints.empty() || ctx.journal)) {
    const int code =
        CheckCheckpoints(ctx, *db, ledger, check->entries, &out, &text);
    if (code != kExitOk && code != kExitFailure) return code;
    ok = code == kExitOk;
  }
  if (ctx.json) {
    ctx.out << out.dump(2, ' ', false,
                        nlohmann::json::error_handler_t::replace)
            << "\n";
  } else {
    ctx.out << text;
  }
  return ok ? kExitOk : kExitFailure;
}

namespace {

void PrintEntry(CtlContext& ctx, const LedgerEntry& e) {
  if (ctx.json) {
    ctx.out
        << nlohmann::json{{"seq", e.seq},       {"time", FormatIso8601(e.time)},
                          {"policy", e.policy}, {"action", e.action},
                          {"target", e.target}, {"count", e.count},
                          {"bytes", e.bytes},   {"detail", e.detail},
                          {"hash", e.hash}}
               // A target or detail may hold any byte a file name or a
               // rejected config held: invalid UTF-8 becomes U+FFFD.
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
    return;
  }
  // On a terminal, 80 columns: the entry wraps, continuation lines
  // indented; for a script, one entry per line.
  std::string line = std::to_string(e.seq) + "  " + FormatIso8601(e.time) +
                     "  " + e.policy + "  " + e.action + "  " +
                     Printable(e.target);
  if (e.bytes > 0) line += "  " + HumanBytes(static_cast<uint64_t>(e.bytes));
  if (!e.detail.empty()) line += "  (" + Printable(e.detail) + ")";
  ctx.out << (ctx.wrap_ledger ? WrapText(line, kTerminalColumns, 6)
                              : line + "\n");
}

}  // namespace

int LedgerFromStateDir(CtlContext& ctx) {
  int64_t after = 0;
  if (!ctx.args.empty()) {
    auto n = ParseInt(ctx.args[0]);
    if (!n.ok() || *n < 0) {
      ctx.err << "retentionctl: ledger: AFTER_SEQ must be a whole number\n";
      return kExitUsage;
    }
    after = *n;
  }
  auto db = OpenExistingStateDb(ctx);
  if (!db) return kExitFailure;
  Ledger ledger(*db);
  for (;;) {
    auto page = ledger.Read(after, 1000);
    if (!page.ok()) {
      ctx.err << "retentionctl: " << page.status().ToString() << "\n";
      return kExitFailure;
    }
    if (page->empty()) return kExitOk;
    for (const LedgerEntry& e : *page) PrintEntry(ctx, e);
    after = page->back().seq;
  }
}

int ConfirmClockInStateDir(CtlContext& ctx) {
  auto db = OpenExistingStateDb(ctx);
  if (!db) return kExitFailure;
  std::optional<Brake> engaged;
  auto brakes = db->Brakes();
  if (!brakes.ok()) {
    ctx.err << "retentionctl: " << brakes.status().ToString() << "\n";
    return kExitFailure;
  }
  for (const Brake& b : *brakes) {
    if (b.name == kClockBrakeName) engaged = b;
  }
  const std::string path = ctx.state_dir + "/" + kConfirmClockFile;
  if (!engaged) {
    // A confirmation left lying about would release the next brake: remove
    // one an older retentionctl wrote. Best effort, its failure ignored: the
    // daemon removes such a file unused anyway.
    auto dir = ctx.fs.OpenRoot(ctx.state_dir);
    auto info = dir.ok() ? ctx.fs.StatAt(**dir, kConfirmClockFile)
                         : StatusOr<FileInfo>(dir.status());
    if (info.ok()) (void)ctx.fs.RemoveAt(**dir, kConfirmClockFile, *info);
    ctx.err << "retentionctl: " << kClockNotEngaged;
    return kExitFailure;
  }
  // Replaces a pending confirmation: only the newest, naming this brake,
  // counts. Mode 0644: the daemon, another user, reads it.
  Status st = WriteFileAtomically(ctx.fs, path, ClockConfirmation(*engaged));
  if (!st.ok()) {
    ctx.err << "retentionctl: " << st.ToString() << "\n";
    return kExitFailure;
  }
  ctx.out << "clock confirmed; the clock brake engaged at "
          << FormatIso8601(engaged->since) << " is released at the next run\n";
  return kExitOk;
}

namespace {

StatusOr<std::string> RenderReport(CtlContext& ctx, StateDb& db,
                                   Duration since) {
  Ledger ledger(db);
  const Config none;  // without a configuration: what the ledger shows
  auto report = BuildReport(ctx.config ? *ctx.config : none, db, ledger,
                            BuiltinReportSections(), ctx.clock.Now(), since);
  if (!report.ok()) return report.status();
  // With the configuration, each promise checked against the world now,
  // as the daemon's reports have it (run as the daemon's user or root).
  auto holds = db.Holds();
  if (ctx.config != nullptr && holds.ok()) {
    Services services{.clock = ctx.clock, .fs = ctx.fs, .state = &db};
    report->audit = AuditPolicies(*ctx.config, BuiltinRegistry(), services,
                                  *holds, report->generated_at);
  }
  if (ctx.format == "json") return FormatReportJson(*report);
  if (ctx.format == "html") return FormatReportHtml(*report);
  return FormatReportText(*report);
}

}  // namespace

int CheckReportOptions(const CtlContext& ctx) {
  auto since = ParseDuration(ctx.since);
  if (!since.ok() || *since <= Duration::zero()) {
    ctx.err << "retentionctl: report: --since wants a duration such as 30d\n";
    return kExitUsage;
  }
  for (std::string_view format : kReportFormats) {
    if (ctx.format == format) return kExitOk;
  }
  ctx.err << "retentionctl: report: --format is text, json or html\n";
  return kExitUsage;
}

int ReportFromStateDir(CtlContext& ctx) {
  auto db = OpenExistingStateDb(ctx);
  if (!db) return kExitFailure;
  auto text = RenderReport(ctx, *db, *ParseDuration(ctx.since));
  if (!text.ok()) {
    ctx.err << "retentionctl: report: " << text.status().ToString() << "\n";
    return kExitFailure;
  }
  return WriteReport(ctx, *text);
}

int WriteReport(CtlContext& ctx, const std::string& text) {
  if (ctx.output.empty()) {
    ctx.out << text;
    return kExitOk;
  }
  std::ofstream file(ctx.output, std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    ctx.err << "retentionctl: report: cannot write " << ctx.output << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

int MetricsFromStateDir(CtlContext& ctx) {
  auto db = OpenExistingStateDb(ctx);
  if (!db) return kExitFailure;
  auto snapshot =
      CollectMetrics(*db, ctx.config, BuiltinRegistry(),
                     BuiltinReportSections(), ctx.clock.Now());
  if (!snapshot.ok()) {
    ctx.err << "retentionctl: metrics: " << snapshot.status().ToString()
            << "\n";
    return kExitFailure;
  }
  ctx.out << FormatPrometheus(*snapshot, RETENTION_VERSION);
  return kExitOk;
}

int OccupancyFromStateDir(CtlContext& ctx) {
  if (ctx.args.size() > 1) {
    ctx.err << "retentionctl: occupancy takes at most one USER\n";
    return kExitUsage;
  }
  auto db = OpenExistingStateDb(ctx);
  if (!db) return kExitFailure;
  const OccupancyQuery q{ctx.args.empty() ? "" : ctx.args[0],
                         size_t(std::max(0, ctx.top)), ctx.over};
  auto view = OccupancyJson(*db, q);
  if (!view.ok()) {
    ctx.err << "retentionctl: occupancy: " << view.status().ToString() << "\n";
    return kExitFailure;
  }
  ctx.out << (ctx.json ? view->dump(2) + "\n" : FormatOccupancyText(*view));
  return kExitOk;
}

}  // namespace retention
