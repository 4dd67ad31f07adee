// The codec factory and the pass-through codec for Compression::kNone.
#include "compress/codec.h"

namespace retention {
namespace {

class CopyEncoder final : public Encoder {
 public:
  Status Update(std::string_view in, std::string* out) override {
    out->append(in);
    return Status::Ok();
  }
  Status Finish(std::string*) override { return Status::Ok(); }
};

class CopyDecoder final : public Decoder {
 public:
  Status Update(std::string_view in, const DecodeSink& sink) override {
    while (!in.empty()) {
      const std::string_view piece = in.substr(0, kDecodePiece);
      RETENTION_RETURN_IF_ERROR(sink(piece));
      in.remove_prefix(piece.size());
    }
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }
};

}  // namespace

StatusOr<std::unique_ptr<Encoder>> NewEncoder(Compression c, int level) {
  switch (c) {
    case Compression::kNone:
      return std::unique_ptr<Encoder>(std::make_unique<CopyEncoder>());
    case Compression::kZstd:
      return NewZstdEncoder(level);
    case Compression::kGzip:
      return NewGzipEncoder(level);
  }
  return Status::InvalidArgument("unknown compression");
}

StatusOr<std::unique_ptr<Decoder>> NewDecoder(Compression c) {
  switch (c) {
    case Compression::kNone:
      return std::unique_ptr<Decoder>(std::make_unique<CopyDecoder>());
    case Compression::kZstd:
      return NewZstdDecoder();
    case Compression::kGzip:
      return NewGzipDecoder();
  }
  return Status::InvalidArgument("unknown compression");
}

}  // namespace retention
