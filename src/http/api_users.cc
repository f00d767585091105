#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

json user_json(const service::UserView& u) {
  return {{"username", u.username},
          {"displayName", u.display_name},
          {"orgUnit", u.org_code},
          {"roles", u.roles},
          {"mustChangePassword", u.must_change_password},
          {"disabled", u.disabled},
          {"locked", u.locked},
          {"totpEnabled", u.totp_enabled},
          {"createdAt", format_time(u.created_at)}};
}

}  // namespace

void register_user_routes(Router& router, service::Services& services) {
  service::Accounts& accounts = services.accounts();

  router.add(Method::kGet, "/api/users",
             authed(services, [&accounts](const Request& r,
                                          const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto users, accounts.list_users(who, r.query_value("q").value_or(""),
                                                               r.query_value("orgUnit").value_or("")));
               json list = json::array();
               for (const auto& u : users) list.push_back(user_json(u));
               return json_response({{"users", list}});
             }));

  router.add(Method::kPost, "/api/users",
             authed(services, [&accounts](const Request& r,
                                          const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(json body, parse_json_object(r));
               service::NewUser user;
               ASSIGN_OR_RETURN(user.username, required_string(body, "username"));
               ASSIGN_OR_RETURN(user.display_name, required_string(body, "displayName"));
               ASSIGN_OR_RETURN(user.org_code, required_string(body, "orgUnit"));
               ASSIGN_OR_RETURN(auto roles, optional_strings(body, "roles"));
               user.roles = roles.value_or(std::vector<std::string>{});
               ASSIGN_OR_RETURN(auto password, optional_string(body, "password"));
               user.password = password.value_or("");
               ASSIGN_OR_RETURN(service::CreatedUser created, accounts.create_user(who, user));
               json out = {{"user", user_json(created.user)}};
               if (!created.temporary_password.empty()) {
                 out["temporaryPassword"] = created.temporary_password;
               }
               Response response = json_response(out, 201);
               response.headers.emplace_back("Cache-Control", "no-store");
               return response;
             }));

  router.add(Method::kGet, "/api/users/{username}",
             authed(services, [&accounts](const Request& r,
                                          const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto user, accounts.get_user(who, r.params.at("username")));
               return json_response(user_json(user));
             }));

  router.add(Method::kPut, "/api/users/{username}",
             authed(services, [&accounts](const Request& r,
                                          const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(json body, parse_json_object(r));
               service::UserUpdate update;
               ASSIGN_OR_RETURN(update.display_name, optional_string(body, "displayName"));
               ASSIGN_OR_RETURN(update.org_code, optional_string(body, "orgUnit"));
               ASSIGN_OR_RETURN(update.roles, optional_strings(body, "roles"));
               ASSIGN_OR_RETURN(update.disabled, optional_bool(body, "disabled"));
               ASSIGN_OR_RETURN(auto user, accounts.update_user(who, r.params.at("username"), update));
               return json_response(user_json(user));
             }));

  router.add(Method::kPost, "/api/users/{username}/reset-password",
             authed(services, [&accounts](const Request& r,
                                          const service::Principal& who) -> StatusOr<Response> {
               std::string password;
               if (!r.body.empty()) {
                 ASSIGN_OR_RETURN(json body, parse_json_object(r));
                 ASSIGN_OR_RETURN(auto given, optional_string(body, "password"));
                 password = given.value_or("");
               }
               ASSIGN_OR_RETURN(std::string temporary,
                                accounts.reset_password(who, r.params.at("username"), password));
               json out = {{"ok", true}};
               if (!temporary.empty()) out["temporaryPassword"] = temporary;
               Response response = json_response(out);
               response.headers.emplace_back("Cache-Control", "no-store");
               return response;
             }));

  router.add(Method::kPost, "/api/users/{username}/unlock",
             authed(services, [&accounts](const Request& r,
                                          const service::Principal& who) -> StatusOr<Response> {
               RETURN_IF_ERROR(accounts.unlock(who, r.params.at("username")));
               return json_response({{"ok", true}});
             }));
}

}  // namespace tianbao::http
