#include "control/status_json.h"

namespace retention {

using nlohmann::json;

json OptionalTimeJson(const std::optional<WallTime>& t) {
  return t ? json(FormatIso8601(*t)) : json(nullptr);
}

json ProgressJson(const std::optional<ProgressSnapshot>& p) {
  if (!p) return nullptr;
  const auto seconds = [](Duration d) {
    return std::chrono::duration<double>(d).count();
  };
  return {{"done", p->done},
          {"planned", p->planned},
          {"unit", p->unit},
          {"elapsed_seconds", seconds(p->elapsed)},
          {"rate_per_second", p->rate ? json(*p->rate) : json(nullptr)},
          {"eta_seconds", p->eta ? json(seconds(*p->eta)) : json(nullptr)}};
}

json CheckpointSendsJson(const CheckpointSends& sends) {
  return {{"send_failures", sends.failures},
          {"last_failure", OptionalTimeJson(sends.last_failure)},
          {"last_error",
           sends.last_error.empty() ? json(nullptr) : json(sends.last_error)},
          {"last_sent", OptionalTimeJson(sends.last_sent)}};
}

}  // namespace retention
