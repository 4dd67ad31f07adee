// Status: the outcome of a fallible operation, in the style of leveldb's
// Status. A Status is OK or carries a code, the errno that caused it (0 when
// none) and a message naming what failed. StatusOr<T> carries a value or an
// error. Both are plain values: copyable, no shared state, thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace retention {

class Status {
 public:
  enum class Code {
    kOk,
    kNotFound,            // ENOENT and friends; removing what is gone is OK
    kInvalidArgument,     // bad input: config value, parameter, name
    kPermissionDenied,    // EACCES, EPERM
    kNoSpace,             // ENOSPC, EDQUOT
    kBusy,                // EBUSY, SQLITE_BUSY, a lock held by another
    kIoError,             // anything else from the OS or a library
    kCorruption,          // data that fails its own checks (ledger, db)
    kUnsafe,              // a safe-deletion rule refused the operation
    kAborted,             // stopped on request, or the view went stale
    kFailedPrecondition,  // a brake or state forbids the operation now
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) {
    return {Code::kNotFound, 0, std::move(msg)};
  }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, 0, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, 0, std::move(msg)};
  }
  static Status NoSpace(std::string msg) {
    return {Code::kNoSpace, 0, std::move(msg)};
  }
  static Status Busy(std::string msg) {
    return {Code::kBusy, 0, std::move(msg)};
  }
  static Status IoError(std::string msg) {
    return {Code::kIoError, 0, std::move(msg)};
  }
  static Status Corruption(std::string msg) {
    return {Code::kCorruption, 0, std::move(msg)};
  }
  static Status Unsafe(std::string msg) {
    return {Code::kUnsafe, 0, std::move(msg)};
  }
  static Status Aborted(std::string msg) {
    return {Code::kAborted, 0, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, 0, std::move(msg)};
  }

  // The one place errno becomes a Status: maps the code, keeps the errno and
  // appends strerror to `context` ("unlinkat /var/log/a.log: No such file").
  static Status FromErrno(int err, const std::string& context);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int errno_value() const { return errno_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsNoSpace() const { return code_ == Code::kNoSpace; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  // "NotFound: open /x: No such file or directory"; "OK" when ok().
  std::string ToString() const;

 private:
  Status(Code code, int err, std::string msg)
      : code_(code), errno_(err), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  int errno_ = 0;
  std::string message_;
};

const char* CodeName(Status::Code code);

// A value or an error. Precondition for value(): ok().
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());
  }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

#define RETENTION_RETURN_IF_ERROR(expr) \
  do {                                  \
    ::retention::Status _st = (expr);   \
    if (!_st.ok()) return _st;          \
  } while (0)

}  // namespace retention
