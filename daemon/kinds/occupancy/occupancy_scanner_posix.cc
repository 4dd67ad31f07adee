// The POSIX OccupancyScanner. Work items are directories on a shared LIFO
// stack (depth first, so pending work stays near the size of the largest
// directories on the current path). Each directory is opened beneath its
// parent's handle, which pending children share; when too many handles are
// held the parent's is closed and children reopen it from the nearest
// ancestor still open, checking identities, so open descriptors stay
// bounded whatever the depth. Each thread counts into its own tally.
//
// A directory is counted when it is opened, not when it is listed, and only
// once per user (dev+inode, DirClaims): a directory renamed during the scan
// may be listed twice, under its old and its new parent, or not at all, but
// it is opened under at most one of them and counted once.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "kinds/occupancy/occupancy_dir_claims.h"
#include "kinds/occupancy/occupancy_posix.h"
#include "kinds/occupancy/occupancy_scanner.h"
#include "kinds/occupancy/occupancy_tally.h"
#include "kinds/occupancy/occupancy_users.h"

namespace retention {
namespace {

constexpr int kMaxHeldFds = 256;
constexpr size_t kDirentBuffer = 256 * 1024;

struct Fd {
  explicit Fd(int f, std::atomic<int>* held) : fd(f), held_(held) {}
  ~Fd() {
    ::close(fd);
    if (held_ != nullptr) held_->fetch_sub(1);
  }
  int fd;
  std::atomic<int>* held_;
};

// A directory to scan; the chain of parents names it for messages and for
// reopening. A user's top node has no parent and a path from the root.
struct Node {
  Node() = default;
  Node(std::shared_ptr<Node> p, std::string n, uint32_t u, uint64_t d,
       uint64_t i)
      : parent(std::move(p)), name(std::move(n)), user(u), dev(d), ino(i) {}
  // Releasing the last reference to a deep chain would destroy its
  // parents recursively (100k levels overflow the stack): unlink them one
  // by one instead. A parent someone else still holds is only released.
  ~Node() {
    std::shared_ptr<Node> p = std::move(parent);
    while (p && p.use_count() == 1) {
      std::shared_ptr<Node> next = std::move(p->parent);
      p = std::move(next);
    }
  }
  std::shared_ptr<Node> parent;
  std::string name;
  uint32_t user = 0;
  uint64_t dev = 0, ino = 0;  // unknown (0) for a user's top directory
  // Its own size as listed, counted instead when it cannot be opened.
  uint64_t allocated = 0, apparent = 0;
  std::weak_ptr<Fd> fd;  // its handle while children may use it
};

void CountDir(UserUsage* usage, uint64_t allocated, uint64_t apparent) {
  ++usage->dirs;
  usage->allocated += allocated;
  usage->apparent += apparent;
}

struct Job {
  std::shared_ptr<Node> node;
  std::shared_ptr<Fd> parent_fd;  // null: reopen through the ancestors
};

std::string PathOf(const Node* node) {
  std::vector<const std::string*> names;
  for (; node != nullptr; node = node->parent.get())
    names.push_back(&node->name);
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += **it;
  }
  return EscapeName(path);
}

bool SameIdentity(int fd, const Node& node) {
  struct statx stx;
  return StatxFd(fd, &stx) == 0 && stx.stx_ino == node.ino &&
         StatxDev(stx) == node.dev;
}

class Walk {
 public:
  Walk(int root_fd, size_t users, const ScanHook& on_open,
       const ScanProgress& on_progress)
      : root_fd_(root_fd),
        users_(users),
        on_open_(on_open),
        on_progress_(on_progress),
        pending_(users, 0) {}

  std::vector<OccupancyTally> Run(std::vector<Job> jobs, int threads) {
    stack_ = std::move(jobs);
    for (const Job& j : stack_) ++pending_[j.node->user];
    if (on_progress_) on_progress_(0, users_);
    std::vector<OccupancyTally> tallies(threads, OccupancyTally(users_));
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
      workers.emplace_back([this, &tallies, i] { Work(&tallies[i]); });
    }
    for (std::thread& t : workers) t.join();
    return tallies;
  }

 private:
  void Work(OccupancyTally* tally) {
    std::vector<char> buffer(kDirentBuffer);
    Job job;
    while (Pop(&job)) {
      std::vector<Job> children;
      ScanDir(job, tally, &buffer, &children);
      const uint32_t user = job.node->user;
      job = Job();
      Done(user, &children);
    }
  }

