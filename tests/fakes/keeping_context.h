// KeepingContext: an ExecContext that keeps what it was asked to record
// (no intents: ids are 0), for tests that check a policy's ledger entries.
// Single-threaded test use only.
#pragma once

#include <string>
#include <vector>

#include "core/policy.h"

namespace retention {

class KeepingContext final : public ExecContext {
 public:
  Status Record(const std::string&, const Action& action) override {
    recorded.push_back(action);
    return Status::Ok();
  }
  bool stopping() const override { return false; }
  std::vector<Action> recorded;
};

}  // namespace retention
