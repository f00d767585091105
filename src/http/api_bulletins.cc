// Bulletin and work-report templates, and their rendering:
//   GET/POST /api/bulletins, GET/PUT/DELETE /api/bulletins/{code},
//   POST or GET /api/bulletins/{code}/render?period=2022-08&format=docx|xlsx|html
#include <fmt/format.h>

#include "exchange/bulletin_render.h"
#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

json summary_json(const service::BulletinTemplate& t) {
  return {{"code", t.code},
          {"kind", t.kind},
          {"title", t.title},
          {"issuer", t.issuer},
          {"updatedAt", format_time(t.updated_at)},
          {"updatedBy", t.updated_by}};
}

json full_json(const service::BulletinTemplate& t) {
  json out = service::bulletin_template_json(t);
  out["updatedAt"] = format_time(t.updated_at);
  out["updatedBy"] = t.updated_by;
  return out;
}

// The template in a request body; on PUT the code comes from the path.
StatusOr<service::BulletinTemplate> template_from(const Request& r,
                                                  const std::optional<std::string>& code) {
  ASSIGN_OR_RETURN(json body, parse_json_object(r));
  if (code) {
    auto given = body.find("code");
    if (given != body.end() && !given->is_null() && *given != *code) {
      return InvalidArgument("请求体中的 code 与地址中的模板代码不一致", "code", "code_mismatch");
    }
    body["code"] = *code;
  }
  // Read-only members a client may send back unchanged.
  body.erase("updatedAt");
  body.erase("updatedBy");
  return service::parse_bulletin_template(body);
}

StatusOr<Response> render(service::Services& services, const Request& r,
                          const service::Principal& who) {
  service::RenderOptions options;
  std::optional<std::string> period = r.query_value("period");
  if (!period || period->empty()) {
    return InvalidArgument("须指定期间 period，如 2022-08", "period", "required");
  }
  options.period = *period;
  options.date = r.query_value("date").value_or("");
  options.format = r.query_value("format").value_or("docx");
  if (options.format != "docx" && options.format != "xlsx" && options.format != "html") {
    // Refused before rendering, so a typo is not audited as a render.
    return InvalidArgument("format 须为 docx、xlsx 或 html", "format", "invalid_format");
  }
  ASSIGN_OR_RETURN(service::BulletinDocument doc,
                   services.bulletins().render(who, r.params.at("code"), options));
  ASSIGN_OR_RETURN(exchange::BulletinFile file, exchange::write_bulletin(doc, options.format));
  Response out;
  out.body = std::move(file.bytes);
  out.content_type = std::move(file.content_type);
  if (options.format != "html") {
    out.headers.emplace_back("Content-Disposition",
                             fmt::format("attachment; filename=\"{}\"",
                                         exchange::bulletin_file_name(doc, options.format)));
  }
  return out;
}

}  // namespace

void register_bulletin_routes(Router& router, service::Services& services) {
  service::Bulletins& bulletins = services.bulletins();
  router.add(
      Method::kGet, "/api/bulletins",
      authed(services,
             [&bulletins](const Request&, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(auto list, bulletins.list(who));
               json out = json::array();
               for (const service::BulletinTemplate& t : list) out.push_back(summary_json(t));
               return json_response({{"bulletins", out}});
             }));
  router.add(
      Method::kPost, "/api/bulletins",
      authed(services,
             [&bulletins](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(service::BulletinTemplate t, template_from(r, std::nullopt));
               ASSIGN_OR_RETURN(service::BulletinTemplate created,
                                bulletins.create(who, std::move(t)));
               return json_response(full_json(created), 201);
             }));
  router.add(
      Method::kGet, "/api/bulletins/{code}",
      authed(services,
             [&bulletins](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(service::BulletinTemplate t,
                                bulletins.get(who, r.params.at("code")));
               return json_response(full_json(t));
             }));
  router.add(
      Method::kPut, "/api/bulletins/{code}",
      authed(services,
             [&bulletins](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               ASSIGN_OR_RETURN(service::BulletinTemplate t, template_from(r, r.params.at("code")));
               ASSIGN_OR_RETURN(service::BulletinTemplate updated,
                                bulletins.update(who, std::move(t)));
               return json_response(full_json(updated));
             }));
  router.add(
      Method::kDelete, "/api/bulletins/{code}",
      authed(services,
             [&bulletins](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               RETURN_IF_ERROR(bulletins.remove(who, r.params.at("code")));
               return json_response({{"ok", true}});
             }));
  auto render_handler = [&services](const Request& r, const service::Principal& who) {
    return render(services, r, who);
  };
  router.add(Method::kPost, "/api/bulletins/{code}/render", authed(services, render_handler));
  router.add(Method::kGet, "/api/bulletins/{code}/render", authed(services, render_handler));
}

}  // namespace tianbao::http
