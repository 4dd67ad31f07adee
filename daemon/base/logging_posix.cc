#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "base/logging.h"

namespace retention {
namespace {

// Writes "<N>message" lines, N the syslog priority journald understands.
class JournalStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string line = "<" + std::to_string(Priority(msg.level)) + ">";
    line.append(msg.payload.data(), msg.payload.size());
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  static int Priority(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::critical:
        return 2;
      case spdlog::level::err:
        return 3;
      case spdlog::level::warn:
        return 4;
      case spdlog::level::info:
        return 6;
      default:
        return 7;
    }
  }
};

spdlog::level::level_enum ToSpdlog(const std::string& level) {
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "warning") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  return spdlog::level::info;
}

}  // namespace

bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return false;
  struct stat st;
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

void SetupLogging(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (StderrIsJournal()) {
    logger = std::make_shared<spdlog::logger>(
        "retentiond", std::make_shared<JournalStderrSink>());
  } else {
    logger = spdlog::stderr_color_mt("retentiond");
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  }
  spdlog::set_default_logger(logger);
  SetLogLevel(level);
}

void SetLogLevel(const std::string& level) {
  spdlog::set_level(ToSpdlog(level));
  spdlog::flush_on(spdlog::level::trace);
}

}  // namespace retention
