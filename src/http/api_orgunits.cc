#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

constexpr std::size_t kDefaultPageSize = 50;

json org_unit_json(const service::OrgUnitInfo& info) {
  const model::OrgUnit& u = info.unit;
  return json{
      {"code", u.code},
      {"name", u.name},
      {"level", u.level},
      {"levelName", model::level_name(u.level)},
      {"kind", model::kind_name(u.kind)},
      {"parent", u.parent_code.empty() ? json(nullptr) : json(u.parent_code)},
      {"path", info.path},
      {"childCount", info.child_count},
  };
}

}  // namespace

void register_orgunit_routes(Router& router, service::Services& services) {
  service::OrgUnits& units = services.org_units();

  router.add(Method::kGet, "/api/orgunits/{code}",
             authed(services, [&units](const Request& r, const service::Principal& who)
                                  -> StatusOr<Response> {
               ASSIGN_OR_RETURN(service::OrgUnitInfo info, units.get(who, r.params.at("code")));
               return json_response(org_unit_json(info));
             }));

  router.add(Method::kGet, "/api/orgunits/{code}/children",
             authed(services, [&units](const Request& r, const service::Principal& who)
                                  -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto children, units.children(who, r.params.at("code")));
               json list = json::array();
               for (const auto& c : children) list.push_back(org_unit_json(c));
               return json_response({{"orgUnits", list}});
             }));

  router.add(Method::kGet, "/api/orgunits",
             authed(services, [&units](const Request& r, const service::Principal& who)
                                  -> StatusOr<Response> {
               service::OrgUnitQuery query;
               query.q = r.query_value("q").value_or("");
               ASSIGN_OR_RETURN(auto level, int_param(r, "level", 1, 5));
               if (level) query.level = static_cast<int>(*level);
               if (auto parent = r.query_value("parent"); parent && !parent->empty()) {
                 query.parent = *parent;
               }
               ASSIGN_OR_RETURN(auto page, int_param(r, "page", 1, 1'000'000));
               ASSIGN_OR_RETURN(auto page_size,
                                int_param(r, "pageSize", 1, service::OrgUnits::kMaxPageSize));
               query.limit = page_size ? static_cast<std::size_t>(*page_size) : kDefaultPageSize;
               query.offset = page ? static_cast<std::size_t>(*page - 1) * query.limit : 0;
               ASSIGN_OR_RETURN(service::OrgUnitPage result, units.search(who, query));
               json list = json::array();
               for (const auto& u : result.units) list.push_back(org_unit_json(u));
               return json_response({{"orgUnits", list},
                                     {"pager",
                                      {{"page", page.value_or(1)},
                                       {"pageSize", query.limit},
                                       {"total", result.total}}}});
             }));

  router.add(Method::kPost, "/api/orgunits",
             authed(services, [&units](const Request& r, const service::Principal& who)
                                  -> StatusOr<Response> {
               ASSIGN_OR_RETURN(json body, parse_json_object(r));
               service::NewDepartment department;
               ASSIGN_OR_RETURN(department.code, required_string(body, "code"));
               ASSIGN_OR_RETURN(department.name, required_string(body, "name"));
               ASSIGN_OR_RETURN(department.parent, required_string(body, "parent"));
               ASSIGN_OR_RETURN(std::optional<std::string> kind, optional_string(body, "kind"));
               if (kind && *kind != "department") {
                 return InvalidArgument("只能新增部门（kind 为 department）；区划来自国家区划代码",
                                        "kind", "invalid_kind");
               }
               ASSIGN_OR_RETURN(service::OrgUnitInfo info, units.add_department(who, department));
               Response response = json_response(org_unit_json(info), 201);
               response.headers.emplace_back("Location", "/api/orgunits/" + info.unit.code);
               return response;
             }));
}

}  // namespace tianbao::http
