// The built-in [daemon] section's values, as retentiond.conf(5) documents
// them (issue 19: an empty control_socket was refused with exit 78, and
// control_socket = "" named a file called "").
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/kind_registry.h"

namespace retention::daemon_section_test {
namespace {

struct Loaded {
  bool ok = false;
  Config config;
  std::vector<std::string> errors;
};

Loaded Load(const std::string& text) {
  Loaded out;
  std::vector<ConfigError> errors;
  out.ok = LoadConfigFromString("/etc/retentiond/retentiond.conf", text,
                                BuiltinRegistry(), &out.config, &errors);
  for (const ConfigError& e : errors) out.errors.push_back(e.ToString());
  return out;
}

TEST_CASE("an empty control_socket loads and disables the socket") {
  Loaded loaded = Load("[daemon]\ncontrol_socket =\n");
  INFO((loaded.errors.empty() ? std::string() : loaded.errors[0]));
  REQUIRE(loaded.ok);
  CHECK(loaded.config.daemon().GetStringOrEmpty("control_socket").empty());
}

TEST_CASE("control_socket left out keeps its default path") {
  Loaded loaded = Load("[daemon]\n");
  REQUIRE(loaded.ok);
  CHECK(loaded.config.daemon().GetString("control_socket") ==
        "/run/retentiond/control.sock");
}

TEST_CASE(
    "a quoted empty control_socket is an error, not a file named quotes") {
  for (const char* quoted : {"\"\"", "''"}) {
    Loaded loaded =
        Load(std::string("[daemon]\ncontrol_socket = ") + quoted + "\n");
    CHECK_FALSE(loaded.ok);
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].find(":2: [daemon] control_socket: quotes are "
                                "taken literally") != std::string::npos);
    CHECK(loaded.errors[0].find("write nothing after '='") !=
          std::string::npos);
  }
}

TEST_CASE("an empty path that does not disable anything is still an error") {
  Loaded loaded = Load("[daemon]\nstate_dir =\n");
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].find("state_dir: empty value") != std::string::npos);
}

}  // namespace
}  // namespace retention::daemon_section_test
