// Varlink framing and message shape, with no I/O: the pure layer under the
// control socket. Each message on the wire is one JSON object followed by a
// NUL byte. MessageFramer cuts a byte stream into messages and bounds their
// size; ParseRequest checks a call's shape before anything dispatches on it;
// the encoders build framed replies and errors; the parameter helpers turn
// wrong parameters into errors that name the parameter; and
// DispatchServiceInterface answers org.varlink.service itself. Protocol
// names (methods, errors, interface text) come from control_protocol.h.
//
// No function here throws: nlohmann::json exceptions are caught inside.
// Threading: free functions are thread-safe; a MessageFramer is
// thread-compatible (one per connection, used by one thread at a time).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace retention {

inline constexpr size_t kDefaultMaxMessageSize = 1 << 20;  // 1 MiB
// Objects and arrays nested deeper than this are refused before parsing, so
// no later code that walks parameters recursively can exhaust the stack.
inline constexpr int kMaxJsonNesting = 64;

// Cuts a byte stream into NUL-terminated messages.
class MessageFramer {
 public:
  // `max_message_size` bounds a message's length without its NUL.
  explicit MessageFramer(size_t max_message_size = kDefaultMaxMessageSize)
      : max_(max_message_size) {}

  // Adds bytes as read from the socket; ignored once failed(). When the
  // unterminated tail grows past the limit, the framer fails at once (and
  // drops that tail), so a peer cannot make it buffer without bound.
  void Append(std::string_view bytes);

  // The next complete message without its NUL ("" for two NULs in a row),
  // or nullopt when none is complete yet or the framer has failed. Messages
  // completed before an oversized one are still returned; reaching an
  // oversized one fails the framer.
  std::optional<std::string> Next();

  // True once a message exceeded the limit. The connection cannot be
  // resynchronised: answer with an error and close it.
  bool failed() const { return failed_; }
  // Bytes held and not yet returned by Next().
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  void Compact();

  size_t max_;
  std::string buffer_;
  size_t start_ = 0;       // first byte not yet returned by Next()
  size_t scan_ = 0;        // Next() has seen no NUL in [start_, scan_)
  size_t tail_start_ = 0;  // first byte after the last NUL in buffer_
  bool failed_ = false;
};

// A call, with its shape checked.
struct Request {
  std::string interface;  // "io.retentiond.Manager"
  std::string method;     // "io.retentiond.Manager.Status"
  std::string member;     // "Status"
  nlohmann::json parameters = nlohmann::json::object();  // always an object
  bool oneway = false;  // the caller wants no reply
  bool more = false;    // the caller accepts several replies
};

// Parses one message (as returned by MessageFramer::Next()) into a Request.
// Failure: kInvalidArgument whose message says what is wrong — empty, a NUL
// byte, nesting deeper than kMaxJsonNesting, invalid JSON, not an object,
// "method" missing / not a string / not "interface.Method", "parameters" not
// an object (null counts as absent), "oneway" / "more" / "upgrade" not
// booleans, "upgrade" true (not supported), oneway together with more, or an
// unknown field.
StatusOr<Request> ParseRequest(std::string_view json);

// True for "interface.Member" where interface is a reverse-domain name of at
// least two labels ([A-Za-z0-9] with inner '-') and Member is CamelCase.
bool IsValidMethodName(std::string_view method);

// A framed reply: {"parameters": params} (and "continues": true when more
// replies follow), then NUL. Precondition: params is an object or null
// (null is sent as {}).
std::string EncodeReply(const nlohmann::json& params, bool continues = false);
// A framed error: {"error": name, "parameters": params}, then NUL.
std::string EncodeError(std::string_view name, const nlohmann::json& params =
                                                   nlohmann::json::object());

// Parameter helpers. Absent and null both mean "not given" (Varlink's ?T).
// Failure: kInvalidArgument naming the parameter: "parameter 'name' is
// required", "parameter 'dry_run' must be a boolean, not string".
// When an optional parameter is not given, `fallback` is returned.
StatusOr<std::string> StringParam(const Request& request, std::string_view name,
                                  bool required, std::string fallback = "");
StatusOr<bool> BoolParam(const Request& request, std::string_view name,
                         bool required, bool fallback = false);
StatusOr<int64_t> IntParam(const Request& request, std::string_view name,
                           bool required, int64_t fallback = 0);
// The first parameter of `request` not in `known` (in name order), or
// nullopt when all are known.
std::optional<std::string> FindUnknownParam(
    const Request& request, std::span<const std::string_view> known);
std::optional<std::string> FindUnknownParam(
    const Request& request, std::initializer_list<std::string_view> known);
// OK when every parameter is in `known`; else kInvalidArgument "unknown
// parameter 'x'".
Status RejectUnknownParams(const Request& request,
                           std::span<const std::string_view> known);
Status RejectUnknownParams(const Request& request,
                           std::initializer_list<std::string_view> known);

// io.retentiond.Manager.InvalidParameter {parameter, reason}, framed, with
// the reason taken from `why` (a helper's Status).
std::string EncodeInvalidParameter(std::string_view parameter,
                                   const Status& why);

// Answers calls to org.varlink.service: GetInfo (with `version`), and
// GetInterfaceDescription (InterfaceNotFound for an interface not served,
// org.varlink.service.InvalidParameter when "interface" is missing or not a
// string); MethodNotFound for any other org.varlink.service method. Returns
// the framed reply, or nullopt when the request is for another interface.
// The caller drops the reply of a oneway call.
std::optional<std::string> DispatchServiceInterface(const Request& request,
                                                    std::string_view version);

// Client side. A framed call: {"method": method, "parameters": params},
// then NUL. Precondition: params is an object or null (sent as {}).
std::string EncodeCall(std::string_view method,
                       const nlohmann::json& params = nlohmann::json::object());

// One reply as a client reads it. `error` is empty for a successful reply;
// `parameters` is always an object.
struct Reply {
  std::string error;  // "io.retentiond.Manager.NoSuchPolicy", or ""
  nlohmann::json parameters = nlohmann::json::object();
  bool continues = false;
};

// Parses one message (as returned by MessageFramer::Next()) into a Reply.
// Unknown fields are ignored, as Varlink asks of clients. Failure:
// kInvalidArgument saying what is wrong — empty, invalid JSON, nesting
// deeper than kMaxJsonNesting, not an object, "error" not a string,
// "parameters" not an object, "continues" not a boolean.
StatusOr<Reply> ParseReply(std::string_view json);

// The framed error for a call no handler took: InterfaceNotFound when the
// interface is not served, else MethodNotFound.
std::string EncodeUnknownMethod(const Request& request);

}  // namespace retention