  bool Pop(Job* job) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !stack_.empty() || active_ == 0; });
    if (stack_.empty()) return false;
    *job = std::move(stack_.back());
    stack_.pop_back();
    ++active_;
    return true;
  }

  // A directory of `user` was scanned, listing `children`.
  void Done(uint32_t user, std::vector<Job>* children) {
    std::lock_guard<std::mutex> lock(mu_);
    for (Job& c : *children) {
      ++pending_[c.node->user];
      stack_.push_back(std::move(c));
    }
    if (--pending_[user] == 0 && on_progress_) on_progress_(++done_, users_);
    --active_;
    if (!children->empty() || active_ == 0) cv_.notify_all();
  }

  int Open(const Job& job);
  int Reopen(const Node& node);
  void ScanDir(const Job& job, OccupancyTally* t, std::vector<char>* buffer,
               std::vector<Job>* children);
  void Entry(int fd, const std::shared_ptr<Node>& dir, const char* name,
             OccupancyTally* t, std::vector<std::shared_ptr<Node>>* subdirs);
  void ShareHandle(int fd, const std::shared_ptr<Node>& dir,
                   std::vector<std::shared_ptr<Node>>* subdirs,
                   std::vector<Job>* children);

  bool Claim(const Node& dir, uint64_t dev, uint64_t ino, UserUsage* usage,
             uint64_t allocated, uint64_t apparent);

  const int root_fd_;
  const size_t users_;
  const ScanHook& on_open_;
  const ScanProgress& on_progress_;
  // Per user, its directories listed and not yet scanned (under mu_), and
  // how many users have none left.
  std::vector<uint64_t> pending_;
  uint64_t done_ = 0;
  DirClaims claims_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Job> stack_;
  int active_ = 0;
  std::atomic<int> held_{0};
};

int Walk::Open(const Job& job) {
  const Node& node = *job.node;
  if (node.parent == nullptr) return OpenDirPath(root_fd_, node.name);
  if (job.parent_fd != nullptr)
    return OpenDirAt(job.parent_fd->fd, node.name.c_str());
  return Reopen(node);
}

// Opens `node` from its nearest ancestor whose handle is still open (or the
// root), checking each reopened directory is the one scanned before.
int Walk::Reopen(const Node& node) {
  std::vector<const Node*> chain = {&node};
  std::shared_ptr<Fd> base;
  for (const Node* n = node.parent.get(); n != nullptr; n = n->parent.get()) {
    if ((base = n->fd.lock()) != nullptr) break;
    chain.push_back(n);
  }
  int fd = base != nullptr ? ::dup(base->fd) : ::dup(root_fd_);
  if (fd < 0) return -errno;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Node& n = **it;
    const int next = n.parent == nullptr ? OpenDirPath(fd, n.name)
                                         : OpenDirAt(fd, n.name.c_str());
    ::close(fd);
    if (next < 0) return next;
    fd = next;
    if (&n != &node && !SameIdentity(fd, n)) {
      ::close(fd);
      return -ESTALE;
    }
  }
  return fd;
}

// Counts `dir` for its user unless it was counted already; false then.
bool Walk::Claim(const Node& dir, uint64_t dev, uint64_t ino, UserUsage* usage,
                 uint64_t allocated, uint64_t apparent) {
  if (!claims_.Claim(dir.user, dev, ino)) return false;
  CountDir(usage, allocated, apparent);
  return true;
}

void Walk::ScanDir(const Job& job, OccupancyTally* t, std::vector<char>* buffer,
                   std::vector<Job>* children) {
  const std::shared_ptr<Node>& dir = job.node;
  UserUsage& usage = t->usage[dir->user];
  const bool top = dir->parent == nullptr;
  const int fd = Open(job);
  if (fd < 0) {
    if (fd == -ENOENT) return;  // vanished (or moved) since it was listed
    ++usage.errors;
    // Unreadable, but there: its size as listed still counts, as du's does.
    if (!top)
      Claim(*dir, dir->dev, dir->ino, &usage, dir->allocated, dir->apparent);
    return t->Warn(PathOf(dir.get()) + ": " + strerror(-fd));
  }
  struct statx self;
  if (StatxFd(fd, &self) != 0 ||
      (!top && (self.stx_ino != dir->ino || StatxDev(self) != dir->dev))) {
    ::close(fd);
    ++usage.errors;
    // What was listed counts, as when it cannot be opened; if it moved and
    // is opened elsewhere, the claim keeps it from counting twice.
    if (!top)
      Claim(*dir, dir->dev, dir->ino, &usage, dir->allocated, dir->apparent);
    return t->Warn(PathOf(dir.get()) + ": replaced during the scan; skipped");
  }
  // Already counted: it moved during the scan and was reached twice.
  if (!Claim(*dir, StatxDev(self), self.stx_ino, &usage, self.stx_blocks * 512,
             self.stx_size)) {
    ::close(fd);
    return;
  }
  if (top) {
    dir->dev = StatxDev(self);
    dir->ino = self.stx_ino;
  }
  if (on_open_) on_open_(PathOf(dir.get()));
  std::vector<std::shared_ptr<Node>> subdirs;
  const int rc = ForEachEntry(fd, buffer, [&](const char* name, unsigned char) {
    Entry(fd, dir, name, t, &subdirs);
  });
  if (rc < 0) {
    ++usage.errors;
    t->Warn(PathOf(dir.get()) + ": " + strerror(-rc));
  }
  ShareHandle(fd, dir, &subdirs, children);
}

