#include "kinds/rows/rows_database.h"

namespace retention {

StatusOr<std::unique_ptr<Database>> OpenRowsDatabase(const RowsTarget& target,
                                                     bool read_only) {
  if (target.postgres()) return OpenPgDatabase(target, read_only);
  return OpenSqliteDatabase(target, read_only, target.lock_timeout);
}

}  // namespace retention
