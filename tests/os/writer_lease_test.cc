// Filesystem::IsOpenForWritingAt on real files with real processes: the
// read lease tells writers from readers whoever runs them, a writable
// shared mapping counts, and where the lease is refused the /proc fallback
// answers only for what it can see. Processes of other users are children
// that switch their ids (the tests run as root, as CI does); a check made
// as another user runs in a child and reports through a pipe.
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>

#include "kinds/logs/log_rotation.h"
#include "os/file_posix.h"
#include "os/log_writer.h"
#include "os/rotation_env.h"

namespace retention::writer_lease_test {
namespace {

using Code = Status::Code;

constexpr uid_t kOwner = 4301;  // owns the log
constexpr uid_t kOther = 4302;  // neither owns it nor is root

// A child that opens `path` with `flags` as `who` and keeps it open until
// the test ends. With `map_and_close`, it maps the file shared and writable
// and closes the descriptor: the mapping alone holds the file.
class Opener {
 public:
  Opener(const std::string& path, int flags, const Creds& who = {},
         bool map_and_close = false) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    child_ = std::make_unique<Child>([&] {
      close(fds[0]);
      Become(who);
      int fd = open(path.c_str(), flags | O_CLOEXEC);
      if (fd < 0) _exit(1);
      if (map_and_close) {
        if (mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
            MAP_FAILED) {
          _exit(2);
        }
        close(fd);
      }
      if (write(fds[1], "R", 1) != 1) _exit(3);
      for (;;) pause();
    });
    close(fds[1]);
    char ready = 0;
    ok_ = read(fds[0], &ready, 1) == 1;
    close(fds[0]);
  }
  bool ok() const { return ok_; }
  pid_t pid() const { return child_->pid(); }
  void Stop() { child_->Kill(SIGKILL); }

 private:
  std::unique_ptr<Child> child_;
  bool ok_ = false;
};

// "true", "false", or the failure's code name.
std::string Answer(const StatusOr<bool>& writing) {
  if (!writing.ok()) return CodeName(writing.status().code());
  return *writing ? "true" : "false";
}

// IsOpenForWritingAt(`dir`, `name`, `expected`) asked by a child running
// as `who`, through a Filesystem of its own.
std::string AskAs(const Creds& who, const std::string& dir,
                  const std::string& name, const FileInfo& expected) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  Child child([&] {
    close(fds[0]);
    Become(who);
    std::unique_ptr<Filesystem> fs = NewPosixFilesystem();
    StatusOr<std::unique_ptr<Dir>> root = fs->OpenRoot(dir);
    const std::string answer =
        root.ok() ? Answer(fs->IsOpenForWritingAt(**root, name, expected))
                  : "open " + root.status().ToString();
    if (write(fds[1], answer.data(), answer.size()) < 0) _exit(4);
  });
  close(fds[1]);
  std::string answer;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    answer.append(buf, n);
  close(fds[0]);
  child.Wait();
  return answer;
}

// A log owned by kOwner, readable and writable by all (so that children of
// any user can open it), in directories all may enter.
struct LeaseEnv {
  RotationEnv env;
  std::string path = env.Log("app.log");
  FileInfo info;

  LeaseEnv() {
    { std::ofstream(path) << "line\n"; }
    REQUIRE(chown(path.c_str(), kOwner, kOwner) == 0);
    REQUIRE(chmod(path.c_str(), 0666) == 0);
    for (const std::string& dir : {env.Base(), env.Log("")}) {
      REQUIRE(chmod(dir.c_str(), 0755) == 0);
    }
    info = env.StatLog("app.log");
  }
  std::string Ask() {
    return Answer(env.fs().IsOpenForWritingAt(env.logs(), "app.log", info));
  }
  std::string AskAs(const Creds& who) {
    return writer_lease_test::AskAs(who, env.Base() + "/logs", "app.log", info);
  }
};

