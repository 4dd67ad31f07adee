// zstd codecs on libzstd's streaming API (ZSTD_compressStream2,
// ZSTD_decompressStream). Single-threaded on purpose: the daemon shares two
// cores with the application it serves.
#include <zstd.h>

#include <memory>

#include "compress/codec.h"

namespace retention {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

Status ZstdError(const char* what, size_t code) {
  return Status::IoError(std::string(what) + ": " + ZSTD_getErrorName(code));
}

class ZstdEncoder final : public Encoder {
 public:
  explicit ZstdEncoder(std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx)
      : cctx_(std::move(cctx)) {}

  Status Update(std::string_view in, std::string* out) override {
    return Compress(in, ZSTD_e_continue, out);
  }
  Status Finish(std::string* out) override {
    return Compress({}, ZSTD_e_end, out);
  }

 private:
  // Calls the library until it has taken all of `data` (ZSTD_e_continue) or
  // has written the whole frame end (ZSTD_e_end, which returns 0 then).
  Status Compress(std::string_view data, ZSTD_EndDirective mode,
                  std::string* out) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    const size_t step = ZSTD_CStreamOutSize();
    for (;;) {
      const size_t start = out->size();
      out->resize(start + step);
      ZSTD_outBuffer buf{out->data() + start, step, 0};
      const size_t left = ZSTD_compressStream2(cctx_.get(), &buf, &in, mode);
      out->resize(start + buf.pos);
      if (ZSTD_isError(left)) return ZstdError("zstd compress", left);
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) {
        return Status::Ok();
      }
    }
  }

  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx_;
};

class ZstdDecoder final : public Decoder {
 public:
  explicit ZstdDecoder(std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx)
      : dctx_(std::move(dctx)), buf_(kDecodePiece, '\0') {}

  Status Update(std::string_view data, const DecodeSink& sink) override {
    // An empty call would start a frame header and look truncated.
    if (data.empty()) return Status::Ok();
    seen_input_ = true;
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{buf_.data(), buf_.size(), 0};
      const size_t hint = ZSTD_decompressStream(dctx_.get(), &out, &in);
      if (ZSTD_isError(hint)) {
        return Status::Corruption(std::string("zstd decompress: ") +
                                  ZSTD_getErrorName(hint));
      }
      if (out.pos > 0) RETENTION_RETURN_IF_ERROR(sink({buf_.data(), out.pos}));
      // 0: a frame ended and is fully flushed. Calling again without input
      // would open the next frame, so stop here if the input is used up.
      frame_open_ = hint != 0;
      if (!frame_open_ && in.pos == in.size) return Status::Ok();
      // A full buffer may mean more output is waiting inside the context.
      if (in.pos == in.size && out.pos < out.size) return Status::Ok();
    }
  }

  Status Finish() override {
    if (!seen_input_) return Status::Corruption("zstd: empty archive");
    if (frame_open_) return Status::Corruption("zstd: truncated archive");
    return Status::Ok();
  }

 private:
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx_;
  std::string buf_;
  bool seen_input_ = false;
  bool frame_open_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<Encoder>> NewZstdEncoder(int level) {
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return Status::IoError("zstd: cannot allocate a context");
  const std::pair<ZSTD_cParameter, int> params[] = {
      {ZSTD_c_compressionLevel, level},
      {ZSTD_c_checksumFlag, 1},  // lets recovery and `zstd -t` verify
      {ZSTD_c_nbWorkers, 0},     // no worker threads
  };
  for (const auto& [param, value] : params) {
    const size_t r = ZSTD_CCtx_setParameter(cctx.get(), param, value);
    if (ZSTD_isError(r)) return ZstdError("zstd parameter", r);
  }
  return std::unique_ptr<Encoder>(
      std::make_unique<ZstdEncoder>(std::move(cctx)));
}

StatusOr<std::unique_ptr<Decoder>> NewZstdDecoder() {
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return Status::IoError("zstd: cannot allocate a context");
  return std::unique_ptr<Decoder>(
      std::make_unique<ZstdDecoder>(std::move(dctx)));
}

}  // namespace retention
