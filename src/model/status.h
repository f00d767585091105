// Status and StatusOr<T>: the one error model inside tianbao.
//
// Every operation that can fail on bad input or on the environment returns a
// Status (or a StatusOr<T> carrying a value on success). A Status has a
// canonical code (what kind of failure, stable for programs), a message in
// 中文 for people, optionally the name of the input field at fault, and —
// for a validation failure — the violations behind it (as absl::Status
// carries payloads), so no caller needs an out-parameter to learn them. The
// HTTP layer maps codes to status lines and the JSON error body in exactly
// one place (http/response.cc); the CLI prints the message on stderr.
//
// Exceptions are not used for expected failures. Asserts are for programmer
// errors only, never for user input.
//
// Usage:
//   StatusOr<OrgUnit> unit = units.get("4408");
//   if (!unit.ok()) return unit.status();
//   RETURN_IF_ERROR(store.insert_org_unit(*unit));
//
//   return InvalidArgument("有 2 项填写有误：…", "A01", "validation_failed")
//       .with_violations(std::move(violations));
//
// Thread-safety: values; copy freely.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "model/violation.h"

namespace tianbao {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (400)
  kNotFound,            // the named object does not exist or is out of scope (404)
  kAlreadyExists,       // a unique key is taken (409)
  kConflict,            // stale version / concurrent edit (409)
  kFailedPrecondition,  // the object is in a state that forbids the act (409)
  kUnauthenticated,     // no or bad credentials (401)
  kPermissionDenied,    // authenticated but not allowed (403)
  kMethodNotAllowed,    // the path exists but not for this HTTP method (405)
  kPayloadTooLarge,     // body over the limit (413)
  kResourceExhausted,   // rate limit or lockout (429)
  kUnavailable,         // a dependency (database) is not reachable (503)
  kInternal,            // a bug or an unexpected environment failure (500)
};

// Stable, lower-case name of a code, used as the JSON error `code` when a
// more specific one is not given.
const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string field = {}, std::string reason = {})
      : code_(code),
        message_(std::move(message)),
        field_(std::move(field)),
        reason_(std::move(reason)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Human-readable, 中文.
  const std::string& message() const { return message_; }
  // The input field at fault ("code", "parent", "q"), or empty.
  const std::string& field() const { return field_; }
  // A stable machine-readable reason more specific than the code
  // ("unknown_parent", "invalid_utf8"); empty means status_code_name(code).
  const std::string& reason() const { return reason_; }

  // The violations behind a failure (validation_failed: the field errors;
  // explanation_required: the warnings to explain), in the order found;
  // empty for every other failure.
  const std::vector<model::Violation>& violations() const { return violations_; }
  // This status with `violations` attached (replacing any before).
  Status with_violations(std::vector<model::Violation> violations) const&;
  Status with_violations(std::vector<model::Violation> violations) &&;

  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
  std::string reason_;
  std::vector<model::Violation> violations_;
};

// Shorthands for the common failures. `reason` is the stable JSON error code.
Status InvalidArgument(std::string message, std::string field = {},
                       std::string reason = "invalid_argument");
Status NotFound(std::string message, std::string field = {}, std::string reason = "not_found");
Status AlreadyExists(std::string message, std::string field = {},
                     std::string reason = "already_exists");
Status Internal(std::string message);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "StatusOr needs a value or an error");
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
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace tianbao

#define TIANBAO_CONCAT_INNER(a, b) a##b
#define TIANBAO_CONCAT(a, b) TIANBAO_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` failed.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::tianbao::Status tianbao_status_ = (expr);        \
    if (!tianbao_status_.ok()) return tianbao_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, f())` declares x from a StatusOr or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(TIANBAO_CONCAT(tianbao_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
