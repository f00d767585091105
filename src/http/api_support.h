// Shared pieces of the JSON API handlers: authentication of a request
// (session cookie with CSRF token, or bearer token), reading JSON members
// and query parameters with 中文 errors, and time formatting.
//
// Every /api handler except health and login is wrapped by authed(), so
// no handler sees an anonymous caller and no handler checks credentials
// itself. What the caller may do is then decided by the services (Access).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/response.h"
#include "http/router.h"
#include "service/principal.h"
#include "service/services.h"

namespace tianbao::http {

using nlohmann::json;

inline constexpr const char* kSessionCookie = "tianbao_session";

using AuthedHandler = std::function<StatusOr<Response>(const Request&, const service::Principal&)>;

enum class PasswordChange {
  kRequiredFirst,  // refuse while the user must change their password
  kAllowed,        // the handlers that let them do so (me, password, logout)
};

Handler authed(service::Services& services, AuthedHandler handler,
               PasswordChange pending = PasswordChange::kRequiredFirst);

// The value of a cookie in the request, or empty.
std::string cookie_value(const Request& request, const std::string& name);
std::string session_cookie(const std::string& session_id, std::int64_t max_age_seconds);

// JSON members: a missing or null member is std::nullopt; a wrong type is
// InvalidArgument naming the member.
StatusOr<std::string> required_string(const json& body, const char* name);
StatusOr<std::optional<std::string>> optional_string(const json& body, const char* name);
StatusOr<std::optional<bool>> optional_bool(const json& body, const char* name);
StatusOr<std::optional<std::vector<std::string>>> optional_strings(const json& body,
                                                                   const char* name);

// An optional integer query parameter within [min, max].
StatusOr<std::optional<long>> int_param(const Request& request, const std::string& name, long min,
                                        long max);

// The id in the path parameter `name` ("/api/tasks/{id}"): a positive
// integer, or else `missing` (an id that cannot exist names nothing, so the
// caller says "not found" as for an id that does not).
StatusOr<std::int64_t> path_id(const Request& request, const char* name, Status missing);

// The task of "/api/tasks/{id}/…".
StatusOr<std::int64_t> task_id(const Request& request);

// "2026-11-21T08:30:00+08:00" (Beijing time, which offices read).
std::string format_time(std::int64_t unix_ms);
// Accepts "2026-11-21" (start of that day, Beijing time), ISO date-times
// with or without offset (Beijing time if none), or epoch milliseconds.
StatusOr<std::int64_t> parse_time(const std::string& text, const char* field);

json principal_json(const service::Principal& who, service::Services& services);

}  // namespace tianbao::http
