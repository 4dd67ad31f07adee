// Compressor: the file protocol around the codecs; see compressor.h.
#include "compress/compressor.h"

#include "compress/codec.h"
#include "os/fs_rules.h"

namespace retention {
namespace {

// Best effort: a file that cannot be removed now is a temp file the next
// attempt replaces, or an archive beside its original, which recovery
// resolves; the error that brought us here matters more.
void RemoveQuietly(Filesystem& fs, Dir& dir, const std::string& name) {
  StatusOr<FileInfo> info = fs.StatAt(dir, name);
  if (info.ok()) (void)fs.RemoveAt(dir, name, *info);
}

// Refuses early, before any work, when the archive name is taken; the
// rename that publishes the archive refuses again if it is taken meanwhile.
Status CheckTargetFree(Filesystem& fs, Dir& dir, const std::string& target) {
  StatusOr<FileInfo> info = fs.StatAt(dir, target);
  if (info.ok()) {
    return Status::Busy(JoinPath(dir.path(), target) + ": already exists");
  }
  return info.status().IsNotFound() ? Status::Ok() : info.status();
}

Status NotExpected(Dir& dir, const std::string& name) {
  return Status::Unsafe(JoinPath(dir.path(), name) +
                        ": not the file that was examined (replaced)");
}

// Opens the original and checks, on the handle, that it is `expected`.
StatusOr<std::unique_ptr<File>> OpenOriginal(Filesystem& fs, Dir& dir,
                                             const std::string& name,
                                             const FileInfo& expected,
                                             uint32_t* mode) {
  StatusOr<std::unique_ptr<File>> file = fs.OpenFileAt(dir, name);
  if (!file.ok()) return file.status();
  StatusOr<FileInfo> info = (*file)->Stat();
  if (!info.ok()) return info.status();
  if (!info->SameIdentity(expected)) return NotExpected(dir, name);
  *mode = info->mode & 0666;
  return file;
}

// O_EXCL create; a temp file already there is left by a crash (one call per
// name at a time is a precondition), so it is removed and created afresh.
StatusOr<std::unique_ptr<File>> CreateTemp(Filesystem& fs, Dir& dir,
                                           const std::string& temp,
                                           uint32_t mode) {
  StatusOr<std::unique_ptr<File>> file = fs.CreateFileAt(dir, temp, mode);
  if (!file.status().IsBusy()) return file;
  StatusOr<FileInfo> stale = fs.StatAt(dir, temp);
  if (!stale.ok()) return stale.status();
  RETENTION_RETURN_IF_ERROR(fs.RemoveAt(dir, temp, *stale));
  return fs.CreateFileAt(dir, temp, mode);
}

Status Append(File& out, const std::string& bytes, uint64_t* total) {
  if (bytes.empty()) return Status::Ok();
  RETENTION_RETURN_IF_ERROR(out.Write(bytes));
  *total += bytes.size();
  return Status::Ok();
}

// Streams `in` through the encoder into `out`, one chunk at a time.
StatusOr<CompressResult> Pump(File& in, File& out, Compression c, int level,
                              const std::atomic<bool>& stop) {
  StatusOr<std::unique_ptr<Encoder>> encoder = NewEncoder(c, level);
  if (!encoder.ok()) return encoder.status();
  CompressResult result;
  std::string chunk, packed;
  for (;;) {
    if (stop.load(std::memory_order_relaxed)) {
      return Status::Aborted("compression stopped on request");
    }
    RETENTION_RETURN_IF_ERROR(in.Read(kCompressChunk, &chunk));
    if (chunk.empty()) break;
    result.in_bytes += chunk.size();
    packed.clear();
    RETENTION_RETURN_IF_ERROR((*encoder)->Update(chunk, &packed));
    RETENTION_RETURN_IF_ERROR(Append(out, packed, &result.out_bytes));
  }
  packed.clear();
  RETENTION_RETURN_IF_ERROR((*encoder)->Finish(&packed));
  RETENTION_RETURN_IF_ERROR(Append(out, packed, &result.out_bytes));
  return result;
}

// Just before publishing: the name must still be the inode that was read,
// at the size that was read, or the archive would not stand for it.
Status CheckUnchanged(Filesystem& fs, Dir& dir, const std::string& name,
                      const FileInfo& expected, uint64_t bytes_read) {
  StatusOr<FileInfo> now = fs.StatAt(dir, name);
  if (!now.ok()) return now.status();
  if (!now->SameIdentity(expected)) return NotExpected(dir, name);
  if (now->size != bytes_read) {
    return Status::Busy(JoinPath(dir.path(), name) +
                        ": changed size while it was compressed (" +
                        std::to_string(bytes_read) + " bytes read, " +
                        std::to_string(now->size) + " now)");
  }
  return Status::Ok();
}

// Writes the whole archive under `temp` and makes its bytes durable.
StatusOr<CompressResult> WriteTemp(Filesystem& fs, Dir& dir,
                                   const std::string& name,
                                   const FileInfo& expected,
                                   const std::string& temp, Compression c,
                                   int level, const std::atomic<bool>& stop) {
  uint32_t mode = 0;
  StatusOr<std::unique_ptr<File>> in =
      OpenOriginal(fs, dir, name, expected, &mode);
  if (!in.ok()) return in.status();
  StatusOr<std::unique_ptr<File>> out = CreateTemp(fs, dir, temp, mode);
  if (!out.ok()) return out.status();
  StatusOr<CompressResult> result = Pump(**in, **out, c, level, stop);
  if (!result.ok()) return result;
  RETENTION_RETURN_IF_ERROR((*out)->Sync());
  return result;
}

// Decodes the archive `name` chunk by chunk into `sink`.
Status Decode(Filesystem& fs, Dir& dir, const std::string& name, Compression c,
              const DecodeSink& sink) {
  StatusOr<std::unique_ptr<File>> in = fs.OpenFileAt(dir, name);
  if (!in.ok()) return in.status();
  StatusOr<std::unique_ptr<Decoder>> decoder = NewDecoder(c);
  if (!decoder.ok()) return decoder.status();
  std::string chunk;
  Status st;
  for (;;) {
    st = (*in)->Read(kCompressChunk, &chunk);
    if (!st.ok()) return st;
    if (chunk.empty()) break;
    st = (*decoder)->Update(chunk, sink);
    if (!st.ok()) break;
  }
  if (st.ok()) st = (*decoder)->Finish();
  // Name the file in the codec's complaint; sink errors name their own.
  if (st.code() == Status::Code::kCorruption) {
    return Status::Corruption(JoinPath(dir.path(), name) + ": " + st.message());
  }
  return st;
}

}  // namespace

Status CheckCompressionLevel(Compression c, int level) {
  const auto range = [&](int lo, int hi, const char* what) {
    if (level >= lo && level <= hi) return Status::Ok();
    return Status::InvalidArgument(
        std::string(what) + " level " + std::to_string(level) +
        " out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  };
  switch (c) {
    case Compression::kNone:
      return Status::Ok();
    case Compression::kZstd:
      return range(1, 19, "zstd");
    case Compression::kGzip:
      return range(1, 9, "gzip");
  }
  return Status::InvalidArgument("unknown compression");
}

StatusOr<CompressResult> CompressFile(Filesystem& fs, Dir& dir,
                                      const std::string& name,
                                      const FileInfo& expected, Compression c,
                                      int level,
                                      const std::atomic<bool>& stop) {
  if (c == Compression::kNone) {
    return Status::InvalidArgument("CompressFile: no compression requested");
  }
  RETENTION_RETURN_IF_ERROR(CheckCompressionLevel(c, level));
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  const std::string target = name + CompressionSuffix(c);
  const std::string temp = target + kCompressTempSuffix;
  RETENTION_RETURN_IF_ERROR(CheckTargetFree(fs, dir, target));

  StatusOr<CompressResult> result =
      WriteTemp(fs, dir, name, expected, temp, c, level, stop);
  Status st = result.status();
  if (st.ok()) st = CheckUnchanged(fs, dir, name, expected, result->in_bytes);
  if (st.ok()) st = fs.RenameAt(dir, temp, dir, target);
  if (!st.ok()) {
    // Whatever temp file is there is ours (one call per name at a time),
    // even one a crash left before this call.
    RemoveQuietly(fs, dir, temp);
    return st;
  }
  st = fs.SyncDir(dir);
  if (!st.ok()) {
    // The archive's name may not be durable; with the original still in
    // place, withdrawing the archive leaves the simplest state to retry.
    RemoveQuietly(fs, dir, target);
    return st;
  }
  // No fsync of the directory after the removal: a crash that undoes it
  // leaves the original beside its complete archive, which recovery
  // resolves, and loses nothing.
  st = fs.RemoveAt(dir, name, expected);
  if (!st.ok()) {
    // The original stays, so its archive goes: left beside it, it would
    // block every later attempt ("already exists"). Unless the original
    // was replaced meanwhile: then the archive is its only copy.
    if (st.code() != Status::Code::kUnsafe) RemoveQuietly(fs, dir, target);
    return st;
  }
  return result;
}

StatusOr<std::string> DecompressToString(Filesystem& fs, Dir& dir,
                                         const std::string& name, Compression c,
                                         size_t max_bytes) {
  std::string text;
  Status st = Decode(fs, dir, name, c, [&](std::string_view piece) {
    if (piece.size() > max_bytes - text.size()) {
      return Status::InvalidArgument(JoinPath(dir.path(), name) +
                                     ": decompresses to more than " +
                                     std::to_string(max_bytes) + " bytes");
    }
    text.append(piece);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return text;
}

StatusOr<uint64_t> DecompressToFile(Filesystem& fs, Dir& dir,
                                    const std::string& name, Compression c,
                                    File* out) {
  uint64_t total = 0;
  Status st = Decode(fs, dir, name, c, [&](std::string_view piece) {
    total += piece.size();
    return out != nullptr ? out->Write(piece) : Status::Ok();
  });
  if (!st.ok()) return st;
  return total;
}

}  // namespace retention
