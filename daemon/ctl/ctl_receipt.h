// retentionctl receipt ACCOUNT: the signed erasure receipt of a purged
// account (kinds/accounts/accounts_receipt.h), built from the state
// directory read-only, like `verify`: the ledger's purge entry and the
// account's purge record, signed with state_dir/checkpoint.key. It never
// asks the daemon, so it works on a copy of the state directory
// (--state-dir) that holds the private key; without the configuration the
// backups date is left out.
//
// Threading: one command at a time per CtlContext.
#pragma once

#include "ctl/ctl_commands.h"

namespace retention {

// Prints the receipt: a few lines, or with --json the signed document
// (with "sig" and the key's fingerprint in "key"). Exit: 0; 64 without
// exactly one ACCOUNT; 66 for an account the ledger holds no purge of, or
// when the private key cannot be read; 1 when the ledger does not verify
// or cannot be read.
int ReceiptFromStateDir(CtlContext& ctx);

}  // namespace retention
