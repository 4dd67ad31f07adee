#include "core/metrics.h"

#include <catch2/catch.hpp>

namespace retention::metrics_test {
namespace {

TEST_CASE(
    "metrics list every configured policy, with zeros when it has no history") {
  MetricsSnapshot m;
  m.policies = {"files.backups", "files.new"};
  PolicyStats s;
  s.runs_by_outcome = {{"ok", 3}, {"error", 1}};
  s.removed_items = 7;
  s.removed_bytes = 4096;
  s.last_success = FromUnixSeconds(1767225600);
  m.stats["files.backups"] = s;
  const std::string out = FormatPrometheus(m, "0.1.0");
  for (const char* line : {
           "retentiond_build_info{version=\"0.1.0\"} 1\n",
           "retentiond_policy_runs_total{policy=\"files.backups\",result="
           "\"ok\"} 3\n",
           "retentiond_policy_runs_total{policy=\"files.backups\",result="
           "\"error\"} 1\n",
           "retentiond_removed_items_total{policy=\"files.backups\",kind="
           "\"files\"} 7\n",
           "retentiond_removed_bytes_total{policy=\"files.backups\",kind="
           "\"files\"} 4096\n",
           "retentiond_removed_items_total{policy=\"files.new\",kind="
           "\"files\"} 0\n",
           "retentiond_last_success_timestamp_seconds{policy=\"files.backups\"}"
           " 1767225600\n",
           "retentiond_brake_engaged{policy=\"files.new\"} 0\n",
           "retentiond_clock_paused 0\n",
           "# TYPE retentiond_removed_bytes_total counter\n",
       }) {
    INFO(line);
    CHECK(out.find(line) != std::string::npos);
  }
  CHECK(out.find("last_success_timestamp_seconds{policy=\"files.new\"}") ==
        std::string::npos);
}

TEST_CASE("the newest audit's verdicts are gauges per policy") {
  MetricsSnapshot m;
  m.policies = {"files.a"};
  CHECK(FormatPrometheus(m, "0.1.0").find("retentiond_promise_kept") ==
        std::string::npos);
  m.audit = AuditRecord{
      FromUnixSeconds(1767225600),
      {AuditVerdict{"files.a", "files", true, true, 0},
       AuditVerdict{"rows.t", "rows", true, false, 3},
       AuditVerdict{"rows.pg", "rows", false, false, 0}}};
  const std::string out = FormatPrometheus(m, "0.1.0");
  for (const char* line : {
           "retentiond_promise_kept{policy=\"files.a\",kind=\"files\"} 1\n",
           "retentiond_promise_kept{policy=\"rows.t\",kind=\"rows\"} 0\n",
           "retentiond_promise_kept{policy=\"rows.pg\",kind=\"rows\"} 0\n",
           "retentiond_promise_overdue_items{policy=\"rows.t\",kind=\"rows\"} "
           "3\n",
           "retentiond_audit_timestamp_seconds 1767225600\n",
       }) {
    INFO(line);
    CHECK(out.find(line) != std::string::npos);
  }
  CHECK(out.find("retentiond_promise_overdue_items{policy=\"rows.pg\"") ==
        std::string::npos);
}

TEST_CASE("a clock brake and a policy brake show in the metrics") {
  MetricsSnapshot m;
  m.policies = {"files.a"};
  m.braked = {"clock", "files.a"};
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(out.find("retentiond_clock_paused 1\n") != std::string::npos);
  CHECK(out.find("retentiond_brake_engaged{policy=\"files.a\"} 1\n") !=
        std::string::npos);
}

RunRecord Measured(int64_t kept, std::optional<WallTime> oldest) {
  RunRecord run;
  run.finished = FromUnixSeconds(1767225600);
  run.kept = kept;
  run.oldest = oldest;
  run.kept_bytes = 1000;
  run.live_bytes = 24;
  return run;
}

bool Has(const std::string& out, const std::string& line) {
  return out.find(line) != std::string::npos;
}

TEST_CASE("the oldest item's age is shown only for measured policies") {
  MetricsSnapshot m;
  m.policies = {"files.a", "files.b"};
  m.measured["files.a"] =
      Measured(3, FromUnixSeconds(1767225600) - std::chrono::hours(48));
  m.measured["files.gone"] = Measured(1, FromUnixSeconds(1767225000));
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(Has(out, "retentiond_oldest_item_age_seconds{policy=\"files.a\"} "
                 "172800\n"));
  CHECK(Has(out, "retentiond_items_left{policy=\"files.a\"} 3\n"));
  CHECK(Has(out, "retentiond_bytes_left{policy=\"files.a\"} 1024\n"));
  CHECK_FALSE(Has(out, "oldest_item_age_seconds{policy=\"files.b\"}"));
  CHECK_FALSE(Has(out, "items_left{policy=\"files.b\"}"));
  CHECK_FALSE(Has(out, "files.gone"));
}

TEST_CASE("a policy that left nothing has no oldest age, and 0 items left") {
  MetricsSnapshot m;
  m.policies = {"rows.tokens"};
  m.measured["rows.tokens"] = Measured(0, std::nullopt);
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(Has(out, "retentiond_items_left{policy=\"rows.tokens\"} 0\n"));
  CHECK_FALSE(Has(out, "oldest_item_age_seconds{policy=\"rows.tokens\"}"));
}

TEST_CASE("each policy's limit, budget, kind and last run duration show") {
  MetricsSnapshot m;
  m.policies = {"rows.tokens", "logs.app", "occupancy"};
  m.configured["rows.tokens"] = {"rows", std::chrono::hours(1), std::nullopt};
  m.configured["logs.app"] = {"logs", std::chrono::hours(24 * 21),
                              uint64_t{4} << 30};
  m.configured["occupancy"] = {"occupancy", std::nullopt, std::nullopt};
  m.last_run_duration["rows.tokens"] = std::chrono::milliseconds(1250);
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(Has(out, "retentiond_policy_max_age_seconds{policy=\"rows.tokens\","
                 "kind=\"rows\"} 3600\n"));
  CHECK(Has(out, "retentiond_policy_max_age_seconds{policy=\"logs.app\","
                 "kind=\"logs\"} 1814400\n"));
  CHECK(Has(out, "retentiond_policy_budget_bytes{policy=\"logs.app\","
                 "kind=\"logs\"} 4294967296\n"));
  CHECK_FALSE(Has(out, "max_age_seconds{policy=\"occupancy\""));
  CHECK(Has(out, "retentiond_removed_items_total{policy=\"rows.tokens\","
                 "kind=\"rows\"} 0\n"));
  CHECK(Has(out, "retentiond_last_run_duration_seconds{policy=\"rows."
                 "tokens\"} 1.250\n"));
}

TEST_CASE("the ledger's state, the time and a kind's gauges show") {
  MetricsSnapshot m;
  m.now = FromUnixSeconds(1767225600);
  m.ledger_ok = false;
  m.gauges.push_back({"retentiond_occupancy_users", "Users.", {}, 2});
  m.gauges.push_back(
      {"retentiond_occupancy_user_bytes", "Bytes.", {{"user", "u1"}}, 10});
  m.gauges.push_back(
      {"retentiond_occupancy_user_bytes", "Bytes.", {{"user", "u2"}}, 5});
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(Has(out, "retentiond_ledger_ok 0\n"));
  CHECK(Has(out, "retentiond_metrics_timestamp_seconds 1767225600\n"));
  CHECK(Has(out, "retentiond_occupancy_users 2\n"));
  CHECK(Has(out, "# TYPE retentiond_occupancy_user_bytes gauge\n"
                 "retentiond_occupancy_user_bytes{user=\"u1\"} 10\n"
                 "retentiond_occupancy_user_bytes{user=\"u2\"} 5\n"));
}

TEST_CASE("logs policies have rotation and compression counters") {
  MetricsSnapshot m;
  m.policies = {"logs.access", "files.b"};
  m.rotating = {"logs.access"};
  PolicyStats s;
  s.rotations = 12;
  s.compressed_bytes = 2400;
  m.stats["logs.access"] = s;
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(out.find("retentiond_log_rotations_total{policy=\"logs.access\"} "
                 "12\n") != std::string::npos);
  CHECK(out.find("retentiond_log_compressed_bytes_total{policy=\"logs."
                 "access\"} 2400\n") != std::string::npos);
  CHECK(out.find("log_rotations_total{policy=\"files.b\"}") ==
        std::string::npos);
}

TEST_CASE("metric label values are escaped") {
  MetricsSnapshot m;
  m.policies = {"files.a\"b\\c\nd"};
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(out.find("policy=\"files.a\\\"b\\\\c\\nd\"") != std::string::npos);
}

TEST_CASE("each standing alert of a policy is a gauge, and none is absent") {
  const std::string none = FormatAlertMetrics({{"logs.a", {}}});
  CHECK(none ==
        "# HELP retentiond_policy_alert 1 for each alert a policy has now "
        "(retentionctl status says why); absent when it has none.\n"
        "# TYPE retentiond_policy_alert gauge\n");
  const std::string out = FormatAlertMetrics(
      {{"logs.a", {{"budget", "max_total_size 1.0 GiB not met"},
                   {"writer_without_o_append", "x"}}},
       {"logs.b", {}},
       {"logs.\"c", {{"budget", "y"}}}});
  CHECK(out.substr(none.size()) ==
        "retentiond_policy_alert{policy=\"logs.\\\"c\",alert=\"budget\"} 1\n"
        "retentiond_policy_alert{policy=\"logs.a\",alert=\"budget\"} 1\n"
        "retentiond_policy_alert{policy=\"logs.a\",alert=\"writer_without_"
        "o_append\"} 1\n");
}

}  // namespace
}  // namespace retention::metrics_test
