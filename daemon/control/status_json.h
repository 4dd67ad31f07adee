// The parts of the Status reply that report a run in flight and the
// checkpoints sent off the host, as exact numbers (control_protocol.h
// declares their Varlink types).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "base/clock.h"
#include "core/checkpointer.h"
#include "core/progress.h"

namespace retention {

// An ISO 8601 time, or null when there is none.
nlohmann::json OptionalTimeJson(const std::optional<WallTime>& t);

// done, planned, unit, elapsed_seconds, rate_per_second, eta_seconds; null
// when the policy is not executing.
nlohmann::json ProgressJson(const std::optional<ProgressSnapshot>& p);

// send_failures, last_failure, last_error, last_sent (null when none).
nlohmann::json CheckpointSendsJson(const CheckpointSends& sends);

}  // namespace retention
