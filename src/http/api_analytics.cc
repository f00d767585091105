#include <cmath>
#include <cstdio>
#include <iterator>
#include <unordered_map>

#include <fmt/format.h>

#include "exchange/xlsx.h"
#include "http/api_routes.h"
#include "http/api_support.h"
#include "model/text.h"

namespace tianbao::http {

namespace {

constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Appends `text` as a JSON string. Text in tables was checked to be UTF-8
// when stored, so only quotes, backslashes and control characters need
// escaping; this runs for every name of a large answer, where building a
// JSON value per string cost more than the figures themselves.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(plain, i - plain));
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    }
    plain = i + 1;
  }
  out.append(text.substr(plain));
  out += '"';
}

// A cell as DHIS2 writes it: the figure as a string, "" when empty.
void append_cell(std::string& out, std::optional<double> cell) {
  out += '"';
  if (cell) model::append_figure(out, *cell);
  out += '"';
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

const char* column_name(std::string_view dim) {
  if (dim == "dx") return "指标";
  if (dim == "ou") return "单位";
  return "期间";
}

const char* measure_column(service::Measure m) {
  switch (m) {
    case service::Measure::kValue:
      return "数值";
    case service::Measure::kNew:
      return "本期新增";
    case service::Measure::kMom:
      return "环比(%)";
    case service::Measure::kYoy:
      return "同比(%)";
    case service::Measure::kRank:
      return "排名";
  }
  return "数值";
}

StatusOr<service::AnalyticsRequest> parse_request(const Request& r) {
  service::AnalyticsRequest req;
  req.shown.clear();
  auto take = [&](const std::string& spec, bool shown) -> Status {
    std::size_t colon = spec.find(':');
    std::string dim = spec.substr(0, colon);
    if (dim != "dx" && dim != "ou" && dim != "pe") {
      return InvalidArgument(fmt::format("维度须为 dx（指标）、ou（单位）或 pe（期间），收到“{}”",
                                         model::sanitize_for_message(dim)),
                             "dimension", "invalid_dimension");
    }
    if (colon == std::string::npos || colon + 1 >= spec.size()) {
      return InvalidArgument(fmt::format("维度 {} 缺少取值，如 {}:…", dim, dim), "dimension",
                             "invalid_dimension");
    }
    std::vector<std::string>& items = dim == "dx" ? req.dx : dim == "ou" ? req.ou : req.pe;
    if (!items.empty()) {
      return InvalidArgument(fmt::format("维度 {} 出现了两次", dim), "dimension",
                             "invalid_dimension");
    }
    items = split(spec.substr(colon + 1), ';');
    if (shown) req.shown.push_back(dim);
    return Status::Ok();
  };
  for (auto [it, end] = r.query.equal_range("dimension"); it != end; ++it) {
    RETURN_IF_ERROR(take(it->second, true));
  }
  for (auto [it, end] = r.query.equal_range("filter"); it != end; ++it) {
    RETURN_IF_ERROR(take(it->second, false));
  }
  if (req.ou.empty()) req.ou = {"USER_ORGUNIT"};
  if (auto measures = r.query_value("measure"); measures && !measures->empty()) {
    req.measures.clear();
    for (const std::string& m : split(*measures, ',')) {
      ASSIGN_OR_RETURN(service::Measure parsed, service::parse_measure(m));
      req.measures.push_back(parsed);
    }
  }
  std::string own = r.query_value("includeOwnDepartments").value_or("false");
  req.own_departments = own == "true" || own == "1";
  return req;
}

// id → name, built once per export.
class Names {
 public:
  explicit Names(const service::AnalyticsTable& t) {
    for (const auto& [id, item] : t.items) names_.emplace(id, &item.name);
  }
  const std::string& operator()(const std::string& id) const {
    auto it = names_.find(id);
    return it == names_.end() ? id : *it->second;
  }

 private:
  std::unordered_map<std::string_view, const std::string*> names_;
};

Response csv_response(const service::AnalyticsTable& t) {
  Names name_of(t);
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string body = "\xEF\xBB\xBF";  // BOM, so Excel reads UTF-8
  std::vector<std::string> head;
  for (const std::string& d : t.shown) {
    head.push_back(d);
    head.push_back(column_name(d));
  }
  for (service::Measure m : t.measures) head.emplace_back(service::measure_name(m));
  for (std::size_t i = 0; i < head.size(); ++i) body += (i ? "," : "") + quote(head[i]);
  body += "\r\n";
  for (std::size_t r = 0; r < t.row_count(); ++r) {
    std::vector<std::string> cells;
    for (std::size_t d = 0; d < t.shown.size(); ++d) {
      cells.push_back(t.key(r, d));
      cells.push_back(name_of(t.key(r, d)));
    }
    for (std::size_t m = 0; m < t.measures.size(); ++m) {
      std::optional<double> c = t.cell(r, m);
      cells.push_back(c ? model::format_figure(*c) : "");
    }
    for (std::size_t i = 0; i < cells.size(); ++i) body += (i ? "," : "") + quote(cells[i]);
    body += "\r\n";
  }
  Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"analytics.csv\"");
  return r;
}

