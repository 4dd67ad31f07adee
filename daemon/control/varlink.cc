#include "control/varlink.h"

#include <cctype>
#include <exception>
#include <utility>

#include "control/control_protocol.h"

namespace retention {
namespace {

using nlohmann::json;

constexpr size_t kCompactThreshold = 64 * 1024;
constexpr size_t kMaxQuoted = 80;

// 'text', cut short so a hostile name cannot flood an error message or log.
std::string Quote(std::string_view text) {
  if (text.size() <= kMaxQuoted) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMaxQuoted)) + "...'";
}

// nlohmann's what() starts with "[json.exception.parse_error.101] ".
std::string WithoutExceptionTag(const char* what) {
  std::string_view text(what);
  if (!text.empty() && text.front() == '[') {
    size_t end = text.find("] ");
    if (end != std::string_view::npos) text.remove_prefix(end + 2);
  }
  return std::string(text);
}

Status CheckNesting(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonNesting) {
        return Status::InvalidArgument("message nests deeper than " +
                                       std::to_string(kMaxJsonNesting) +
                                       " levels");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::Ok();
}

StatusOr<json> ParseJson(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty message");
  size_t nul = text.find('\0');
  if (nul != std::string_view::npos) {
    return Status::InvalidArgument("message contains a NUL byte at offset " +
                                   std::to_string(nul));
  }
  RETENTION_RETURN_IF_ERROR(CheckNesting(text));
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("invalid JSON: " +
                                   WithoutExceptionTag(e.what()));
  }
}

bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// One label of a reverse-domain name: [A-Za-z0-9] with '-' only inside.
bool IsValidLabel(std::string_view label, bool first) {
  if (label.empty() || !IsAlnum(label.front()) || !IsAlnum(label.back())) {
    return false;
  }
  if (first && !std::isalpha(static_cast<unsigned char>(label.front()))) {
    return false;
  }
  for (char c : label) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsValidInterfaceName(std::string_view name) {
  size_t labels = 0;
  while (true) {
    size_t dot = name.find('.');
    if (!IsValidLabel(name.substr(0, dot), labels == 0)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

bool IsValidMemberName(std::string_view name) {
  if (name.empty() || !std::isupper(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char c : name) {
    if (!IsAlnum(c)) return false;
  }
  return true;
}

Status ParseMethod(const json& doc, Request& request) {
  auto it = doc.find("method");
  if (it == doc.end()) return Status::InvalidArgument("missing \"method\"");
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string("\"method\" must be a string, "
                                               "not ") +
                                   it->type_name());
  }
  const std::string& method = it->get_ref<const std::string&>();
  size_t dot = method.rfind('.');
  if (dot == std::string::npos) {
    return Status::InvalidArgument("method " + Quote(method) +
                                   " has no interface (expected "
                                   "interface.Method)");
  }
  std::string_view interface = std::string_view(method).substr(0, dot);
  std::string_view member = std::string_view(method).substr(dot + 1);
  if (!IsValidInterfaceName(interface)) {
    return Status::InvalidArgument(
        "method " + Quote(method) + " has an invalid interface name " +
        Quote(interface) + " (expected a reverse-domain name)");
  }
  if (!IsValidMemberName(member)) {
    return Status::InvalidArgument("method " + Quote(method) +
                                   " has an invalid method name " +
                                   Quote(member) + " (expected CamelCase)");
  }
  request.method = method;
  request.interface = std::string(interface);
  request.member = std::string(member);
  return Status::Ok();
}

Status ParseFlag(const json& doc, const char* key, bool* out) {
  auto it = doc.find(key);
  if (it == doc.end()) return Status::Ok();
  if (!it->is_boolean()) {
    return Status::InvalidArgument(std::string("\"") + key +
                                   "\" must be a boolean, not " +
                                   it->type_name());
  }
  *out = it->get<bool>();
  return Status::Ok();
}

Status ParseFields(json& doc, Request& request) {
  for (auto& [key, value] : doc.items()) {
    if (key != "method" && key != "parameters" && key != "oneway" &&
        key != "more" && key != "upgrade") {
      return Status::InvalidArgument("unknown field " + Quote(key));
    }
  }
  RETENTION_RETURN_IF_ERROR(ParseMethod(doc, request));
  auto params = doc.find("parameters");
  // null is taken as no parameters, as clients that serialise an absent
  // object send it.
  if (params != doc.end() && !params->is_null()) {
    if (!params->is_object()) {
      return Status::InvalidArgument(
          std::string("\"parameters\" must be an object, not ") +
          params->type_name());
    }
    // Moved, not copied: copying a json value recurses over its depth.
    request.parameters = std::move(*params);
  }
  bool upgrade = false;
  RETENTION_RETURN_IF_ERROR(ParseFlag(doc, "oneway", &request.oneway));
  RETENTION_RETURN_IF_ERROR(ParseFlag(doc, "more", &request.more));
  RETENTION_RETURN_IF_ERROR(ParseFlag(doc, "upgrade", &upgrade));
  if (upgrade) return Status::InvalidArgument("\"upgrade\" is not supported");
  if (request.oneway && request.more) {
    return Status::InvalidArgument(
        "\"oneway\" and \"more\" exclude each other");
  }
  return Status::Ok();
}

// The parameter `name`, or nullptr when it is absent or null.
const json* FindParam(const Request& request, std::string_view name) {
  auto it = request.parameters.find(name);
  if (it == request.parameters.end() || it->is_null()) return nullptr;
  return &*it;
}

Status MissingParam(std::string_view name) {
  return Status::InvalidArgument("parameter " + Quote(name) + " is required");
}

Status WrongType(std::string_view name, const char* expected,
                 const json& value) {
  return Status::InvalidArgument("parameter " + Quote(name) + " must be " +
                                 expected + ", not " + value.type_name());
}

std::string Frame(const json& message) {
  // Replacing invalid UTF-8 instead of throwing: a reply must always go out.
  std::string out =
      message.dump(-1, ' ', false, json::error_handler_t::replace);
  out.push_back('\0');
  return out;
}

}  // namespace

void MessageFramer::Append(std::string_view bytes) {
  if (failed_) return;
  size_t old_size = buffer_.size();
  buffer_.append(bytes);
  size_t last_nul = bytes.rfind('\0');
  if (last_nul != std::string_view::npos) tail_start_ = old_size + last_nul + 1;
  if (buffer_.size() - tail_start_ > max_) {
    failed_ = true;
    buffer_.resize(tail_start_);
  }
}

std::optional<std::string> MessageFramer::Next() {
  if (failed_ && start_ == buffer_.size()) return std::nullopt;
  size_t nul = buffer_.find('\0', scan_);
  if (nul == std::string::npos) {
    scan_ = buffer_.size();
    return std::nullopt;
  }
  if (nul - start_ > max_) {
    failed_ = true;
    buffer_.clear();
    start_ = scan_ = tail_start_ = 0;
    return std::nullopt;
  }
  std::string message = buffer_.substr(start_, nul - start_);
  start_ = scan_ = nul + 1;
  Compact();
  return message;
}

void MessageFramer::Compact() {
  if (start_ < kCompactThreshold && start_ != buffer_.size()) return;
  buffer_.erase(0, start_);
  scan_ -= start_;
  tail_start_ = tail_start_ > start_ ? tail_start_ - start_ : 0;
  start_ = 0;
}

bool IsValidMethodName(std::string_view method) {
  size_t dot = method.rfind('.');
  return dot != std::string_view::npos &&
         IsValidInterfaceName(method.substr(0, dot)) &&
         IsValidMemberName(method.substr(dot + 1));
}

StatusOr<Request> ParseRequest(std::string_view text) {
  StatusOr<json> doc = ParseJson(text);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) {
    return Status::InvalidArgument(std::string("message is ") +
                                   (doc->is_array() ? "an " : "a ") +
                                   doc->type_name() + ", not a JSON object");
  }
  Request request;
  RETENTION_RETURN_IF_ERROR(ParseFields(*doc, request));
  return request;
}

std::string EncodeReply(const nlohmann::json& params, bool continues) {
  json message = {{"parameters", params.is_null() ? json::object() : params}};
  if (continues) message["continues"] = true;
  return Frame(message);
}

std::string EncodeError(std::string_view name, const nlohmann::json& params) {
  return Frame({{"error", name},
                {"parameters", params.is_null() ? json::object() : params}});
}

StatusOr<std::string> StringParam(const Request& request, std::string_view name,
                                  bool required, std::string fallback) {
  const json* value = FindParam(request, name);
  if (value == nullptr) {
    if (required) return MissingParam(name);
    return fallback;
  }
  if (!value->is_string()) return WrongType(name, "a string", *value);
  return value->get<std::string>();
}

StatusOr<bool> BoolParam(const Request& request, std::string_view name,
                         bool required, bool fallback) {
  const json* value = FindParam(request, name);
  if (value == nullptr) {
    if (required) return MissingParam(name);
    return fallback;
  }
  if (!value->is_boolean()) return WrongType(name, "a boolean", *value);
  return value->get<bool>();
}

StatusOr<int64_t> IntParam(const Request& request, std::string_view name,
                           bool required, int64_t fallback) {
  const json* value = FindParam(request, name);
  if (value == nullptr) {
    if (required) return MissingParam(name);
    return fallback;
  }
  if (!value->is_number_integer()) {
    return WrongType(name, "an integer", *value);
  }
  return value->get<int64_t>();
}

std::optional<std::string> FindUnknownParam(
    const Request& request, std::initializer_list<std::string_view> known) {
  return FindUnknownParam(
      request, std::span<const std::string_view>(known.begin(), known.size()));
}

std::optional<std::string> FindUnknownParam(
    const Request& request, std::span<const std::string_view> known) {
  for (auto& [key, value] : request.parameters.items()) {
    bool found = false;
    for (std::string_view name : known) found = found || name == key;
    if (!found) return key;
  }
  return std::nullopt;
}

Status RejectUnknownParams(const Request& request,
                           std::initializer_list<std::string_view> known) {
  return RejectUnknownParams(
      request, std::span<const std::string_view>(known.begin(), known.size()));
}

Status RejectUnknownParams(const Request& request,
                           std::span<const std::string_view> known) {
  std::optional<std::string> unknown = FindUnknownParam(request, known);
  if (!unknown) return Status::Ok();
  return Status::InvalidArgument("unknown parameter " + Quote(*unknown));
}

std::string EncodeInvalidParameter(std::string_view parameter,
                                   const Status& why) {
  return EncodeError(kErrorInvalidParameter,
                     {{"parameter", parameter}, {"reason", why.message()}});
}

std::string EncodeCall(std::string_view method, const nlohmann::json& params) {
  return Frame({{"method", method},
                {"parameters", params.is_null() ? json::object() : params}});
}

StatusOr<Reply> ParseReply(std::string_view text) {
  StatusOr<json> doc = ParseJson(text);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) {
    return Status::InvalidArgument(std::string("reply is a ") +
                                   doc->type_name() + ", not a JSON object");
  }
  Reply reply;
  auto error = doc->find("error");
  if (error != doc->end()) {
    if (!error->is_string()) {
      return Status::InvalidArgument(
          std::string("\"error\" must be a string, not ") + error->type_name());
    }
    reply.error = error->get<std::string>();
  }
  auto params = doc->find("parameters");
  if (params != doc->end() && !params->is_null()) {
    if (!params->is_object()) {
      return Status::InvalidArgument(
          std::string("\"parameters\" must be an object, not ") +
          params->type_name());
    }
    reply.parameters = std::move(*params);
  }
  RETENTION_RETURN_IF_ERROR(ParseFlag(*doc, "continues", &reply.continues));
  return reply;
}

}  // namespace retention
