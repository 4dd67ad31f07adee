// Filesystem::StatEach against StatAt, on the real filesystem (which splits
// a long list over two threads) and on the fake (one StatAt per name).
#include <catch2/catch.hpp>

#include "os/filesystem_envs.h"

namespace retention::stat_each_test {
namespace {

using Code = Status::Code;

TEMPLATE_TEST_CASE("stat of many names equals a stat of each, in order",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  std::vector<std::string> names;
  // Above the size the POSIX filesystem splits, with odd cases at both ends
  // and in the middle, so each half meets some.
  for (int i = 0; i < 600; ++i) {
    const std::string name = "f" + std::to_string(i);
    env.File("root/" + name, std::string(static_cast<size_t>(i % 7), 'x'));
    names.push_back(name);
  }
  env.Dir("root/d");
  env.Symlink("root/l", "f1");
  names.insert(names.begin(), "gone");
  names.insert(names.begin() + 300, "d");
  names.insert(names.begin() + 301, "a/b");
  names.push_back("l");
  names.push_back("..");
  auto root = OpenRootOf(env, "root");

  std::vector<StatusOr<FileInfo>> each = env.fs().StatEach(*root, names);
  REQUIRE(each.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    INFO("name: " << names[i]);
    StatusOr<FileInfo> one = env.fs().StatAt(*root, names[i]);
    REQUIRE(each[i].ok() == one.ok());
    if (!one.ok()) {
      CHECK(each[i].status().code() == one.status().code());
      continue;
    }
    CHECK(each[i]->SameIdentity(*one));
    CHECK(each[i]->type == one->type);
    CHECK(each[i]->size == one->size);
  }
  CHECK(each.front().status().code() == Code::kNotFound);
  CHECK(each[301].status().code() == Code::kInvalidArgument);
  CHECK(each.back().status().code() == Code::kInvalidArgument);
  CHECK(each[300]->type == FileType::kDirectory);
  CHECK(each[names.size() - 2]->type == FileType::kSymlink);
  CHECK(each[names.size() - 3]->size == 599 % 7);  // f599
}

}  // namespace
}  // namespace retention::stat_each_test
