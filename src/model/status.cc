#include "model/status.h"

namespace tianbao {

namespace model {

std::string_view severity_name(Severity s) {
  return s == Severity::kWarning ? "warning" : "error";
}

}  // namespace model

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kMethodNotAllowed:
      return "method_not_allowed";
    case StatusCode::kPayloadTooLarge:
      return "payload_too_large";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string out = reason_.empty() ? status_code_name(code_) : reason_;
  out += ": ";
  out += message_;
  if (!field_.empty()) out += " (" + field_ + ")";
  return out;
}

Status Status::with_violations(std::vector<model::Violation> violations) const& {
  Status out = *this;
  out.violations_ = std::move(violations);
  return out;
}

Status Status::with_violations(std::vector<model::Violation> violations) && {
  violations_ = std::move(violations);
  return std::move(*this);
}

Status InvalidArgument(std::string message, std::string field, std::string reason) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field),
                std::move(reason));
}

Status NotFound(std::string message, std::string field, std::string reason) {
  return Status(StatusCode::kNotFound, std::move(message), std::move(field), std::move(reason));
}

Status AlreadyExists(std::string message, std::string field, std::string reason) {
  return Status(StatusCode::kAlreadyExists, std::move(message), std::move(field),
                std::move(reason));
}

Status Internal(std::string message) {
  return Status(StatusCode::kInternal, std::move(message), {}, "internal");
}

}  // namespace tianbao
