// libFuzzer target for the control socket's untrusted input: bytes go
// through a MessageFramer in chunks the fuzzer chooses, every message is
// parsed, and parsed calls reach the org.varlink.service dispatcher. Built
// only with Clang (-DRETENTION_FUZZ=ON); see CMakeLists.txt.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "control/varlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using retention::MessageFramer;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // A small limit so the fuzzer reaches the oversized-message path too.
  MessageFramer framer(size > 0 ? 1 + data[0] * 16 : 1);
  // The first byte also picks the chunk size: split reads must not matter.
  size_t chunk = size > 0 ? 1 + data[0] % 7 : 1;
  for (size_t at = 0; at < input.size(); at += chunk) {
    framer.Append(input.substr(at, chunk));
    while (auto message = framer.Next()) {
      auto request = retention::ParseRequest(*message);
      if (request.ok()) {
        (void)retention::DispatchServiceInterface(*request, "0");
        (void)retention::StringParam(*request, "name", false);
        (void)retention::BoolParam(*request, "dry_run", false);
      }
    }
  }
  // The whole input as one message, without framing.
  (void)retention::ParseRequest(input);
  return 0;
}
