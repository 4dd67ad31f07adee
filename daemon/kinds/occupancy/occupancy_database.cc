#include "kinds/occupancy/occupancy_database.h"

namespace retention {

StatusOr<std::map<std::string, uint64_t>> ReadQuotas(
    const OccupancyTarget& from, const std::string& id_column) {
  if (from.postgres()) return ReadPgQuotas(from, id_column);
  return ReadSqliteQuotas(from, id_column);
}

Status PublishOccupancy(const OccupancyTarget& to,
                        const OccupancyScanRecord& scan) {
  if (to.postgres()) return PublishPgOccupancy(to, scan);
  return PublishSqliteOccupancy(to, scan);
}

Status CheckQuotaSource(const OccupancyTarget& from,
                        const std::string& id_column) {
  if (from.postgres()) return CheckPgQuotaSource(from, id_column);
  return CheckSqliteQuotaSource(from, id_column);
}

Status CheckPublishTarget(const OccupancyTarget& to) {
  if (to.postgres()) return CheckPgPublishTarget(to);
  return CheckSqlitePublishTarget(to);
}

}  // namespace retention
