// LoadConfigFromString and PrintConfig; LoadConfig, which reads files, is
// in config_posix.cc. The merge and checks are ConfigBuilder's.
#include "config/config.h"

#include "config/config_builder.h"

namespace retention {

bool LoadConfigFromString(const std::string& name, const std::string& text,
                          const KindRegistry& registry, Config* config,
                          std::vector<ConfigError>* errors) {
  ConfigBuilder builder(registry);
  builder.AddFile(name, DirectoryOf(name), text);
  return builder.Finish(config, errors);
}

std::string PrintConfig(const Config& config) {
  std::string out;
  for (const Section& section : config.sections) {
    if (!out.empty()) out += "\n";
    out += "[" + section.id() + "]\n";
    // std::map iterates in key order, which is the promised order.
    for (const auto& [key, value] : section.values) {
      out += key + " = " + value.raw + "  # " + value.where.ToString() + "\n";
    }
  }
  return out;
}

}  // namespace retention
