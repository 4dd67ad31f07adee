#include "ctl/ctl_checkpoints.h"

#include <algorithm>
#include <ostream>

#include "base/exit_codes.h"
#include "core/checkpoint.h"
#include "core/signing_key.h"
#include "ctl/ctl_offline.h"
#include "os/atomic_file.h"
#include "os/journal.h"

namespace retention {
namespace {

constexpr size_t kMaxCheckpointFile = 256u << 20;
constexpr size_t kMaxCheckpointKey = 16u << 10;

// The checkpoints named on the command line, in the order read; false,
// after printing why, when a source cannot be read.
bool Gather(CtlContext& ctx, std::vector<Checkpoint>* all) {
  if (!ctx.checkpoints.empty()) {
    auto text = ReadWholeFile(ctx.fs, ctx.checkpoints, kMaxCheckpointFile);
    auto list = text.ok() ? ParseCheckpointList(*text)
                          : StatusOr<std::vector<Checkpoint>>(text.status());
    if (!list.ok()) {
      ctx.err << "retentionctl: " << ctx.checkpoints << ": "
              << list.status().message() << "\n";
      return false;
    }
    all->insert(all->end(), list->begin(), list->end());
  }
  if (ctx.journal) {
    auto values = ReadJournalField(kCheckpointMessageId, kCheckpointField,
                                   ctx.journal_dir);
    if (!values.ok()) {
      ctx.err << "retentionctl: " << values.status().ToString() << "\n";
      return false;
    }
    for (const std::string& v : *values) {
      auto c = ParseCheckpoint(v);
      if (!c.ok()) {
        ctx.err << "retentionctl: a checkpoint in the journal: "
                << c.status().message() << "\n";
        return false;
      }
      all->push_back(std::move(*c));
    }
  }
  return true;
}

}  // namespace

StatusOr<Checkpoint> ParseCheckpoint(std::string_view text) {
  using nlohmann::json;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("not a JSON object");
  Checkpoint c;
  try {
    if (j.at("version").get<int>() != kCheckpointVersion) {
      return Status::InvalidArgument("checkpoint version " +
                                     j.at("version").dump() +
                                     " is not known to this retentionctl");
    }
    c.host = j.at("host").get<std::string>();
    c.ledger_id = j.at("ledger_id").get<std::string>();
    c.seq = j.at("seq").get<int64_t>();
    c.head = j.at("head").get<std::string>();
    c.time = j.at("time").get<std::string>();
    c.prev_sig = j.at("prev_sig").get<std::string>();
    c.sig = j.at("sig").get<std::string>();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("not a checkpoint: ") +
                                   e.what());
  }
  return c;
}

StatusOr<std::vector<Checkpoint>> ParseCheckpointList(std::string_view text) {
  using nlohmann::json;
  std::vector<Checkpoint> out;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') {
    json all = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!all.is_array()) {
      return Status::InvalidArgument("a JSON array that does not parse");
    }
    for (size_t i = 0; i < all.size(); ++i) {
      StatusOr<Checkpoint> c = ParseCheckpoint(all[i].dump());
      if (!c.ok()) {
        return Status::InvalidArgument("element " + std::to_string(i + 1) +
                                       ": " + c.status().message());
      }
      out.push_back(std::move(*c));
    }
    return out;
  }
  size_t line_no = 0;
  for (size_t at = 0; at <= text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    ++line_no;
    at = end + 1;
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos || line[start] == '#') continue;
    StatusOr<Checkpoint> c = ParseCheckpoint(line);
    if (!c.ok()) {
      return Status::InvalidArgument("line " + std::to_string(line_no) +
                                     ": " + c.status().message());
    }
    out.push_back(std::move(*c));
  }
  return out;
}

int CheckCheckpoints(CtlContext& ctx, StateDb& db, Ledger& ledger,
                     int64_t entries, nlohmann::json* json, std::string* text) {
  std::vector<Checkpoint> checkpoints;
  if (!Gather(ctx, &checkpoints)) return kExitNoInput;
  const std::string key_path = ctx.key_file.empty()
                                   ? ctx.state_dir + "/" + kPublicKeyFile
                                   : ctx.key_file;
  auto key = ReadWholeFile(ctx.fs, key_path, kMaxCheckpointKey);
  if (!key.ok()) {
    ctx.err << "retentionctl: the public key: " << key.status().ToString()
            << "\n";
    return kExitNoInput;
  }
  auto ledger_id = db.LedgerId();
  if (!ledger_id.ok()) {
    ctx.err << "retentionctl: " << ledger_id.status().ToString() << "\n";
    return kExitFailure;
  }
  LedgerUnderTest under_test{
      .ledger_id = *ledger_id,
      .last_seq = entries,
      .hash_at = [&ledger](int64_t seq) -> StatusOr<std::string> {
        auto one = ledger.Read(seq - 1, 1);
        if (!one.ok()) return one.status();
        if (one->empty() || one->front().seq != seq) {
          return Status::NotFound("no ledger entry " + std::to_string(seq));
        }
        return one->front().hash;
      }};
  auto check = VerifyCheckpoints(std::move(checkpoints), *key, under_test);
  if (!check.ok()) {
    ctx.err << "retentionctl: " << key_path << ": "
            << check.status().message() << "\n";
    return kExitNoInput;
  }
  (*json)["checkpoints"] = {{"ok", check->ok},
                            {"checked", check->checked},
                            {"covered_seq", check->covered_seq},
                            {"problem", check->problem},
                            {"notes", check->notes},
                            {"key", key_path}};
  if (!check->ok) {
    *text += "CHECKPOINTS FAIL: " + check->problem + "\n";
    return kExitFailure;
  }
  *text += "checkpoints hold: " + std::to_string(check->checked) +
           " checked, the ledger matches them up to seq " +
           std::to_string(check->covered_seq) + " (key " + key_path + ")\n";
  for (const std::string& note : check->notes) *text += "  note: " + note + "\n";
  if (ctx.key_file.empty()) {
    *text +=
        "  note: the key was read from the state directory; give --key with "
        "a copy kept off this host for proof that does not trust it\n";
  }
  return kExitOk;
}

int PublicKeyFromStateDir(CtlContext& ctx) {
  const std::string path = ctx.state_dir + "/" + kPublicKeyFile;
  auto key = ReadWholeFile(ctx.fs, path, kMaxCheckpointKey);
  if (!key.ok()) {
    ctx.err << "retentionctl: " << key.status().ToString()
            << (key.status().IsNotFound()
                    ? " (retentiond creates it at its first start)"
                    : "")
            << "\n";
    return kExitNoInput;
  }
  if (ctx.json) {
    ctx.out << nlohmann::json{{"public_key", *key}, {"path", path}}.dump(2)
            << "\n";
  } else {
    ctx.out << *key;
  }
  return kExitOk;
}

}  // namespace retention
