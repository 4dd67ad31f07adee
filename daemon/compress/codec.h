// Streaming codecs behind the compressor: an Encoder turns a byte stream
// into one zstd frame or one gzip member, chunk by chunk; a Decoder turns
// archives back into bytes. Both keep memory bounded whatever the stream's
// length: an Encoder's output per call is at most about its input, and a
// Decoder hands its output to a sink in pieces of at most kDecodePiece bytes,
// so a small archive that expands enormously never sits in memory at once.
// The codecs do no I/O; compressor.cc moves the bytes through the
// Filesystem seam.
//
// Threading: an Encoder or Decoder belongs to one thread at a time; separate
// instances share nothing and may run on different threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "compress/compression.h"

namespace retention {

// The most bytes a Decoder hands its sink in one call.
inline constexpr size_t kDecodePiece = 128 * 1024;

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Compresses `in`, appending whatever output is ready to `*out` (possibly
  // nothing). Fails kIoError if the library does; the Encoder is then
  // unusable.
  virtual Status Update(std::string_view in, std::string* out) = 0;
  // Ends the stream: appends the rest of the output and the frame's end
  // (zstd checksum, gzip CRC and length). Call once, after the last Update.
  virtual Status Finish(std::string* out) = 0;
};

// Receives decoded bytes; an error stops decoding and is returned as is.
using DecodeSink = std::function<Status(std::string_view)>;

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decodes `in`, a piece of the archive, passing the bytes to `sink`.
  // Several zstd frames or gzip members in a row decode as their
  // concatenation, as the command-line tools do. Fails kCorruption on data
  // that is not a valid stream or fails its checksum.
  virtual Status Update(std::string_view in, const DecodeSink& sink) = 0;
  // Call after the last Update: kCorruption if the archive is empty or ends
  // inside a frame (truncated), OK otherwise.
  virtual Status Finish() = 0;
};

// Precondition for both: the level is valid for `c` (CheckCompressionLevel
// in compressor.h). kNone gives a codec that copies bytes unchanged, so
// callers need no special case for uncompressed files. zstd runs
// single-threaded and writes a content checksum into each frame.
StatusOr<std::unique_ptr<Encoder>> NewEncoder(Compression c, int level);
StatusOr<std::unique_ptr<Decoder>> NewDecoder(Compression c);

// The implementations, one per library (codec_zstd.cc, codec_gzip.cc).
StatusOr<std::unique_ptr<Encoder>> NewZstdEncoder(int level);
StatusOr<std::unique_ptr<Decoder>> NewZstdDecoder();
StatusOr<std::unique_ptr<Encoder>> NewGzipEncoder(int level);
StatusOr<std::unique_ptr<Decoder>> NewGzipDecoder();

}  // namespace retention
