#include "compress/compression.h"

namespace retention {

const char* CompressionSuffix(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "";
    case Compression::kZstd:
      return ".zst";
    case Compression::kGzip:
      return ".gz";
  }
  return "";
}

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kZstd:
      return "zstd";
    case Compression::kGzip:
      return "gzip";
  }
  return "none";
}

int DefaultCompressLevel(Compression c) {
  switch (c) {
    case Compression::kNone:
      return 0;
    case Compression::kZstd:
      return 3;
    case Compression::kGzip:
      return 6;
  }
  return 0;
}

}  // namespace retention
