#include <sstream>

#include <fmt/format.h>

#include "exchange/data_value_sets.h"
#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

std::vector<std::string> list_param(const Request& r, const std::string& name) {
  std::vector<std::string> out;
  for (auto [it, end] = r.query.equal_range(name); it != end; ++it) {
    std::size_t start = 0;
    const std::string& v = it->second;
    while (start <= v.size()) {
      std::size_t stop = v.find(';', start);
      if (stop == std::string::npos) stop = v.size();
      if (stop > start) out.push_back(v.substr(start, stop - start));
      start = stop + 1;
    }
  }
  return out;
}

bool flag(const Request& r, const std::string& name) {
  std::string v = r.query_value(name).value_or("false");
  return v == "true" || v == "1";
}

Handler export_handler(service::Services& services, std::string format) {
  return authed(
      services,
      [&services, format](const Request& r, const service::Principal& who) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(auto values,
                         services.data_import().export_values(
                             who, list_param(r, "dataElement"), list_param(r, "orgUnit"),
                             list_param(r, "period"), flag(r, "children")));
        std::string wanted = format;
        std::string accept = r.header("accept");
        if (wanted.empty() && accept.find("text/csv") != std::string::npos) wanted = "csv";
        if (wanted.empty() && accept.find("xml") != std::string::npos) wanted = "adx";
        Response response;
        if (wanted == "csv") {
          response.content_type = "text/csv; charset=utf-8";
          response.body = exchange::values_to_csv(values);
          response.headers.emplace_back("Content-Disposition",
                                        "attachment; filename=\"dataValueSets.csv\"");
        } else if (wanted == "adx") {
          response.content_type = "application/adx+xml; charset=utf-8";
          response.body = exchange::values_to_adx(values);
        } else {
          response.body = exchange::values_to_json(values);
        }
        return response;
      });
}

}  // namespace

json import_summary_json(const service::ImportSummary& s) {
  json conflicts = json::array();
  for (const service::ImportConflict& c : s.conflicts) {
    conflicts.push_back({{"object", c.object}, {"value", c.value}});
  }
  return {{"status", s.status},
          {"importCount",
           {{"imported", s.imported},
            {"updated", s.updated},
            {"ignored", s.ignored},
            {"deleted", s.deleted}}},
          {"conflicts", conflicts},
          {"conflictCount", s.conflict_count}};
}

void register_data_value_routes(Router& router, service::Services& services) {
  router.add(
      Method::kPost, "/api/dataValueSets",
      authed(services,
             [&services](const Request& r, const service::Principal& who) -> StatusOr<Response> {
               service::ImportOptions options;
               options.dry_run = flag(r, "dryRun");
               options.atomic = flag(r, "atomic");
               ASSIGN_OR_RETURN(
                   options.strategy,
                   service::parse_import_strategy(r.query_value("importStrategy").value_or("")));
               std::optional<exchange::DataFormat> format =
                   exchange::format_from_content_type(r.header("content-type"));
               if (!format) {
                 // Sniff: JSON starts with "{", ADX with "<"; anything else is CSV.
                 std::size_t first = r.body.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
                 char c = first == std::string::npos ? ' ' : r.body[first];
                 format = c == '{'   ? exchange::DataFormat::kJson
                          : c == '<' ? exchange::DataFormat::kAdx
                                     : exchange::DataFormat::kCsv;
               }
               auto body = std::make_shared<const std::string>(r.body);
               service::RowSourceFactory open = [body, format]() -> StatusOr<service::RowSource> {
                 if (*format == exchange::DataFormat::kJson) return exchange::json_rows(body);
                 if (*format == exchange::DataFormat::kAdx) return exchange::adx_rows(body);
                 return exchange::csv_rows(std::make_shared<std::istringstream>(*body));
               };
               ASSIGN_OR_RETURN(service::ImportSummary summary,
                                services.data_import().run(who, open, options));
               return json_response(import_summary_json(summary));
             }));
  router.add(Method::kGet, "/api/dataValueSets", export_handler(services, ""));
  router.add(Method::kGet, "/api/dataValueSets.json", export_handler(services, "json"));
  router.add(Method::kGet, "/api/dataValueSets.csv", export_handler(services, "csv"));
  router.add(Method::kGet, "/api/dataValueSets.adx", export_handler(services, "adx"));
}

}  // namespace tianbao::http
