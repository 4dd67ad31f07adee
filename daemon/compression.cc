#include "compression.h"

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

}  // namespace retention
