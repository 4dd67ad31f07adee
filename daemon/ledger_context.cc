#include "ledger_context.h"

#include <spdlog/spdlog.h>

namespace retention {

Status LedgerContext::Record(const std::string& policy, const Action& action) {
  LedgerEntry e;
  e.time = clock_.Now();
  e.policy = policy;
  e.action = action.verb;
  e.target = action.target;
  e.count = static_cast<int64_t>(action.count);
  e.bytes = static_cast<int64_t>(action.bytes);
  e.detail = action.reason;
  Status st = ledger_.Append(std::move(e)).status();
  if (st.ok()) {
    spdlog::info("{}: {} {} ({})", policy, action.verb, action.target,
                 action.reason);
  }
  return st;
}

}  // namespace retention
