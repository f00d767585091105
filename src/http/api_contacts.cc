
#include "exchange/contacts_xlsx.h"
#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

json contact_json(const service::ContactView& v) {
  const store::ContactRecord& c = v.contact;
  json out = {{"id", c.id},
              {"orgUnit", c.org_code},
              {"orgUnitName", v.org_name},
              {"name", c.name},
              {"title", c.title},
              {"mobile", c.mobile},
              {"officePhone", c.office_phone},
              {"email", c.email},
              {"note", c.note},
              {"masked", v.masked}};
  // Ready-made tel: links for the unit page, only for numbers the caller may see.
  if (!v.masked && !c.mobile.empty()) out["mobileLink"] = "tel:" + c.mobile;
  if (!v.masked && !c.office_phone.empty()) out["officePhoneLink"] = "tel:" + c.office_phone;
  return out;
}

StatusOr<std::int64_t> contact_id(const Request& r) {
  return path_id(r, "id", NotFound("联系人不存在", "id", "unknown_contact"));
}

StatusOr<store::ContactRecord> contact_from_body(const Request& r) {
  ASSIGN_OR_RETURN(json body, parse_json_object(r));
  store::ContactRecord c;
  ASSIGN_OR_RETURN(c.org_code, required_string(body, "orgUnit"));
  ASSIGN_OR_RETURN(c.name, required_string(body, "name"));
  ASSIGN_OR_RETURN(c.title, required_string(body, "title"));
  ASSIGN_OR_RETURN(auto mobile, optional_string(body, "mobile"));
  ASSIGN_OR_RETURN(auto office, optional_string(body, "officePhone"));
  ASSIGN_OR_RETURN(auto email, optional_string(body, "email"));
  ASSIGN_OR_RETURN(auto note, optional_string(body, "note"));
  c.mobile = mobile.value_or("");
  c.office_phone = office.value_or("");
  c.email = email.value_or("");
  c.note = note.value_or("");
  return c;
}

service::ContactQuery query_from(const Request& r) {
  return service::ContactQuery{r.query_value("q").value_or(""),
                               r.query_value("orgUnit").value_or(""),
                               r.query_value("title").value_or("")};
}

json list_json(const std::vector<service::ContactView>& contacts) {
  json list = json::array();
  for (const auto& c : contacts) list.push_back(contact_json(c));
  return {{"contacts", list}};
}

}  // namespace

void register_contact_routes(Router& router, service::Services& services) {
  service::Contacts& contacts = services.contacts();

  router.add(
      Method::kGet, "/api/contacts",
      authed(services,
             [&contacts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto found, contacts.list(who, query_from(r)));
               return json_response(list_json(found));
             }));

  router.add(Method::kGet, "/api/contacts/titles",
             authed(services, [](const Request&, const service::Principal&) -> StatusOr<Response> {
               json titles = json::array();
               for (const char* t : service::kContactTitles) titles.push_back(t);
               return json_response({{"titles", titles}});
             }));

  router.add(
      Method::kGet, "/api/contacts.xlsx",
      authed(services,
             [&services, &contacts](const Request& r,
                                    const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto found, contacts.list(who, query_from(r)));
               ASSIGN_OR_RETURN(std::string bytes, exchange::contacts_to_xlsx(found));
               RETURN_IF_ERROR(services.audit().record(
                   who,
                   {"contact.export", "contacts", "ok", std::to_string(found.size()) + " 条"}));
               Response response;
               response.content_type =
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
               response.body = std::move(bytes);
               response.headers.emplace_back("Content-Disposition",
                                             "attachment; filename=\"contacts.xlsx\"; "
                                             "filename*=UTF-8''%E9%80%9A%E8%AE%AF%E5%BD%95.xlsx");
               return response;
             }));

  router.add(
      Method::kPost, "/api/contacts/import",
      authed(services,
             [&contacts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto rows, exchange::contacts_from_xlsx(r.body));
               ASSIGN_OR_RETURN(auto summary, contacts.import_rows(who, rows));
               json conflicts = json::array();
               for (const auto& c : summary.conflicts) {
                 conflicts.push_back({{"row", c.row}, {"message", c.message}});
               }
               return json_response({{"status", summary.conflicts.empty() ? "OK" : "WARNING"},
                                     {"imported", summary.imported},
                                     {"updated", summary.updated},
                                     {"conflicts", conflicts}});
             }));

  router.add(
      Method::kPost, "/api/contacts",
      authed(services,
             [&contacts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(store::ContactRecord c, contact_from_body(r));
               ASSIGN_OR_RETURN(auto created, contacts.create(who, std::move(c)));
               return json_response(contact_json(created), 201);
             }));

  router.add(
      Method::kGet, "/api/contacts/{id}",
      authed(services,
             [&contacts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(std::int64_t id, contact_id(r));
               ASSIGN_OR_RETURN(auto c, contacts.get(who, id));
               return json_response(contact_json(c));
             }));

  router.add(
      Method::kPut, "/api/contacts/{id}",
      authed(services,
             [&contacts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(std::int64_t id, contact_id(r));
               ASSIGN_OR_RETURN(store::ContactRecord c, contact_from_body(r));
               c.id = id;
               ASSIGN_OR_RETURN(auto updated, contacts.update(who, std::move(c)));
               return json_response(contact_json(updated));
             }));

  router.add(
      Method::kDelete, "/api/contacts/{id}",
      authed(services,
             [&contacts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(std::int64_t id, contact_id(r));
               RETURN_IF_ERROR(contacts.remove(who, id));
               return json_response({{"ok", true}});
             }));

  router.add(
      Method::kGet, "/api/orgunits/{code}/contacts",
      authed(services,
             [&contacts](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               service::ContactQuery query;
               query.org_code = r.params.at("code");
               ASSIGN_OR_RETURN(auto found, contacts.list(who, query));
               return json_response(list_json(found));
             }));
}

}  // namespace tianbao::http
