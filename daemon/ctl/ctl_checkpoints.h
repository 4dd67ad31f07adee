// retentionctl verify --checkpoints FILE | --journal [--journal-dir DIR]
// [--key FILE]: the ledger checked against signed checkpoints kept off the
// host (core/checkpoint.h), and `retentionctl key`.
//
// Threading: one command at a time per CtlContext.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/checkpoint.h"
#include "core/ledger.h"
#include "core/state_db.h"
#include "ctl/ctl_commands.h"

namespace retention {

StatusOr<Checkpoint> ParseCheckpoint(std::string_view json);
// Checkpoints kept by an operator: one JSON object per line (what
// checkpoint_command receives, appended), blank lines and lines starting
// with '#' skipped; or one JSON array of them. kInvalidArgument naming the
// line of the first one that does not parse.
StatusOr<std::vector<Checkpoint>> ParseCheckpointList(std::string_view text);

// After the chain of `ledger` verified intact with `entries` entries:
// reads the checkpoints (ctx.checkpoints and/or the journal) and the
// public key (ctx.key_file, else state_dir/checkpoint.pub), checks them,
// adds "checkpoints" to *json and a paragraph to *text. kExitOk when every
// checkpoint holds, kExitFailure when one does not; kExitNoInput, printing
// why on ctx.err, when the checkpoints or the key cannot be read.
int CheckCheckpoints(CtlContext& ctx, StateDb& db, Ledger& ledger,
                     int64_t entries, nlohmann::json* json, std::string* text);

}  // namespace retention
