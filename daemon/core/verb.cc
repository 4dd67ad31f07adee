#include "core/verb.h"

namespace retention {
namespace {

struct NamedVerb {
  Verb verb;
  const char* name;
};

constexpr NamedVerb kVerbs[] = {
    {Verb::kDelete, "delete"},          {Verb::kPurge, "purge"},
    {Verb::kRotate, "rotate"},          {Verb::kCompress, "compress"},
    {Verb::kCleanup, "cleanup"},        {Verb::kRecover, "recover"},
    {Verb::kRestore, "restore"},        {Verb::kOverQuota, "over_quota"},
    {Verb::kUnderQuota, "under_quota"},
};

}  // namespace

const char* VerbName(Verb verb) {
  for (const NamedVerb& v : kVerbs) {
    if (v.verb == verb) return v.name;
  }
  return "?";
}

std::optional<Verb> ParseVerb(std::string_view name) {
  for (const NamedVerb& v : kVerbs) {
    if (name == v.name) return v.verb;
  }
  return std::nullopt;
}

bool IsRemoval(Verb verb) {
  return verb == Verb::kDelete || verb == Verb::kPurge;
}

bool IsEvent(Verb verb) {
  return verb == Verb::kOverQuota || verb == Verb::kUnderQuota;
}

}  // namespace retention
