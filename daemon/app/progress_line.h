// The progress line of a long run on a terminal: `retentiond --once` (and
// the daemon in the foreground) draw "rows.analytics: 12,000 of 50,000
// rows (24%), 3,100 rows/s, 12s left" on stderr, redrawn in place at most a
// few times a second (ProgressBoard throttles), and erased when the run
// ends. Nothing at all when stderr is not a terminal (a pipe, the journal).
//
// Threading: Show/Clear come from run threads under the board's lock.
#pragma once

#include <memory>
#include <utility>

#include "core/progress.h"

namespace retention {

// Null when stderr is not a terminal.
std::unique_ptr<ProgressListener> NewTerminalProgress();

// Attaches `listener` (may be null) to `board` while it lives.
class ProgressAttachment {
 public:
  ProgressAttachment(ProgressBoard& board,
                     std::unique_ptr<ProgressListener> listener)
      : board_(board), listener_(std::move(listener)) {
    if (listener_) board_.set_listener(listener_.get());
  }
  ~ProgressAttachment() {
    if (listener_) board_.set_listener(nullptr);
  }
  ProgressAttachment(const ProgressAttachment&) = delete;
  ProgressAttachment& operator=(const ProgressAttachment&) = delete;

 private:
  ProgressBoard& board_;
  std::unique_ptr<ProgressListener> listener_;
};

}  // namespace retention
