// Compression: which format a rotated log is archived in. Only the enum and
// the file-name suffix live here, so that configuration (logs_rule.h) and the
// compressor (compressor.h) share one definition without depending on each
// other. Pure values and functions; thread-safe.
#pragma once

namespace retention {

enum class Compression { kNone, kZstd, kGzip };

// The suffix an archive in format `c` gets: "" (kNone), ".zst", ".gz".
const char* CompressionSuffix(Compression c);
// The configuration word: "none", "zstd", "gzip".
const char* CompressionName(Compression c);
// The level used when compress_level is not set: zstd 3, gzip 6 (the
// command-line tools' defaults), none 0.
int DefaultCompressLevel(Compression c);

}  // namespace retention
