// LedgerContext: the ExecContext runs use — each performed action becomes
// a ledger entry (and an info log line), and `stopping` reads the stop
// flag the caller owns. Thread-compatible; the ledger serializes appends.
#pragma once

#include <atomic>
#include <string>

#include "clock.h"
#include "ledger.h"
#include "policy.h"

namespace retention {

class LedgerContext final : public ExecContext {
 public:
  LedgerContext(Clock& clock, Ledger& ledger, const std::atomic<bool>& stop)
      : clock_(clock), ledger_(ledger), stop_(stop) {}

  Status Record(const std::string& policy, const Action& action) override;
  bool stopping() const override { return stop_.load(); }

 private:
  Clock& clock_;
  Ledger& ledger_;
  const std::atomic<bool>& stop_;
};

}  // namespace retention
