// retentionctl's text for the daemon's replies: tables, header, one-line
// answers and error replies in words. Pure: no socket.
#include "ctl/ctl_format.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "base/exit_codes.h"
#include "base/text_table.h"
#include "control/control_protocol.h"

namespace retention::ctl_format_test {
namespace {

using nlohmann::json;

json Policy(const std::string& id, const json& last_run, const json& brake) {
  return {{"id", id},
          {"kind", "files"},
          {"every", "1h"},
          {"state", "idle"},
          {"next_run", "2026-01-01T01:00:00Z"},
          {"last_run", last_run},
          {"last_result", last_run.is_null() ? json() : json("ok")},
          {"brake", brake}};
}

// 2026-01-01T00:03:00Z: three minutes after the last run in Policy().
const WallTime kNow = FromUnixSeconds(1767225600 + 180);

TEST_CASE("the policy table aligns its columns and shows null as '-'") {
  json policies = {Policy("files.backups", "2026-01-01T00:00:00Z", nullptr),
                   Policy("files.tmp", nullptr, "deletes 90% of 10")};
  policies[0]["description"] = "Backups are kept 90 days.";
  CHECK(FormatPolicyTable(policies, kNow) ==
        "POLICY         EVERY  STATE  NEXT RUN  LAST RUN  RESULT\n"
        "files.backups  1h     idle   in 57m    3m ago    ok\n"
        "files.tmp      1h     idle   in 57m    -         -\n"
        "\n"
        "files.backups: Backups are kept 90 days.\n"
        "files.tmp: brake engaged: deletes 90% of 10 (retentionctl release)\n");
}

TEST_CASE("status and its policy table fit 80 columns") {
  json policies = json::array();
  for (int i = 0; i < 3; ++i) {
    json p = Policy("rows.password_reset_tokens_of_the_web_application_" +
                        std::to_string(i),
                    "2026-01-01T00:00:00Z", "x " + std::string(200, 'y'));
    p["description"] = std::string(30, 'w') + " " + std::string(120, 'z');
    p["holder"] = {{"host", "h"}, {"until", "2026-01-01T00:03:15Z"}};
    if (i == 2) p["id"] = "rows.short";
    policies.push_back(p);
  }
  const std::string text = FormatStatus(
      {{"config", "/etc/" + std::string(100, 'c')}, {"policies", policies}},
      kNow);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(DisplayWidth(line) <= 80);
  }
  CHECK(text.find("lease ends in 15s") != std::string::npos);  // unwrapped
}

TEST_CASE("an empty or malformed policy list says none are configured") {
  CHECK(FormatPolicyTable(json::array(), kNow) == "no policies configured\n");
  CHECK(FormatPolicyTable(json("x"), kNow) == "no policies configured\n");
}

TEST_CASE("a policy with missing or odd fields still prints") {
  std::string table = FormatPolicyTable({{{"id", 7}, {"every", {1, 2}}}}, kNow);
  CHECK(table.find("7       1, 2   -") != std::string::npos);
}

TEST_CASE("control characters from the daemon do not reach the terminal") {
  std::string table =
      FormatPolicyTable({{{"id", "files.\x1b[31mred"}, {"kind", "files"}}}, kNow);
  CHECK(table.find('\x1b') == std::string::npos);
  CHECK(table.find("files.?[31mred") != std::string::npos);
}

TEST_CASE("status names the host holding a fleet's policy, and only that") {
  json shared = Policy("rows.tokens", nullptr, nullptr);
  shared["holder"] = {{"host", "host-b"}, {"until", "2026-01-01T00:00:15Z"}};
  json alone = Policy("files.tmp", nullptr, nullptr);
  alone["holder"] = nullptr;
  const std::string text =
      FormatStatus({{"policies", json::array({shared, alone})}}, kNow);
  CHECK(text.find("\nrows.tokens: work held by host-b, lease ends 2m45s "
                  "ago\n") != std::string::npos);
  CHECK(text.find("files.tmp: work held") == std::string::npos);
}

TEST_CASE("status says each standing alert of a policy below the table") {
  json over = Policy("logs.access", nullptr, nullptr);
  over["alerts"] = {{"budget", "max_total_size 1.0 GiB not met"},
                    {"writer_without_o_append", "/var/log/\x1b[31m.log: x"}};
  json fine = Policy("logs.app", nullptr, nullptr);
  fine["alerts"] = json::object();
  json old = Policy("files.tmp", nullptr, nullptr);  // an older daemon's
  const std::string text = FormatPolicyTable({over, fine, old}, kNow);
  CHECK(text.substr(text.find("\n\n")) ==
        "\n\nlogs.access: alert budget: max_total_size 1.0 GiB not met\n"
        "logs.access: alert writer_without_o_append: /var/log/?[31m.log: x\n");
  // With when each was first seen (a daemon that keeps them).
  over["alerts_since"] = {{"budget", "2025-12-31T21:03:00Z"}};
  CHECK(FormatPolicyTable(json::array({over}), kNow).find(
            "logs.access: alert budget (since 3h ago): max_total_size") !=
        std::string::npos);
  // Long ones wrap within 80 columns.
  over["alerts"]["budget"] = std::string(60, 'w') + " " + std::string(60, 'z');
  std::istringstream lines(FormatPolicyTable(json::array({over}), kNow));
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(DisplayWidth(line) <= 80);
  }
}

