// The name of this host, as reports name it (a fleet's reports are merged
// by it: report/report_merge.h). Thread-safe.
#pragma once

#include <string>

namespace retention {

// gethostname(2), or "" when the kernel will not say (a report then names
// no host and a merge falls back to the file's name).
std::string LocalHostName();

}  // namespace retention
