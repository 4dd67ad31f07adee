// log_writer: the writer and the checker of the log rotation benchmarks and
// the demo. Not part of the test suite.
//
//   log_writer write PATH MB_PER_S SECONDS [LINE_BYTES [random]]
//       Appends numbered lines ("000000000042 xxx…\n") to PATH, opened with
//       O_APPEND, at about MB_PER_S (0: as fast as it can) for SECONDS;
//       with `random` the padding is random printable characters (zstd keeps ~85%).
//       SIGUSR1 makes it reopen PATH (for method = reopen; PATH.pid holds
//       its pid). Prints the number of lines written.
//   log_writer check [from-first]
//       Reads the concatenation of a log's archives (oldest first) and live
//       file on stdin; prints lines, missing, duplicated and NUL bytes.
//       Exit 0 only when nothing is missing or duplicated. With from-first,
//       lines before the first one read are not counted missing (a budget
//       deleted the oldest archives); "first" says where it starts.
//   log_writer lines
//       Reads one archive on stdin; prints "lines N first F last L" and
//       exits 0 only when it holds whole lines of the writer (a number, a
//       space, x's, '\n'; all of one length) in increasing order: a torn
//       first or last line fails.
//   log_writer watch PATH SECONDS
//       Samples PATH's size every millisecond; prints the largest seen and
//       when (local HH:MM:SS.mmm).
//   log_writer setwatch DIR SECONDS BUDGET
//       Every 10 ms sums the sizes of all files in DIR (archives, temps,
//       hidden files, the live file); prints "samples N over M max BYTES":
//       M samples above BUDGET bytes.
//   log_writer order DIR LIVE
//       Prints the paths of LIVE's timestamp-named archives in DIR
//       (LIVE-YYYYMMDDTHHMMSSZ[.N][.zst|.gz]) oldest first: by time, then
//       sequence (a plain name sort puts ".2" before the first of a second).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace {

std::atomic<bool> reopen{false};
void OnUsr1(int) { reopen = true; }

int Open(const char* path) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) std::perror(path);
  return fd;
}

int Write(const char* path, double mb_per_s, double seconds, int line_bytes,
          bool random) {
  {
    FILE* pid = std::fopen((std::string(path) + ".pid").c_str(), "w");
    if (pid) {
      std::fprintf(pid, "%d\n", getpid());
      std::fclose(pid);
    }
  }
  std::signal(SIGUSR1, OnUsr1);
  int fd = Open(path);
  if (fd < 0) return 1;
  std::mt19937_64 rng(42);
  std::string pool(random ? 64 << 20 : 0, 'x');
  for (char& c : pool) c = static_cast<char>('!' + rng() % 94);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::string pad(static_cast<size_t>(std::max(line_bytes - 14, 0)), 'x');
  std::string chunk;
  unsigned long long n = 0, bytes = 0;
  while (Clock::now() < end) {
    if (reopen.exchange(false)) {
      close(fd);
      fd = Open(path);
      if (fd < 0) return 1;
    }
    chunk.clear();
    // About 64 KiB per write(2), whole lines only.
    while (chunk.size() < 64 * 1024) {
      char num[16];
      std::snprintf(num, sizeof num, "%012llu ", n++);
      chunk += num;
      if (random) {
        // A pad from a random place in a pool far larger than zstd's
        // window: incompressible, at the cost of one random number a line.
        chunk.append(pool, rng() % (pool.size() - pad.size()), pad.size());
      } else {
        chunk += pad;
      }
      chunk += '\n';
    }
    for (size_t at = 0; at < chunk.size();) {
      const ssize_t w = write(fd, chunk.data() + at, chunk.size() - at);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        std::perror("write");
        return 1;
      }
      at += static_cast<size_t>(w);
    }
    bytes += chunk.size();
    if (mb_per_s > 0) {
      const auto due =
          start + std::chrono::duration<double>(bytes / (mb_per_s * 1e6));
      std::this_thread::sleep_until(due);
    }
  }
  close(fd);
  std::cout << n << "\n";
  return 0;
}

int Check(bool from_first) {
  unsigned long long lines = 0, missing = 0, duplicated = 0, nuls = 0;
  long long last = -1, first = -1;
  std::string line;
  int c;
  while ((c = getchar_unlocked()) != EOF) {
    if (c == '\0') {
      ++nuls;
      continue;
    }
    if (c != '\n') {
      line += static_cast<char>(c);
      continue;
    }
    ++lines;
    const long long v = std::strtoll(line.c_str(), nullptr, 10);
    if (first < 0) {
      first = v;
      if (from_first) last = v - 1;
    }
    if (v <= last) {
      ++duplicated;
    } else {
      missing += static_cast<unsigned long long>(v - last - 1);
      last = v;
    }
    line.clear();
  }
  std::cout << "lines " << lines << " missing " << missing << " duplicated "
            << duplicated << " nul_bytes " << nuls << " last " << last
            << (from_first ? " first " + std::to_string(first) : "") << "\n";
  return missing == 0 && duplicated == 0 && nuls == 0 ? 0 : 1;
}

