#include "http/api.h"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "http/response.h"
#include "model/text.h"

namespace tianbao::http {

namespace {

using nlohmann::json;

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

// An optional positive integer query parameter within [min, max].
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

// A required string member of a JSON object.
StatusOr<std::string> string_member(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    return InvalidArgument(fmt::format("缺少字段 {}", name), name, "required");
  }
  if (!it->is_string()) return InvalidArgument(fmt::format("字段 {} 须为字符串", name), name, "invalid_type");
  return it->get<std::string>();
}

// Until user accounts land (the security issue), no caller is an
// administrator, so administrative writes are refused rather than open.
Status require_admin(const Request&) {
  return Status(StatusCode::kUnauthenticated, "此操作需要以管理员身份登录", "authorization",
                "unauthenticated");
}

}  // namespace

void register_api(Router& router, service::Services& services) {
  service::OrgUnits& units = services.org_units();

  router.add(Method::kGet, "/api/health", [&services](const Request&) -> StatusOr<Response> {
    ASSIGN_OR_RETURN(int schema, services.store().schema_version());
    return json_response({{"status", "ok"},
                          {"schemaVersion", schema},
                          {"orgUnits", services.org_units().tree()->size()}});
  });

  router.add(Method::kGet, "/api/orgunits/{code}", [&units](const Request& r) -> StatusOr<Response> {
    ASSIGN_OR_RETURN(service::OrgUnitInfo info, units.get(r.params.at("code")));
    return json_response(org_unit_json(info));
  });

  router.add(Method::kGet, "/api/orgunits/{code}/children",
             [&units](const Request& r) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto children, units.children(r.params.at("code")));
               json list = json::array();
               for (const auto& c : children) list.push_back(org_unit_json(c));
               return json_response({{"orgUnits", list}});
             });

  router.add(Method::kGet, "/api/orgunits", [&units](const Request& r) -> StatusOr<Response> {
    service::OrgUnitQuery query;
    query.q = r.query_value("q").value_or("");
    ASSIGN_OR_RETURN(auto level, int_param(r, "level", 1, 5));
    if (level) query.level = static_cast<int>(*level);
    if (auto parent = r.query_value("parent"); parent && !parent->empty()) query.parent = *parent;
    ASSIGN_OR_RETURN(auto page, int_param(r, "page", 1, 1'000'000));
    ASSIGN_OR_RETURN(auto page_size, int_param(r, "pageSize", 1, service::OrgUnits::kMaxPageSize));
    query.limit = page_size ? static_cast<std::size_t>(*page_size) : kDefaultPageSize;
    query.offset = page ? static_cast<std::size_t>(*page - 1) * query.limit : 0;
    ASSIGN_OR_RETURN(service::OrgUnitPage result, units.search(query));
    json list = json::array();
    for (const auto& u : result.units) list.push_back(org_unit_json(u));
    return json_response({{"orgUnits", list},
                          {"pager",
                           {{"page", page.value_or(1)},
                            {"pageSize", query.limit},
                            {"total", result.total}}}});
  });

  router.add(Method::kPost, "/api/orgunits", [&units](const Request& r) -> StatusOr<Response> {
    RETURN_IF_ERROR(require_admin(r));
    ASSIGN_OR_RETURN(json body, parse_json_object(r));
    service::NewDepartment department;
    ASSIGN_OR_RETURN(department.code, string_member(body, "code"));
    ASSIGN_OR_RETURN(department.name, string_member(body, "name"));
    ASSIGN_OR_RETURN(department.parent, string_member(body, "parent"));
    std::string kind = "department";
    if (auto it = body.find("kind"); it != body.end() && !it->is_null()) {
      ASSIGN_OR_RETURN(kind, string_member(body, "kind"));
    }
    if (kind != "department") {
      return InvalidArgument("只能新增部门（kind 为 department）；区划来自国家区划代码", "kind",
                             "invalid_kind");
    }
    ASSIGN_OR_RETURN(service::OrgUnitInfo info, units.add_department(department));
    Response response = json_response(org_unit_json(info), 201);
    response.headers.emplace_back("Location", "/api/orgunits/" + info.unit.code);
    return response;
  });
}

}  // namespace tianbao::http