StatusOr<Response> xlsx_response(const service::AnalyticsTable& t) {
  Names name_of(t);
  exchange::Sheet sheet;
  sheet.name = "数据分析";
  exchange::Row head;
  for (const std::string& d : t.shown) head.emplace_back(column_name(d));
  for (service::Measure m : t.measures) head.emplace_back(measure_column(m));
  sheet.rows.push_back(head);
  for (std::size_t r = 0; r < t.row_count(); ++r) {
    exchange::Row cells;
    for (std::size_t d = 0; d < t.shown.size(); ++d) cells.push_back(name_of(t.key(r, d)));
    for (std::size_t m = 0; m < t.measures.size(); ++m) {
      std::optional<double> c = t.cell(r, m);
      cells.push_back(c ? model::format_figure(*c) : "");
    }
    sheet.rows.push_back(std::move(cells));
  }
  for (std::size_t c = t.shown.size(); c < head.size(); ++c) sheet.numeric_columns.push_back(c);
  sheet.column_widths.assign(head.size(), 16);
  exchange::Workbook book;
  book.sheets.push_back(std::move(sheet));
  ASSIGN_OR_RETURN(std::string bytes, exchange::write_xlsx(book));
  Response r;
  r.content_type = kXlsxType;
  r.body = std::move(bytes);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"analytics.xlsx\"");
  return r;
}

// The DHIS2-shaped body. Rows are written directly rather than through a
// JSON DOM: a query can return a few hundred thousand cells.
std::string table_json(const service::AnalyticsTable& t) {
  json headers = json::array();
  for (const std::string& d : t.shown) headers.push_back({{"name", d}, {"column", column_name(d)}});
  for (service::Measure m : t.measures) {
    headers.push_back({{"name", service::measure_name(m)}, {"column", measure_column(m)}});
  }
  std::vector<std::vector<std::string>> quoted(t.axis.size());
  for (std::size_t d = 0; d < t.axis.size(); ++d) {
    for (const std::string& k : t.axis[d]) append_json_string(quoted[d].emplace_back(), k);
  }
  std::string out = "{\"headers\":" + headers.dump() + ",\"rows\":[";
  out.reserve(out.size() + t.row_count() * (16 * t.shown.size() + 12 * t.measures.size()) +
              t.items.size() * 48);
  for (std::size_t r = 0; r < t.row_count(); ++r) {
    out += r ? ",[" : "[";
    for (std::size_t d = 0; d < t.shown.size(); ++d) {
      if (d) out += ',';
      out += quoted[d][t.keys[r * t.shown.size() + d]];
    }
    for (std::size_t m = 0; m < t.measures.size(); ++m) {
      if (t.shown.size() + m > 0) out += ',';
      append_cell(out, t.cell(r, m));
    }
    out += ']';
  }
  out += "],\"metaData\":{\"items\":{";
  for (std::size_t k = 0; k < t.items.size(); ++k) {
    const auto& [id, item] = t.items[k];
    if (k) out += ',';
    append_json_string(out, id);
    out += ":{\"name\":";
    append_json_string(out, item.name);
    if (!item.unit.empty()) {
      out += ",\"unit\":";
      append_json_string(out, item.unit);
    }
    if (item.level) fmt::format_to(std::back_inserter(out), ",\"level\":{}", item.level);
    out += '}';
  }
  out += "},\"dimensions\":" + json(t.dimensions).dump() + "}" +
         fmt::format(",\"height\":{},\"width\":{}}}", t.row_count(),
                     t.shown.size() + t.measures.size());
  return out;
}

Handler analytics_handler(service::Services& services, std::string format) {
  return authed(
      services,
      [&services, format](const Request& r, const service::Principal& who) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(service::AnalyticsRequest req, parse_request(r));
        ASSIGN_OR_RETURN(service::AnalyticsTable table, services.analytics().query(who, req));
        std::string accept = r.header("accept");
        std::string wanted = format;
        if (wanted.empty() && accept.find("text/csv") != std::string::npos) wanted = "csv";
        if (wanted.empty() && accept.find("spreadsheetml") != std::string::npos) wanted = "xlsx";
        if (wanted == "csv" || wanted == "xlsx") {
          RETURN_IF_ERROR(
              services.audit().record(who, {"analytics.export", "analytics", "ok",
                                            fmt::format("{} 行 {}", table.row_count(), wanted)}));
          return wanted == "csv" ? csv_response(table) : xlsx_response(table);
        }
        Response response;
        response.body = table_json(table);
        return response;
      });
}

}  // namespace

void register_analytics_routes(Router& router, service::Services& services) {
  router.add(Method::kGet, "/api/analytics", analytics_handler(services, ""));
  router.add(Method::kGet, "/api/analytics.csv", analytics_handler(services, "csv"));
  router.add(Method::kGet, "/api/analytics.xlsx", analytics_handler(services, "xlsx"));
}

}  // namespace tianbao::http
