#include <catch2/catch.hpp>

#include "os/groups.h"
#include "os/users.h"
#include "status_printers.h"

namespace retention::users_groups_test {
namespace {

TEST_CASE("a configured owner or group is a number or a name", "[users]") {
  REQUIRE(ResolveUser("0").ok());
  CHECK(*ResolveUser("0") == 0);
  REQUIRE(ResolveUser("root").ok());
  CHECK(*ResolveUser("root") == 0);
  CHECK(*ResolveUser("4242") == 4242);  // a number needs no NSS entry
  REQUIRE(ResolveGroup("0").ok());
  CHECK(*ResolveGroup("root") == 0);
  CHECK(*ResolveGroup("4242") == 4242);
}

TEST_CASE("an empty or unknown owner or group is an error", "[users]") {
  CHECK(ResolveUser("").status().code() == Status::Code::kInvalidArgument);
  CHECK(ResolveGroup("").status().code() == Status::Code::kInvalidArgument);
  CHECK(ResolveUser("no-such-user-rtd").status().IsNotFound());
  CHECK(ResolveGroup("no-such-group-rtd").status().IsNotFound());
  // Digits then letters is a name, and no user has it.
  CHECK_FALSE(ResolveUser("12abc").ok());
}

}  // namespace
}  // namespace retention::users_groups_test