TEST_CASE("status shows the header, then the policy table") {
  json status = {{"version", "0.1.0"},
                 {"pid", 42},
                 {"started", "2026-01-01T00:00:00Z"},
                 {"config", "/etc/r.conf"},
                 {"state_dir", "/var/lib/r"},
                 {"clock_brake", "wall clock moved +1y"},
                 {"running", "files.tmp"},
                 {"queued", {"files.a", "files.b"}},
                 {"policies", json::array()}};
  CHECK(FormatStatus(status, kNow) ==
        "version:      0.1.0\n"
        "pid:          42\n"
        "started:      3m ago\n"
        "config:       /etc/r.conf\n"
        "state dir:    /var/lib/r\n"
        "clock brake:  ENGAGED: wall clock moved +1y\n"
        "running:      files.tmp\n"
        "queued:       files.a, files.b\n"
        "\n"
        "no policies configured\n");
}

TEST_CASE("status without a clock brake says it is not engaged") {
  std::string text = FormatStatus({{"clock_brake", nullptr}}, kNow);
  CHECK(text.find("clock brake:  not engaged\n") != std::string::npos);
  CHECK(text.find("queued:       -\n") != std::string::npos);
}

TEST_CASE("reload and confirm-clock answer in one line") {
  CHECK(FormatReload({{"policies", 3}}) == "reloaded: 3 policies\n");
  CHECK(FormatReload({{"policies", 1}}) == "reloaded: 1 policy\n");
  CHECK(FormatConfirmClock({{"was_engaged", true}}) ==
        "clock confirmed; the clock brake is released\n");
  CHECK(FormatConfirmClock({{"was_engaged", false}}) ==
        "no clock brake is engaged; nothing to confirm\n");
}

TEST_CASE("verify prints what the offline command prints") {
  bool ok = false;
  CHECK(FormatVerifyReply({{"ok", true},
                           {"entries", 12},
                           {"head_hash", "abc"},
                           {"first_bad_seq", nullptr},
                           {"problem", nullptr}},
                          &ok) == FormatLedgerCheck(true, 12, "abc", 0, ""));
  CHECK(ok);
  CHECK(FormatVerifyReply({{"ok", false},
                           {"entries", 12},
                           {"head_hash", "abc"},
                           {"first_bad_seq", 5},
                           {"problem", "hash mismatch"}},
                          &ok) == "LEDGER BROKEN at entry 5: hash mismatch\n");
  CHECK_FALSE(ok);
  CHECK(FormatLedgerCheck(true, 12, "abc", 0, "") ==
        "ledger intact: 12 entries, head abc\n");
}

Reply Error(std::string_view name, json params) {
  Reply reply;
  reply.error = std::string(name);
  reply.parameters = std::move(params);
  return reply;
}

TEST_CASE("error replies are said in words") {
  CHECK(FormatErrorReply(Error(kErrorNoSuchPolicy, {{"name", "x"}})) ==
        "retentionctl: no policy named 'x'\n");
  CHECK(FormatErrorReply(
            Error(kErrorInvalidParameter,
                  {{"parameter", "since"}, {"reason", "not a duration"}})) ==
        "retentionctl: invalid parameter 'since': not a duration\n");
  CHECK(FormatErrorReply(Error(kErrorBusy, {{"reason", "already running"}})) ==
        "retentionctl: retentiond is busy: already running\n");
  CHECK(FormatErrorReply(Error(kErrorInternal, {{"message", "disk"}})) ==
        "retentionctl: internal error in retentiond: disk\n");
  CHECK(FormatErrorReply(Error(kServiceErrorMethodNotFound,
                               {{"method", "io.retentiond.Manager.X"}})) ==
        "retentionctl: retentiond does not know io.retentiond.Manager.X (an "
        "older daemon?)\n");
  CHECK(FormatErrorReply(Error("com.example.Odd", {{"a", 1}})) ==
        "retentionctl: retentiond replied com.example.Odd {\"a\":1}\n");
}

TEST_CASE("permission denied says who may call the method") {
  CHECK(FormatErrorReply(Error(kErrorPermissionDenied,
                               {{"method", std::string(kMethodRunPolicy)}})) ==
        "retentionctl: permission denied: RunPolicy needs root or a member "
        "of the admin group\n");
  CHECK(FormatErrorReply(Error(kErrorPermissionDenied,
                               {{"method", std::string(kMethodStatus)}})) ==
        "retentionctl: permission denied: Status needs a member of the "
        "control socket's group\n");
}

TEST_CASE("a refused configuration prints each error line as it is") {
  CHECK(FormatErrorReply(Error(
            kErrorConfigInvalid,
            {{"errors", {"a.conf:1: [x] y: bad", "a.conf:2: [x] z: bad"}}})) ==
        "a.conf:1: [x] y: bad\n"
        "a.conf:2: [x] z: bad\n"
        "retentionctl: the configuration is invalid; retentiond keeps "
        "running the previous one\n");
}

TEST_CASE("only PermissionDenied maps to exit 77") {
  CHECK(ExitCodeForErrorReply(Error(kErrorPermissionDenied, {})) ==
        kExitNoPermission);
  CHECK(ExitCodeForErrorReply(Error("org.varlink.service.PermissionDenied",
                                    {})) == kExitNoPermission);
  CHECK(ExitCodeForErrorReply(Error(kErrorNoSuchPolicy, {})) == kExitFailure);
  CHECK(ExitCodeForErrorReply(Error(kErrorConfigInvalid, {})) == kExitFailure);
}

TEST_CASE("table columns align by code points, not bytes") {
  CHECK(FormatTable({{"✓", "a"}, {"xy", "b"}}) == "✓   a\nxy  b\n");
  CHECK(FormatTable({}).empty());
}

}  // namespace
}  // namespace retention::ctl_format_test
