// StressRoot: a directory for stress trees (a 100k-deep chain, a million
// entries). Tests only.
#pragma once

#include <sys/mount.h>

#include <filesystem>
#include <string>

#include "temp_dir.h"

namespace retention {

// A tmpfs with room for the inodes of a stress tree, mounted over a fresh
// temp directory when the test may mount (root): creating and removing a
// million inodes there takes seconds, not minutes as on a journaled disk
// (and the unmount removes them). Elsewhere the temp directory is used.
class StressRoot {
 public:
  StressRoot() {
    path_ = tmp_.File("root");
    std::filesystem::create_directory(path_);
    mounted_ = ::mount("none", path_.c_str(), "tmpfs", 0,
                       "size=512m,nr_inodes=1200000,mode=0755") == 0;
  }
  ~StressRoot() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  const std::string& path() const { return path_; }
  bool mounted() const { return mounted_; }

 private:
  TempDir tmp_;
  std::string path_;
  bool mounted_ = false;
};

}  // namespace retention
