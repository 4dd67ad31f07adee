#include "core/metrics.h"

#include <catch2/catch.hpp>

namespace retention {
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
           "retentiond_removed_items_total{policy=\"files.backups\"} 7\n",
           "retentiond_removed_bytes_total{policy=\"files.backups\"} 4096\n",
           "retentiond_removed_items_total{policy=\"files.new\"} 0\n",
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

TEST_CASE("a clock brake and a policy brake show in the metrics") {
  MetricsSnapshot m;
  m.policies = {"files.a"};
  m.braked = {"clock", "files.a"};
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(out.find("retentiond_clock_paused 1\n") != std::string::npos);
  CHECK(out.find("retentiond_brake_engaged{policy=\"files.a\"} 1\n") !=
        std::string::npos);
}

TEST_CASE("the oldest item's age is shown only for measured policies") {
  MetricsSnapshot m;
  m.policies = {"files.a", "files.b"};
  m.oldest_age["files.a"] = std::chrono::hours(48);
  m.oldest_age["files.gone"] = std::chrono::hours(1);  // not a policy now
  const std::string out = FormatPrometheus(m, "0.1.0");
  CHECK(out.find("retentiond_oldest_item_age_seconds{policy=\"files.a\"} "
                 "172800\n") != std::string::npos);
  CHECK(out.find("oldest_item_age_seconds{policy=\"files.b\"}") ==
        std::string::npos);
  CHECK(out.find("files.gone") == std::string::npos);
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

}  // namespace
}  // namespace retention
