#include <limits.h>
#include <unistd.h>

#include "os/host_name.h"

namespace retention {

std::string LocalHostName() {
  char name[HOST_NAME_MAX + 1] = {};
  // A failure leaves the report without a host: it says nothing false.
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

}  // namespace retention
