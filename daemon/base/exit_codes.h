// Exit codes and default paths shared by retentiond and retentionctl. Exit
// codes follow sysexits(3).
#pragma once

namespace retention {

inline constexpr int kExitOk = 0;
// A command failed or could not do what was asked (retentionctl: an error
// reply, a broken ledger on verify, confirm-clock with no brake engaged, a
// promise broken now on audit).
inline constexpr int kExitFailure = 1;
// retentionctl: a command that needs the daemon found nothing serving its
// control socket (like systemctl's "inactive").
inline constexpr int kExitNotRunning = 3;
inline constexpr int kExitUsage = 64;     // EX_USAGE
// EX_NOINPUT: retentionctl cannot read a file it was given (checkpoints,
// a key).
inline constexpr int kExitNoInput = 66;
// EX_TEMPFAIL: a brake held a run; audit could not check a policy (and
// found none broken).
inline constexpr int kExitTempFail = 75;
// EX_NOPERM: retentionctl may not connect, or the daemon refused the call.
inline constexpr int kExitNoPermission = 77;
inline constexpr int kExitConfig = 78;  // EX_CONFIG

inline constexpr char kDefaultConfigPath[] = "/etc/retentiond/retentiond.conf";
// retentionctl's socket when neither --socket nor a readable configuration
// names one; the same as [daemon] control_socket's default.
inline constexpr char kDefaultControlSocket[] = "/run/retentiond/control.sock";

}  // namespace retention
