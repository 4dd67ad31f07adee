#include "base/status.h"

#include <cerrno>
#include <cstring>

namespace retention {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kNotFound:
      return "NotFound";
    case Status::Code::kInvalidArgument:
      return "InvalidArgument";
    case Status::Code::kPermissionDenied:
      return "PermissionDenied";
    case Status::Code::kNoSpace:
      return "NoSpace";
    case Status::Code::kBusy:
      return "Busy";
    case Status::Code::kIoError:
      return "IoError";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kUnsafe:
      return "Unsafe";
    case Status::Code::kAborted:
      return "Aborted";
    case Status::Code::kFailedPrecondition:
      return "FailedPrecondition";
  }
  return "Unknown";
}

Status Status::FromErrno(int err, const std::string& context) {
  Code code = Code::kIoError;
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ECONNREFUSED:  // a socket nothing listens on: no one is there
      code = Code::kNotFound;
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      code = Code::kPermissionDenied;
      break;
    case ENOSPC:
    case EDQUOT:
      code = Code::kNoSpace;
      break;
    case EBUSY:
    case EWOULDBLOCK:
    case ETXTBSY:
    case EEXIST:
    case ENOTEMPTY:
      code = Code::kBusy;
      break;
    case ELOOP:
    case EXDEV:
      code = Code::kUnsafe;
      break;
    case EINVAL:
    case ENAMETOOLONG:
      code = Code::kInvalidArgument;
      break;
    default:
      break;
  }
  return Status(code, err, context + ": " + std::strerror(err));
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace retention
