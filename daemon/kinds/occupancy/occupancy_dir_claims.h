// DirClaims: the directories an occupancy scan counted so far, by user,
// so that a directory listed under two parents (renamed mid-scan) is
// counted once. Thread-safe: sharded, so scanning threads rarely wait for
// each other.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_set>

namespace retention {

// The first thread to claim a directory counts it (and walks it); later
// claims are refused.
class DirClaims {
 public:
  // True the first time for this user, dev and inode.
  bool Claim(uint32_t user, uint64_t dev, uint64_t ino) {
    const Key key{user, dev, ino};
    Shard& shard = shards_[KeyHash()(key) % kShards];
    std::lock_guard<std::mutex> lock(shard.mu);
    return shard.keys.insert(key).second;
  }

 private:
  struct Key {
    uint32_t user;
    uint64_t dev, ino;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<uint64_t>()(k.ino * 0x9E3779B97F4A7C15ULL ^ k.dev ^
                                   (uint64_t(k.user) << 40));
    }
  };
  struct Shard {
    std::mutex mu;
    std::unordered_set<Key, KeyHash> keys;
  };
  static constexpr size_t kShards = 64;
  Shard shards_[kShards];
};

}  // namespace retention
