#include "core/verb.h"

#include <catch2/catch.hpp>
#include <string>

namespace retention::verb_test {
namespace {

constexpr Verb kAll[] = {Verb::kDelete,   Verb::kPurge,     Verb::kRotate,
                         Verb::kCompress, Verb::kCleanup,   Verb::kRecover,
                         Verb::kRestore,  Verb::kOverQuota, Verb::kUnderQuota};

TEST_CASE("every verb has its own name, and the name reads back") {
  for (Verb v : kAll) {
    const std::string name = VerbName(v);
    INFO(name);
    CHECK(name != "?");
    REQUIRE(ParseVerb(name).has_value());
    CHECK(*ParseVerb(name) == v);
  }
  CHECK_FALSE(ParseVerb("brake").has_value());  // the daemon's, not a verb
  CHECK_FALSE(ParseVerb("").has_value());
  CHECK_FALSE(ParseVerb("Delete").has_value());
}

TEST_CASE("only delete and purge are removals; quota changes are events") {
  for (Verb v : kAll) {
    INFO(VerbName(v));
    CHECK(IsRemoval(v) == (v == Verb::kDelete || v == Verb::kPurge));
    CHECK(IsEvent(v) == (v == Verb::kOverQuota || v == Verb::kUnderQuota));
  }
}

}  // namespace
}  // namespace retention::verb_test
