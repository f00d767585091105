#include "http/api_support.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "model/text.h"
#include "model/time.h"
#include "service/accounts.h"

namespace tianbao::http {

namespace {

bool is_write(Method m) {
  return m == Method::kPost || m == Method::kPut || m == Method::kDelete || m == Method::kPatch;
}

bool equal_constant_time(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string cookie_value(const Request& request, const std::string& name) {
  const std::string cookies = request.header("cookie");
  std::string_view header = cookies;
  while (!header.empty()) {
    std::size_t semi = header.find(';');
    std::string_view pair = model::trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return {};
}

std::string session_cookie(const std::string& session_id, std::int64_t max_age_seconds) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}", kSessionCookie,
                     session_id, max_age_seconds);
}

Handler authed(service::Services& services, AuthedHandler handler, PasswordChange pending) {
  return [&services, handler = std::move(handler),
          pending](const Request& r) -> StatusOr<Response> {
    service::Accounts& accounts = services.accounts();
    std::string remote = service::address_of(r.remote);
    std::string authorization = r.header("authorization");
    std::optional<service::Principal> who;
    if (authorization.starts_with("Bearer ")) {
      ASSIGN_OR_RETURN(service::Principal p,
                       accounts.authenticate_token(authorization.substr(7), remote));
      who = std::move(p);
    } else if (std::string session = cookie_value(r, kSessionCookie); !session.empty()) {
      ASSIGN_OR_RETURN(service::SessionAuth auth, accounts.authenticate_session(session, remote));
      if (is_write(r.method) && !equal_constant_time(r.header("x-csrf-token"), auth.csrf_token)) {
        Status denied(StatusCode::kPermissionDenied, "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
                      "X-CSRF-Token", "csrf_failed");
        Status audited = services.audit().record(
            auth.principal, {"permission.denied", std::string(r.path), "denied", "CSRF 令牌无效"});
        if (!audited.ok()) return audited;
        return denied;
      }
      who = std::move(auth.principal);
    } else {
      return Status(StatusCode::kUnauthenticated, "请先登录", "authorization", "unauthenticated");
    }
    if (who->must_change_password && pending == PasswordChange::kRequiredFirst) {
      return Status(StatusCode::kPermissionDenied, "首次登录或密码被重置后，须先修改密码",
                    "password", "password_change_required");
    }
    return handler(r, *who);
  };
}

StatusOr<std::string> required_string(const json& body, const char* name) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, optional_string(body, name));
  if (!value) return InvalidArgument(fmt::format("缺少字段 {}", name), name, "required");
  return *value;
}

StatusOr<std::optional<std::string>> optional_string(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return InvalidArgument(fmt::format("字段 {} 须为字符串", name), name, "invalid_type");
  }
  return std::optional<std::string>(it->get<std::string>());
}

StatusOr<std::optional<bool>> optional_bool(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return InvalidArgument(fmt::format("字段 {} 须为 true 或 false", name), name, "invalid_type");
  }
  return std::optional<bool>(it->get<bool>());
}

StatusOr<std::optional<std::vector<std::string>>> optional_strings(const json& body,
                                                                   const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::vector<std::string>>();
  if (!it->is_array()) {
    return InvalidArgument(fmt::format("字段 {} 须为字符串数组", name), name, "invalid_type");
  }
  std::vector<std::string> out;
  for (const json& v : *it) {
    if (!v.is_string()) {
      return InvalidArgument(fmt::format("字段 {} 须为字符串数组", name), name, "invalid_type");
    }
    out.push_back(v.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

StatusOr<std::optional<long>> int_param(const Request& request, const std::string& name, long min,
                                        long max) {
  std::optional<std::string> text = request.query_value(name);
  if (!text || text->empty()) return std::optional<long>();
  long value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return InvalidArgument(fmt::format("参数 {} 须为 {} 到 {} 之间的整数", name, min, max), name,
                           "invalid_parameter");
  }
  return std::optional<long>(value);
}

StatusOr<std::int64_t> path_id(const Request& request, const char* name, Status missing) {
  std::int64_t id = 0;
  const std::string& text = request.params.at(name);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return missing;
  return id;
}

StatusOr<std::int64_t> task_id(const Request& request) {
  return path_id(request, "id", NotFound("填报任务不存在", "task", "unknown_task"));
}

std::string format_time(std::int64_t unix_ms) {
  return model::format_beijing_iso(unix_ms);
}

StatusOr<std::int64_t> parse_time(const std::string& text, const char* field) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && end == text.data() + text.size()) return ms;
  } else if (std::optional<std::int64_t> ms = model::parse_iso_time(text)) {
    return *ms;
  }
  return InvalidArgument(
      fmt::format("参数 {} 须为日期（如 2026-11-21）或时间（如 2026-11-21T08:30:00）", field),
      field, "invalid_parameter");
}

json principal_json(const service::Principal& who, service::Services& services) {
  json roles = json::array();
  for (model::Role r : who.roles) roles.push_back(model::role_code(r));
  json org = nullptr;
  auto tree = services.org_units().tree();
  if (std::optional<model::Ordinal> o = tree->find(who.org_code)) {
    const model::OrgUnit& u = tree->unit(*o);
    org = {{"code", u.code}, {"name", u.name}, {"level", u.level}, {"path", tree->path_string(*o)}};
  }
  return {{"username", who.username},
          {"displayName", who.display_name},
          {"roles", roles},
          {"orgUnit", org},
          {"totpEnabled", who.totp_enabled}};
}

}  // namespace tianbao::http
