// Compressor: archives a rotated log in place (a.log.1 -> a.log.1.zst) and
// reads archives back, doing all I/O through the Filesystem seam so every
// step can be failed on demand in tests. Crash safety (DESIGN.md invariant
// 5): the archive is written under a temp name beside its target, fsynced,
// renamed into place without replacing anything, and the directory fsynced,
// before the original is removed. So at any instant, a crash leaves either
// the original alone (perhaps with a temp file, which the next attempt
// replaces), or the original and a complete archive, or the archive alone.
// No half-written archive ever carries the final name.
//
// Memory stays bounded whatever the file's size: one kCompressChunk of input,
// about as much output, and the codec's state (zstd: 1.4 MB at level 1,
// 3.7 MB at 3, 18 MB at 9, 94 MB at 19; gzip: under 300 KB; decoding a zstd
// archive: its window, at most about 9 MB for the levels above).
//
// Threading: the functions are reentrant and meant for a worker thread; calls
// on different files may run at once. Two calls must not work on the same
// `name` at once (the second would take the first's temp file for a stale
// one). A call holds `dir` for its duration (a Dir belongs to one thread).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "compress/compression.h"
#include "os/filesystem.h"

namespace retention {

// Bytes read from the original per step; `stop` is checked between steps.
inline constexpr size_t kCompressChunk = size_t{1} << 20;

// Appended to the archive's name while it is being written. A file ending in
// it is never a finished archive: whoever finds one may remove it, provided
// no compression of that file is running.
inline constexpr char kCompressTempSuffix[] = ".rtd-tmp";

struct CompressResult {
  uint64_t in_bytes = 0;   // bytes of the original
  uint64_t out_bytes = 0;  // bytes of the archive
};

// OK if `level` is valid for `c`: zstd 1..19, gzip 1..9; kNone takes any.
// kInvalidArgument otherwise, naming the range.
Status CheckCompressionLevel(Compression c, int level);

// Compresses the regular file `name` in `dir` into `name + suffix`
// (CompressionSuffix(c)) and removes `name`. `expected` is the original as
// the caller examined it (StatAt): the file opened must be that inode, and it
// must still be that inode, at the size that was read, just before the
// archive is published; then it is removed only if it still is that inode.
// The archive gets the original's permission bits (less the umask); it is
// owned by the daemon's user and carries the time of compression as mtime.
//
// Preconditions: c is not kNone; writers have let go of `name` (DESIGN.md
// invariant 3: compress only after the writer let go).
//
// On success both figures are set and only the archive remains. Failures
// leave the original untouched and no temp file (unless removing the temp
// failed too; the next attempt replaces it):
//   kInvalidArgument  kNone, a bad level, or a bad name.
//   kBusy             the archive name already exists (nothing is touched:
//                     the archive may be a finished one from before a crash,
//                     which recovery examines), or `name` changed size while
//                     it was read (a writer is still appending).
//   kUnsafe           `name` is not the inode `expected` describes, at the
//                     start or before publishing (nothing is published); or
//                     it was swapped in the instant between publishing and
//                     removal (the archive, complete, is then kept).
//   kAborted          `stop` was set; checked between chunks.
//   kNoSpace, kIoError, kPermissionDenied, kNotFound
//                     from the filesystem (ENOSPC, EIO, ...) at any step,
//                     errno kept; retry later. kNotFound: `name` is gone.
// If the original cannot be removed once the archive is published and
// durable, that error is returned with both files in place: the state a crash
// at that instant leaves, which recovery resolves (DecompressToFile verifies
// an archive end to end).
StatusOr<CompressResult> CompressFile(Filesystem& fs, Dir& dir,
                                      const std::string& name,
                                      const FileInfo& expected, Compression c,
                                      int level, const std::atomic<bool>& stop);

// Decompresses the whole archive `name` in `dir` (kNone: reads it as is)
// into memory, for tests, recovery and the report. Fails kInvalidArgument if
// it would exceed `max_bytes` (nothing beyond that is held), kCorruption if
// it is not a valid, complete archive in format `c` (wrong format, bad
// checksum, truncated, empty), and with the filesystem's error otherwise.
StatusOr<std::string> DecompressToString(Filesystem& fs, Dir& dir,
                                         const std::string& name, Compression c,
                                         size_t max_bytes);

// Streams the archive `name` in `dir`, decompressed, into `out` (appending;
// the caller syncs it), or, with `out` null, only verifies it end to end.
// Returns the number of decompressed bytes. Memory stays bounded whatever the
// archive expands to. Fails as DecompressToString, without a size limit.
StatusOr<uint64_t> DecompressToFile(Filesystem& fs, Dir& dir,
                                    const std::string& name, Compression c,
                                    File* out);

}  // namespace retention
