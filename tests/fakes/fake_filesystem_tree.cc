// FakeFilesystem's inode table, path walking, and the test helpers that
// build and tamper with the tree. See fake_filesystem.h.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <deque>

#include "fakes/fake_filesystem.h"

namespace retention {
namespace {

std::deque<std::string> Split(const std::string& path) {
  std::deque<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// A helper misused by a test is a bug in the test: stop loudly.
[[noreturn]] void Die(const std::string& what, const std::string& path) {
  std::fprintf(stderr, "FakeFilesystem: %s: %s\n", what.c_str(), path.c_str());
  std::abort();
}

std::pair<std::string, std::string> SplitLast(const std::string& path) {
  size_t slash = path.rfind('/');
  if (path.empty() || path[0] != '/' || slash + 1 == path.size()) {
    Die("not an absolute path to a name", path);
  }
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace

FakeFilesystem::FakeFilesystem(FakeClock& clock) : clock_(clock) {
  uint64_t root = NewNode(FileType::kDirectory, 0);
  At(root).parent = root;  // "/.." is "/"
}

FakeFilesystem::~FakeFilesystem() = default;

FakeFilesystem::Node& FakeFilesystem::At(uint64_t ino) {
  return nodes_.at(ino);
}

const FakeFilesystem::Node& FakeFilesystem::At(uint64_t ino) const {
  return nodes_.at(ino);
}

uint64_t FakeFilesystem::NewNode(FileType type, uint64_t parent) {
  Node& n = nodes_[next_ino_];
  n.type = type;
  n.ino = next_ino_;
  n.dev = parent == 0 ? next_dev_++ : At(parent).dev;
  n.mode = type == FileType::kDirectory ? 0755 : 0644;
  n.size = type == FileType::kDirectory ? 4096 : 0;
  n.mtime = n.ctime = n.atime = clock_.Now();
  return next_ino_++;
}

uint64_t FakeFilesystem::Walk(const std::string& path, bool follow_parents,
                              int* err) const {
  std::deque<std::string> todo = Split(path);
  auto fail = [err](int e) {
    *err = e;
    return uint64_t{0};
  };
  uint64_t cur = kRootIno;
  int hops = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (At(cur).type != FileType::kDirectory) return fail(ENOTDIR);
    if (name == ".") continue;
    if (name == "..") {
      cur = At(cur).parent;
      continue;
    }
    uint64_t next = Child(cur, name);
    if (next == 0) return fail(ENOENT);
    const Node& n = At(next);
    if (follow_parents && !todo.empty() && n.type == FileType::kSymlink) {
      if (++hops > 40) return fail(ELOOP);
      std::deque<std::string> link = Split(n.target);
      todo.insert(todo.begin(), link.begin(), link.end());
      // A relative target resolves from the link's own directory (cur).
      if (!n.target.empty() && n.target[0] == '/') cur = kRootIno;
      continue;
    }
    cur = next;
  }
  return cur;
}

uint64_t FakeFilesystem::MustFind(const std::string& path) const {
  int err = 0;
  uint64_t ino = Walk(path, false, &err);
  if (ino == 0) Die("no such path", path);
  return ino;
}

uint64_t FakeFilesystem::Child(uint64_t dir, const std::string& name) const {
  const auto& children = At(dir).children;
  auto it = children.find(name);
  return it == children.end() ? 0 : it->second;
}

void FakeFilesystem::Link(uint64_t dir, const std::string& name, uint64_t ino) {
  At(dir).children[name] = ino;
  if (At(ino).type == FileType::kDirectory) At(ino).parent = dir;
  Touch(dir);
}

void FakeFilesystem::Unlink(uint64_t dir, const std::string& name) {
  uint64_t ino = Child(dir, name);
  At(dir).children.erase(name);
  Detach(ino);
  Touch(dir);
}

void FakeFilesystem::Detach(uint64_t ino) {
  Node& n = At(ino);
  for (const auto& [name, child] : n.children) Detach(child);
  n.children.clear();
  n.unlinked = true;
}

// A directory's mtime and ctime move whenever its entries change.
void FakeFilesystem::Touch(uint64_t ino) {
  At(ino).mtime = At(ino).ctime = clock_.Now();
}

FileInfo FakeFilesystem::Info(uint64_t ino) const {
  const Node& n = At(ino);
  FileInfo info;
  info.type = n.type;
  info.dev = n.dev;
  info.ino = n.ino;
  info.mode = n.mode;
  info.nlink = n.unlinked ? 0 : n.type == FileType::kDirectory ? 2 : 1;
  info.size = n.size;
  info.blocks = (n.size + 511) / 512;
  info.mtime = n.mtime;
  info.ctime = n.ctime;
  info.atime = n.atime;
  info.mount_root = n.mount_root;
  return info;
}

int FakeFilesystem::TakeFailure(FsOp op) {
  auto it = failures_.find(op);
  if (it == failures_.end() || it->second.empty()) return 0;
  int err = it->second.front();
  it->second.erase(it->second.begin());
  return err;
}

uint64_t FakeFilesystem::AddEntry(const std::string& path, FileType type) {
  auto [parent_path, name] = SplitLast(path);
  uint64_t parent = kRootIno;
  for (const std::string& part : Split(parent_path)) {
    uint64_t next = Child(parent, part);
    if (next == 0) {
      next = NewNode(FileType::kDirectory, parent);
      Link(parent, part, next);
    }
    if (At(next).type != FileType::kDirectory) Die("not a directory", path);
    parent = next;
  }
  uint64_t old = Child(parent, name);
  if (old != 0 && type == FileType::kDirectory &&
      At(old).type == FileType::kDirectory) {
    return old;
  }
  if (old != 0) Unlink(parent, name);
  uint64_t ino = NewNode(type, parent);
  Link(parent, name, ino);
  return ino;
}

void FakeFilesystem::AddDir(const std::string& path) {
  std::lock_guard lock(mutex_);
  if (path != "/") AddEntry(path, FileType::kDirectory);
}

void FakeFilesystem::AddFile(const std::string& path, uint64_t size,
                             WallTime mtime) {
  std::lock_guard lock(mutex_);
  Node& n = At(AddEntry(path, FileType::kRegular));
  n.size = size;
  n.mtime = mtime;
}

void FakeFilesystem::AddFileWithContents(const std::string& path,
                                         const std::string& bytes,
                                         WallTime mtime) {
  std::lock_guard lock(mutex_);
  Node& n = At(AddEntry(path, FileType::kRegular));
  n.bytes = bytes;
  n.size = bytes.size();
  n.mtime = mtime;
}

void FakeFilesystem::AddSymlink(const std::string& path,
                                const std::string& target) {
  std::lock_guard lock(mutex_);
  Node& n = At(AddEntry(path, FileType::kSymlink));
  n.target = target;
  n.size = target.size();
  n.mode = 0777;
}

void FakeFilesystem::AddSpecial(const std::string& path) {
  std::lock_guard lock(mutex_);
  AddEntry(path, FileType::kOther);
}

void FakeFilesystem::MarkMount(const std::string& path) {
  std::lock_guard lock(mutex_);
  uint64_t ino = MustFind(path);
  if (At(ino).type != FileType::kDirectory)
    Die("mount on a non-directory", path);
  const uint64_t dev = next_dev_++;
  std::vector<uint64_t> todo = {ino};
  while (!todo.empty()) {
    Node& n = At(todo.back());
    todo.pop_back();
    n.dev = dev;
    for (const auto& [name, child] : n.children) todo.push_back(child);
  }
  At(ino).mount_root = true;
}

void FakeFilesystem::SetLocked(const std::string& path, bool locked) {
  std::lock_guard lock(mutex_);
  At(MustFind(path)).locked = locked;
}

void FakeFilesystem::SetWriting(const std::string& path, bool writing) {
  std::lock_guard lock(mutex_);
  At(MustFind(path)).writing = writing;
}

void FakeFilesystem::SetMtime(const std::string& path, WallTime t) {
  std::lock_guard lock(mutex_);
  At(MustFind(path)).mtime = t;
}

void FakeFilesystem::CutHead(const std::string& path, uint64_t n) {
  std::lock_guard lock(mutex_);
  Node& node = At(MustFind(path));
  if (node.type != FileType::kRegular) Die("not a regular file", path);
  n = std::min(n, node.size);
  node.bytes.erase(0, std::min<uint64_t>(n, node.bytes.size()));
  node.size -= n;
  node.mtime = node.ctime = clock_.Now();
}

void FakeFilesystem::Replace(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto [parent_path, name] = SplitLast(path);
  uint64_t parent = MustFind(parent_path);
  uint64_t old = MustFind(path);
  uint64_t fresh = NewNode(At(old).type, parent);
  Node copy = At(old);
  copy.ino = fresh;
  copy.ctime = clock_.Now();
  At(fresh) = std::move(copy);
  At(old).children.clear();
  At(old).unlinked = true;
  for (const auto& [child_name, child] : At(fresh).children) {
    if (At(child).type == FileType::kDirectory) At(child).parent = fresh;
  }
  Link(parent, name, fresh);
}

void FakeFilesystem::Erase(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto [parent_path, name] = SplitLast(path);
  MustFind(path);  // for its check: erasing a missing path is a test bug
  Unlink(MustFind(parent_path), name);
}

void FakeFilesystem::FailNext(FsOp op, int err) {
  std::lock_guard lock(mutex_);
  failures_[op].push_back(err);
}

void FakeFilesystem::SetSpace(DiskSpace space) {
  std::lock_guard lock(mutex_);
  space_ = space;
}

bool FakeFilesystem::Exists(const std::string& path) const {
  std::lock_guard lock(mutex_);
  int err = 0;
  return Walk(path, false, &err) != 0;
}

StatusOr<FileInfo> FakeFilesystem::StatPath(const std::string& path) const {
  std::lock_guard lock(mutex_);
  int err = 0;
  uint64_t ino = Walk(path, false, &err);
  if (ino == 0) return Status::FromErrno(err, "lstat " + path);
  return Info(ino);
}

std::string FakeFilesystem::FileContents(const std::string& path) const {
  std::lock_guard lock(mutex_);
  int err = 0;
  uint64_t ino = Walk(path, false, &err);
  if (ino == 0 || At(ino).type != FileType::kRegular) return "";
  std::string bytes = At(ino).bytes;
  bytes.resize(At(ino).size, '\0');
  return bytes;
}

std::vector<std::string> FakeFilesystem::removed() const {
  std::lock_guard lock(mutex_);
  return removed_;
}

}  // namespace retention
