// gzip codecs on zlib's deflate/inflate with the gzip wrapper (windowBits
// 15 + 16): the header, CRC-32 and length `gzip -d` expects.
#include <zlib.h>

#include <algorithm>
#include <memory>

#include "compress/codec.h"

namespace retention {
namespace {

// zlib counts in uInt; larger inputs are fed in slices of this size.
constexpr size_t kMaxSlice = size_t{1} << 30;
constexpr size_t kOutStep = 128 * 1024;

Bytef* In(std::string_view data) {
  // zlib never writes through next_in; its API only lacks the const.
  return reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
}

std::string ZlibMessage(const z_stream& z, int code) {
  return z.msg != nullptr ? z.msg : "error " + std::to_string(code);
}

class GzipEncoder final : public Encoder {
 public:
  GzipEncoder() = default;
  ~GzipEncoder() override { deflateEnd(&z_); }
  z_stream* stream() { return &z_; }

  Status Update(std::string_view in, std::string* out) override {
    while (!in.empty()) {
      const std::string_view slice = in.substr(0, kMaxSlice);
      RETENTION_RETURN_IF_ERROR(Deflate(slice, Z_NO_FLUSH, out));
      in.remove_prefix(slice.size());
    }
    return Status::Ok();
  }
  Status Finish(std::string* out) override {
    return Deflate({}, Z_FINISH, out);
  }

 private:
  // With output space left over, deflate has taken all its input
  // (Z_NO_FLUSH); Z_FINISH is done when it reports the stream's end.
  Status Deflate(std::string_view data, int flush, std::string* out) {
    z_.next_in = In(data);
    z_.avail_in = static_cast<uInt>(data.size());
    for (;;) {
      const size_t start = out->size();
      out->resize(start + kOutStep);
      z_.next_out = reinterpret_cast<Bytef*>(out->data() + start);
      z_.avail_out = kOutStep;
      const int r = deflate(&z_, flush);
      out->resize(start + kOutStep - z_.avail_out);
      if (r == Z_STREAM_ERROR) {
        return Status::IoError("deflate: " + ZlibMessage(z_, r));
      }
      if (flush == Z_FINISH ? r == Z_STREAM_END : z_.avail_out != 0) {
        return Status::Ok();
      }
    }
  }

  z_stream z_{};
};

class GzipDecoder final : public Decoder {
 public:
  GzipDecoder() : buf_(kDecodePiece, '\0') {}
  ~GzipDecoder() override { inflateEnd(&z_); }
  z_stream* stream() { return &z_; }

  Status Update(std::string_view data, const DecodeSink& sink) override {
    if (!data.empty()) seen_input_ = true;
    while (!data.empty()) {
      const std::string_view slice = data.substr(0, kMaxSlice);
      RETENTION_RETURN_IF_ERROR(Inflate(slice, sink));
      data.remove_prefix(slice.size());
    }
    return Status::Ok();
  }

  Status Finish() override {
    if (!seen_input_) return Status::Corruption("gzip: empty archive");
    if (!member_ended_) return Status::Corruption("gzip: truncated archive");
    return Status::Ok();
  }

 private:
  Status Inflate(std::string_view data, const DecodeSink& sink) {
    z_.next_in = In(data);
    z_.avail_in = static_cast<uInt>(data.size());
    bool out_full = false;
    while (z_.avail_in > 0 || out_full) {
      if (member_ended_) {  // what follows is the next member
        if (z_.avail_in == 0) return Status::Ok();
        inflateReset(&z_);
        member_ended_ = false;
      }
      z_.next_out = reinterpret_cast<Bytef*>(buf_.data());
      z_.avail_out = static_cast<uInt>(buf_.size());
      const int r = inflate(&z_, Z_NO_FLUSH);
      if (r == Z_DATA_ERROR || r == Z_NEED_DICT || r == Z_STREAM_ERROR) {
        return Status::Corruption("gzip: " + ZlibMessage(z_, r));
      }
      if (r == Z_MEM_ERROR) return Status::IoError("gzip: out of memory");
      const size_t produced = buf_.size() - z_.avail_out;
      if (produced > 0)
        RETENTION_RETURN_IF_ERROR(sink({buf_.data(), produced}));
      member_ended_ = r == Z_STREAM_END;
      // Z_BUF_ERROR: no progress possible, so nothing more is waiting.
      out_full = z_.avail_out == 0 && r != Z_BUF_ERROR;
    }
    return Status::Ok();
  }

  z_stream z_{};
  std::string buf_;
  bool seen_input_ = false;
  bool member_ended_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<Encoder>> NewGzipEncoder(int level) {
  auto enc = std::make_unique<GzipEncoder>();
  const int r = deflateInit2(enc->stream(), level, Z_DEFLATED, 15 + 16, 8,
                             Z_DEFAULT_STRATEGY);
  if (r != Z_OK)
    return Status::IoError("deflateInit2: error " + std::to_string(r));
  return std::unique_ptr<Encoder>(std::move(enc));
}

StatusOr<std::unique_ptr<Decoder>> NewGzipDecoder() {
  auto dec = std::make_unique<GzipDecoder>();
  const int r = inflateInit2(dec->stream(), 15 + 16);
  if (r != Z_OK)
    return Status::IoError("inflateInit2: error " + std::to_string(r));
  return std::unique_ptr<Decoder>(std::move(dec));
}

}  // namespace retention
