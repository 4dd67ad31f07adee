#include "report/hold_json.h"

namespace retention {

nlohmann::json HoldJson(const Hold& h) {
  return {{"kind", h.kind},
          {"target", h.target},
          {"reason", h.reason},
          {"by", h.by},
          {"since", FormatIso8601(h.since)}};
}

nlohmann::json HoldsJson(const std::vector<Hold>& holds) {
  nlohmann::json out = nlohmann::json::array();
  for (const Hold& h : holds) out.push_back(HoldJson(h));
  return out;
}

}  // namespace retention
