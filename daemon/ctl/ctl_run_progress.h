// While `retentionctl run NAME` waits for the run's reply, a terminal shows
// its progress as the daemon's Status reports it (done of planned, rate,
// time left), on its own connection every 250 ms, on one line of stderr
// erased when the reply came. Nothing when stderr is not a terminal or with
// --json.
//
// Threading: owns one thread, started by the constructor and joined by the
// destructor.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace retention {

class RunProgressWatcher {
 public:
  // `name`: the policy as given to run (an id or a bare name).
  RunProgressWatcher(std::string socket_path, std::string name);
  ~RunProgressWatcher();
  RunProgressWatcher(const RunProgressWatcher&) = delete;
  RunProgressWatcher& operator=(const RunProgressWatcher&) = delete;

 private:
  void Watch();
  // Draws the policy's progress from one Status reply; whether a line is up.
  bool DrawOnce();

  const std::string socket_path_;
  const std::string name_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace retention
