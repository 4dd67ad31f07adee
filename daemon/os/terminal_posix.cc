// The status line (terminal.h).
#include <sys/ioctl.h>
#include <unistd.h>

#include "os/terminal.h"

namespace retention {
namespace {

// Carriage return, then erase to the end of the line.
constexpr char kErase[] = "\r\033[K";

size_t Columns() {
  struct winsize ws = {};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
    return ws.ws_col;
  }
  return 80;
}

void Write(const std::string& text) {
  // A status line that cannot be written is not worth an error.
  (void)!write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void DrawStatusLine(const std::string& line) {
  const size_t width = Columns();
  Write(kErase + (line.size() < width ? line : line.substr(0, width - 1)));
}

void EraseStatusLine() { Write(kErase); }

}  // namespace retention
