
#include <fmt/format.h>

#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

Response session_response(const service::LoginResult& login, service::Services& services) {
  Response response = json_response({
      {"user", principal_json(login.principal, services)},
      {"mustChangePassword", login.principal.must_change_password},
      {"csrfToken", login.csrf_token},
  });
  std::int64_t max_age = services.accounts().policy().session_absolute_ms / 1000;
  response.headers.emplace_back("Set-Cookie", session_cookie(login.session_id, max_age));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

json token_json(const service::TokenView& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"prefix", t.prefix},
          {"createdAt", format_time(t.created_at)},
          {"lastUsedAt", t.last_used_at ? json(format_time(t.last_used_at)) : json(nullptr)},
          {"revoked", t.revoked_at != 0}};
}

}  // namespace

void register_auth_routes(Router& router, service::Services& services) {
  service::Accounts& accounts = services.accounts();

  router.add(
      Method::kPost, "/api/login", [&services, &accounts](const Request& r) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(json body, parse_json_object(r));
        ASSIGN_OR_RETURN(std::string username, required_string(body, "username"));
        ASSIGN_OR_RETURN(std::string password, required_string(body, "password"));
        ASSIGN_OR_RETURN(std::optional<std::string> totp, optional_string(body, "totp"));
        ASSIGN_OR_RETURN(
            service::LoginResult login,
            accounts.login(username, password, totp.value_or(""), service::address_of(r.remote)));
        return session_response(login, services);
      });

  router.add(Method::kPost, "/api/logout",
             authed(
                 services,
                 [&accounts](const Request& r, const service::Principal&) -> StatusOr<Response> {
                   RETURN_IF_ERROR(accounts.logout(cookie_value(r, kSessionCookie),
                                                   service::address_of(r.remote)));
                   Response response = json_response({{"ok", true}});
                   response.headers.emplace_back("Set-Cookie", session_cookie("", 0));
                   return response;
                 },
                 PasswordChange::kAllowed));

  router.add(Method::kGet, "/api/me",
             authed(
                 services,
                 [&services, &accounts](const Request& r,
                                        const service::Principal& who) -> StatusOr<Response> {
                   json out = {{"user", principal_json(who, services)},
                               {"mustChangePassword", who.must_change_password},
                               {"via", who.via}};
                   if (who.via == "session") {
                     ASSIGN_OR_RETURN(service::SessionAuth auth,
                                      accounts.authenticate_session(cookie_value(r, kSessionCookie),
                                                                    who.remote));
                     out["csrfToken"] = auth.csrf_token;
                   }
                   Response response = json_response(out);
                   response.headers.emplace_back("Cache-Control", "no-store");
                   return response;
                 },
                 PasswordChange::kAllowed));

  router.add(Method::kPost, "/api/password",
             authed(
                 services,
                 [&services, &accounts](const Request& r,
                                        const service::Principal& who) -> StatusOr<Response> {
                   ASSIGN_OR_RETURN(json body, parse_json_object(r));
                   ASSIGN_OR_RETURN(std::string old_password, required_string(body, "old"));
                   ASSIGN_OR_RETURN(std::string new_password, required_string(body, "new"));
                   ASSIGN_OR_RETURN(service::LoginResult login,
                                    accounts.change_password(who, old_password, new_password));
                   return session_response(login, services);
                 },
                 PasswordChange::kAllowed));

  router.add(
      Method::kPost, "/api/totp/setup",
      authed(services,
             [&accounts](const Request&, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(std::string secret, accounts.new_totp_secret(who));
               std::string url = fmt::format("otpauth://totp/tianbao:{}?secret={}&issuer=tianbao",
                                             who.username, secret);
               return json_response({{"secret", secret}, {"otpauthUrl", url}});
             }));

  router.add(
      Method::kPost, "/api/totp/enable",
      authed(services,
             [&accounts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(json body, parse_json_object(r));
               ASSIGN_OR_RETURN(std::string secret, required_string(body, "secret"));
               ASSIGN_OR_RETURN(std::string code, required_string(body, "code"));
               RETURN_IF_ERROR(accounts.enable_totp(who, secret, code));
               return json_response({{"ok", true}});
             }));

  router.add(
      Method::kGet, "/api/tokens",
      authed(services,
             [&accounts](const Request&, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto tokens, accounts.list_tokens(who));
               json list = json::array();
               for (const auto& t : tokens) list.push_back(token_json(t));
               return json_response({{"tokens", list}});
             }));

  router.add(
      Method::kPost, "/api/tokens",
      authed(services,
             [&accounts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(json body, parse_json_object(r));
               ASSIGN_OR_RETURN(std::optional<std::string> name, optional_string(body, "name"));
               ASSIGN_OR_RETURN(service::NewToken token,
                                accounts.create_token(who, name.value_or("")));
               json out = token_json(token.view);
               out["token"] = token.token;
               Response response = json_response(out, 201);
               response.headers.emplace_back("Cache-Control", "no-store");
               return response;
             }));

  router.add(
      Method::kDelete, "/api/tokens/{id}",
      authed(services,
             [&accounts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(
                   std::int64_t id,
                   path_id(r, "id", NotFound("令牌不存在或已吊销", "id", "unknown_token")));
               RETURN_IF_ERROR(accounts.revoke_token(who, id));
               return json_response({{"ok", true}});
             }));
}

}  // namespace tianbao::http
