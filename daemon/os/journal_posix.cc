// SendToJournal and ReadJournalField (journal.h) over libsystemd.
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstring>
#include <memory>

#include "os/journal.h"

namespace retention {

Status SendToJournal(const std::string& message_id, const std::string& message,
                     int priority, const std::vector<std::string>& fields) {
  std::vector<std::string> items = {"MESSAGE=" + message,
                                    "MESSAGE_ID=" + message_id,
                                    "PRIORITY=" + std::to_string(priority),
                                    "SYSLOG_IDENTIFIER=retentiond"};
  items.insert(items.end(), fields.begin(), fields.end());
  std::vector<struct iovec> iov;
  for (std::string& item : items) {
    iov.push_back({item.data(), item.size()});
  }
  const int rc = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  if (rc == -ENOENT || rc == -ECONNREFUSED) {
    return Status::NotFound("no systemd journal on this host");
  }
  if (rc < 0) return Status::FromErrno(-rc, "sd_journal_sendv");
  return Status::Ok();
}

StatusOr<std::vector<std::string>> ReadJournalField(
    const std::string& message_id, const std::string& field,
    const std::string& directory) {
  sd_journal* raw = nullptr;
  const int rc = directory.empty()
                     ? sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY)
                     : sd_journal_open_directory(&raw, directory.c_str(), 0);
  if (rc < 0) {
    return Status::FromErrno(
        -rc, "open the journal" + (directory.empty() ? "" : " in " + directory));
  }
  std::unique_ptr<sd_journal, decltype(&sd_journal_close)> journal(
      raw, sd_journal_close);
  const std::string match = "MESSAGE_ID=" + message_id;
  int r = sd_journal_add_match(journal.get(), match.data(), match.size());
  if (r < 0) return Status::FromErrno(-r, "sd_journal_add_match");
  std::vector<std::string> values;
  const std::string prefix = field + "=";
  SD_JOURNAL_FOREACH(journal.get()) {
    const void* data = nullptr;
    size_t size = 0;
    if (sd_journal_get_data(journal.get(), field.c_str(), &data, &size) < 0) {
      continue;
    }
    std::string text(static_cast<const char*>(data), size);
    if (text.compare(0, prefix.size(), prefix) == 0) {
      values.push_back(text.substr(prefix.size()));
    }
  }
  return values;
}

}  // namespace retention