// Whether `line` (without its '\n') is one of the writer's lines; sets `*n`.
bool WholeLine(const std::string& line, size_t length, long long* n) {
  if (line.size() != length || line.size() < 13 || line[12] != ' ') {
    return false;
  }
  for (size_t i = 0; i < 12; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return false;
  }
  for (size_t i = 13; i < line.size(); ++i) {
    if (line[i] != 'x') return false;
  }
  *n = std::strtoll(line.c_str(), nullptr, 10);
  return true;
}

int Lines() {
  long long first = -1, last = -1, n = 0;
  unsigned long long lines = 0;
  size_t length = 0;
  std::string line, problem;
  int c;
  while ((c = getchar_unlocked()) != EOF && problem.empty()) {
    if (c != '\n') {
      line += static_cast<char>(c);
      continue;
    }
    if (length == 0) length = line.size();
    if (!WholeLine(line, length, &n)) {
      problem = "torn line " + std::to_string(lines + 1) + ": \"" +
                line.substr(0, 40) + "\"";
    } else if (n <= last) {
      problem = "line " + std::to_string(n) + " out of order";
    }
    if (first < 0) first = n;
    last = n;
    ++lines;
    line.clear();
  }
  if (problem.empty() && !line.empty()) {
    problem = "ends mid-line: \"" + line.substr(0, 40) + "\"";
  }
  std::cout << "lines " << lines << " first " << first << " last " << last
            << (problem.empty() ? "" : " PROBLEM " + problem) << "\n";
  return problem.empty() ? 0 : 1;
}

int Watch(const char* path, double seconds) {
  const auto end =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long long max = 0;
  std::chrono::system_clock::time_point at{};
  while (std::chrono::steady_clock::now() < end) {
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > max) {
      max = st.st_size;
      at = std::chrono::system_clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // When: the daemon's log (local time, milliseconds) says what it did then.
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      at.time_since_epoch())
                      .count() %
                  1000;
  std::tm local{};
  localtime_r(&t, &local);
  char when[32];
  std::snprintf(when, sizeof when, "%02d:%02d:%02d.%03d", local.tm_hour,
                local.tm_min, local.tm_sec, static_cast<int>(ms));
  std::cout << max << " " << when << "\n";
  return 0;
}

int SetWatch(const std::string& dir, double seconds, long long budget) {
  const auto end =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long long samples = 0, over = 0, max = 0;
  while (std::chrono::steady_clock::now() < end) {
    long long total = 0;
    if (DIR* d = opendir(dir.c_str())) {
      while (const dirent* e = readdir(d)) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode)) {
          total += st.st_size;
        }
      }
      closedir(d);
    }
    ++samples;
    if (total > budget) ++over;
    max = std::max(max, total);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::cout << "samples " << samples << " over " << over << " max " << max
            << "\n";
  return 0;
}

int Order(const std::string& dir, const std::string& live) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    std::perror(dir.c_str());
    return 1;
  }
  const std::string prefix = live + "-";
  std::vector<std::tuple<std::string, long, std::string>> archives;
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    // LIVE- + 16 characters of timestamp.
    if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + 16) {
      continue;
    }
    const std::string stamp = name.substr(prefix.size(), 16);
    const std::string rest = name.substr(prefix.size() + 16);
    long seq = 1;
    if (rest.size() > 1 && rest[0] == '.' && std::isdigit(rest[1])) {
      seq = std::strtol(rest.c_str() + 1, nullptr, 10);
    }
    archives.emplace_back(stamp, seq, dir + "/" + name);
  }
  closedir(d);
  std::sort(archives.begin(), archives.end());
  for (const auto& a : archives) std::cout << std::get<2>(a) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "write" && argc >= 5) {
    return Write(argv[2], std::atof(argv[3]), std::atof(argv[4]),
                 argc > 5 ? std::atoi(argv[5]) : 100,
                 argc > 6 && std::string(argv[6]) == "random");
  }
  if (mode == "check") {
    return Check(argc > 2 && std::string(argv[2]) == "from-first");
  }
  if (mode == "lines") return Lines();
  if (mode == "watch" && argc == 4) return Watch(argv[2], std::atof(argv[3]));
  if (mode == "order" && argc == 4) return Order(argv[2], argv[3]);
  if (mode == "setwatch" && argc == 5) {
    return SetWatch(argv[2], std::atof(argv[3]), std::atoll(argv[4]));
  }
  std::cerr << "usage: log_writer write PATH MB_PER_S SECONDS [LINE_BYTES "
               "[random]]\n"
               "       log_writer check [from-first] < CONCATENATED_LOG\n"
               "       log_writer lines < ONE_ARCHIVE\n"
               "       log_writer watch PATH SECONDS\n"
               "       log_writer order DIR LIVE\n"
               "       log_writer setwatch DIR SECONDS BUDGET\n";
  return 64;
}