void Walk::Entry(int fd, const std::shared_ptr<Node>& dir, const char* name,
                 OccupancyTally* t,
                 std::vector<std::shared_ptr<Node>>* subdirs) {
  UserUsage& usage = t->usage[dir->user];
  struct statx stx;
  const int rc = StatxNoFollow(fd, name, &stx);
  if (rc == -ENOENT) return;  // vanished since it was listed
  if (rc != 0) {
    ++usage.errors;
    return t->Warn(PathOf(dir.get()) + "/" + EscapeName(name) + ": " +
                   strerror(-rc));
  }
  ++t->entries;
  const uint64_t allocated = stx.stx_blocks * 512;
  if (S_ISDIR(stx.stx_mode)) {
    const bool mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                            (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    if (mount_root || StatxDev(stx) != dir->dev) {
      t->mounts.push_back(PathOf(dir.get()) + "/" + EscapeName(name));
      return;
    }
    // Counted when opened (ScanDir), so that it is counted once.
    auto node = std::make_shared<Node>(dir, name, dir->user, StatxDev(stx),
                                       stx.stx_ino);
    node->allocated = allocated;
    node->apparent = stx.stx_size;
    subdirs->push_back(std::move(node));
  } else if (stx.stx_nlink > 1) {
    t->links.push_back(
        {StatxDev(stx), stx.stx_ino, dir->user, allocated, stx.stx_size});
  } else {
    ++usage.files;
    usage.allocated += allocated;
    usage.apparent += stx.stx_size;
  }
}

// Children share the directory's handle while few are held; past that the
// handle is closed and they reopen it from an ancestor.
void Walk::ShareHandle(int fd, const std::shared_ptr<Node>& dir,
                       std::vector<std::shared_ptr<Node>>* subdirs,
                       std::vector<Job>* children) {
  std::shared_ptr<Fd> shared;
  if (!subdirs->empty() && held_.fetch_add(1) < kMaxHeldFds) {
    shared = std::make_shared<Fd>(fd, &held_);
    dir->fd = shared;
  } else {
    if (!subdirs->empty()) held_.fetch_sub(1);
    ::close(fd);
  }
  // Reversed so the stack pops them in name order.
  for (auto it = subdirs->rbegin(); it != subdirs->rend(); ++it) {
    children->push_back({std::move(*it), shared});
  }
}

class PosixOccupancyScanner final : public OccupancyScanner {
 public:
  StatusOr<OccupancyScan> Scan(const ScanRequest& request) override;
};

StatusOr<OccupancyScan> PosixOccupancyScanner::Scan(
    const ScanRequest& request) {
  const int root_fd =
      ::open(request.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return Status::FromErrno(errno, request.root);
  std::vector<std::string> warnings;
  std::vector<UserDir> dirs = FindUserDirs(root_fd, request.layout, &warnings);
  std::vector<std::string> ids;
  for (const UserDir& d : dirs) ids.push_back(d.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Job> jobs;
  for (const UserDir& d : dirs) {
    const auto index =
        std::lower_bound(ids.begin(), ids.end(), d.id) - ids.begin();
    auto node = std::make_shared<Node>(nullptr, d.path, uint32_t(index), 0, 0);
    jobs.push_back({std::move(node), nullptr});
  }
  std::reverse(jobs.begin(), jobs.end());
  Walk walk(root_fd, ids.size(), request.on_open, request.on_progress);
  std::vector<OccupancyTally> tallies =
      walk.Run(std::move(jobs), std::max(1, request.threads));
  ::close(root_fd);
  for (std::string& w : warnings) tallies.front().Warn(std::move(w));
  return MergeTallies(ids, tallies);
}

}  // namespace

std::unique_ptr<OccupancyScanner> NewPosixOccupancyScanner() {
  return std::make_unique<PosixOccupancyScanner>();
}

}  // namespace retention
