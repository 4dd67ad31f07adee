#include "core/lateness.h"

#include <algorithm>

#include "config/config_value.h"

namespace retention {
namespace {

constexpr char kLateness[] = "; lateness ";

}  // namespace

std::string LatenessSuffix(Duration late) {
  const auto secs = std::chrono::round<std::chrono::seconds>(
      std::max(late, Duration::zero()));
  return kLateness + FormatDuration(secs);
}

std::optional<Duration> LatenessOf(const std::string& reason) {
  const size_t at = reason.rfind(kLateness);
  if (at == std::string::npos) return std::nullopt;
  StatusOr<Duration> late =
      ParseDuration(std::string_view(reason).substr(at + sizeof(kLateness) - 1));
  if (!late.ok()) return std::nullopt;
  return *late;
}

}  // namespace retention
