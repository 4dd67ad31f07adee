// NewTerminalProgress (progress_line.h).
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>

#include "app/progress_line.h"

namespace retention {
namespace {

// Carriage return, then erase to the end of the line.
constexpr char kErase[] = "\r\033[K";

class TerminalProgress final : public ProgressListener {
 public:
  void Show(const ProgressSnapshot& progress) override {
    std::string line = FormatProgress(progress);
    const size_t width = Columns();
    // One line, never wrapped: a wrapped line cannot be redrawn in place.
    if (line.size() >= width) line.resize(width - 1);
    Write(kErase + line);
  }
  void Clear() override { Write(kErase); }

 private:
  static size_t Columns() {
    struct winsize ws = {};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
      return ws.ws_col;
    }
    return 80;
  }
  static void Write(const std::string& text) {
    // A progress line that cannot be written is not worth an error.
    (void)!write(STDERR_FILENO, text.data(), text.size());
  }
};

}  // namespace

std::unique_ptr<ProgressListener> NewTerminalProgress() {
  if (isatty(STDERR_FILENO) != 1) return nullptr;
  return std::make_unique<TerminalProgress>();
}

}  // namespace retention
