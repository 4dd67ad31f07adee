// NewTerminalProgress (progress_line.h).
#include "app/progress_line.h"

#include "os/terminal.h"

namespace retention {
namespace {

class TerminalProgress final : public ProgressListener {
 public:
  void Show(const ProgressSnapshot& progress) override {
    DrawStatusLine(FormatProgress(progress));
  }
  void Clear() override { EraseStatusLine(); }
};

}  // namespace

std::unique_ptr<ProgressListener> NewTerminalProgress() {
  if (!StderrIsTerminal()) return nullptr;
  return std::make_unique<TerminalProgress>();
}

}  // namespace retention