TEST_CASE("a read lease tells a writer from a reader", "[lease]") {
  LeaseEnv e;
  CHECK(e.Ask() == "false");
  SECTION("a writer holds it until it closes") {
    for (int flags : {O_WRONLY, O_WRONLY | O_APPEND, O_RDWR}) {
      INFO("open flags " << flags);
      Opener writer(e.path, flags, As(kOther));
      REQUIRE(writer.ok());
      CHECK(e.Ask() == "true");
      writer.Stop();
      CHECK(e.Ask() == "false");
    }
  }
  SECTION("readers, the caller's own included, do not count") {
    Opener reader(e.path, O_RDONLY, As(kOther));
    REQUIRE(reader.ok());
    std::ifstream own(e.path);
    REQUIRE(own.is_open());
    CHECK(e.Ask() == "false");
  }
  SECTION("a writable shared mapping counts after its descriptor closed") {
    Opener mapper(e.path, O_RDWR, As(kOther), /*map_and_close=*/true);
    REQUIRE(mapper.ok());
    CHECK(e.Ask() == "true");
    // No descriptor is left for /proc/PID/fd to show.
    StatusOr<std::vector<int>> visible = posix::VisibleWriters(e.info);
    REQUIRE(visible.ok());
    CHECK(visible->empty());
  }
}

TEST_CASE("the lease needs CAP_LEASE or the file, not the writer's process",
          "[lease]") {
  LeaseEnv e;
  // The writer is root's: no other user may look into its /proc entries.
  Opener writer(e.path, O_WRONLY | O_APPEND);
  REQUIRE(writer.ok());
  CHECK(e.AskAs(As(kOther, uint64_t{1} << CAP_LEASE)) == "true");
  CHECK(e.AskAs(As(kOwner)) == "true");
  writer.Stop();
  CHECK(e.AskAs(As(kOther, uint64_t{1} << CAP_LEASE)) == "false");
  CHECK(e.AskAs(As(kOwner)) == "false");
}

TEST_CASE("refused a lease, the /proc fallback answers only what it sees",
          "[lease]") {
  LeaseEnv e;
  // kOther without CAP_LEASE: EACCES. Its scan cannot look into root's
  // processes (pid 1 among them), so it never sees every process.
  const Creds refused = As(kOther);
  SECTION("a writer of its own user is seen") {
    Opener writer(e.path, O_WRONLY, As(kOther));
    REQUIRE(writer.ok());
    CHECK(e.AskAs(refused) == "true");
  }
  SECTION("a writer it cannot see, or none: it cannot tell") {
    std::optional<Opener> writer;
    SECTION("root's writer") {
      writer.emplace(e.path, O_WRONLY);
      REQUIRE(writer->ok());
    }
    SECTION("no writer") {}
    CHECK(e.AskAs(refused) == CodeName(Code::kFailedPrecondition));
  }
}

TEST_CASE("a lease answers only for the file it was asked about", "[lease]") {
  LeaseEnv e;
  SECTION("removed") {
    REQUIRE(unlink(e.path.c_str()) == 0);
    CHECK(e.Ask() == CodeName(Code::kNotFound));
  }
  SECTION("replaced by another file") {
    // Created before the old one goes, so it cannot reuse its inode number.
    { std::ofstream(e.path + ".new") << "new\n"; }
    REQUIRE(rename((e.path + ".new").c_str(), e.path.c_str()) == 0);
    CHECK(e.Ask() == CodeName(Code::kAborted));
  }
  SECTION("not a regular file") {
    REQUIRE(unlink(e.path.c_str()) == 0);
    REQUIRE(mkfifo(e.path.c_str(), 0600) == 0);
    CHECK(e.Ask() == CodeName(Code::kUnsafe));
  }
}

TEST_CASE("visible writers are named, readers not", "[lease]") {
  LeaseEnv e;
  Opener writer(e.path, O_WRONLY | O_APPEND, As(kOther));
  Opener reader(e.path, O_RDONLY, As(kOther));
  REQUIRE((writer.ok() && reader.ok()));
  StatusOr<std::vector<int>> pids = posix::VisibleWriters(e.info);
  REQUIRE(pids.ok());
  CHECK(*pids == std::vector<int>{writer.pid()});
}

}  // namespace
}  // namespace retention::writer_lease_test
