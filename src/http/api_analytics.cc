#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
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

// Eight bytes at a time: true when none of them needs escaping (exact for
// the question asked: below 0x20, '"' or '\\'; the bytes of multi-byte UTF-8
// sequences are all 0x80 or more, so Chinese names pass whole words).
bool plain_word(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) == 0;
}

// The most a JSON string of `n` bytes takes (every byte as \u00XX, quotes).
constexpr std::size_t json_string_room(std::size_t n) {
  return 6 * n + 2;
}

// Writes `text` as a JSON string at `p` (json_string_room bytes free);
// returns the end. Text in tables was checked to be UTF-8 when stored, so
// only quotes, backslashes and control characters need escaping; this runs
// for every name of a large answer, where building a JSON value per string
// cost more than the figures themselves.
char* write_json_string(char* p, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* in = text.data();
  const std::size_t n = text.size();
  *p++ = '"';
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, in + i, 8);
      if (plain_word(w)) {
        std::memcpy(p, &w, 8);
        p += 8;
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(in[i++]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *p++ = static_cast<char>(c);
    } else if (c == '"' || c == '\\') {
      *p++ = '\\';
      *p++ = static_cast<char>(c);
    } else {
      p = std::copy_n("\\u00", 4, p);
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 15];
    }
  }
  *p++ = '"';
  return p;
}

// Room for `n` more bytes at the end of `out`, to be written through the
// pointer and given back with `finish`: a large answer is written without
// a capacity check per character.
char* extend(std::string& out, std::size_t n) {
  const std::size_t at = out.size();
  if (out.capacity() < at + n) out.reserve(std::max(at + n, 2 * out.capacity()));
  out.resize(at + n);
  return out.data() + at;
}
void finish(std::string& out, const char* end) {
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void append_json_string(std::string& out, std::string_view text) {
  finish(out, write_json_string(extend(out, json_string_room(text.size())), text));
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

const char* column_name(service::Dimension d) {
  switch (d) {
    case service::Dimension::kData:
      return "指标";
    case service::Dimension::kOrgUnit:
      return "单位";
    case service::Dimension::kPeriod:
      return "期间";
  }
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
    std::optional<service::Dimension> parsed = service::parse_dimension(dim);
    if (!parsed) {
      return InvalidArgument(fmt::format("维度须为 dx（指标）、ou（单位）或 pe（期间），收到“{}”",
                                         model::sanitize_for_message(dim)),
                             "dimension", "invalid_dimension");
    }
    if (colon == std::string::npos || colon + 1 >= spec.size()) {
      return InvalidArgument(fmt::format("维度 {} 缺少取值，如 {}:…", dim, dim), "dimension",
                             "invalid_dimension");
    }
    std::vector<std::string>& items = *parsed == service::Dimension::kData      ? req.dx
                                      : *parsed == service::Dimension::kOrgUnit ? req.ou
                                                                                : req.pe;
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
    for (const auto& [id, item] : t.items) names_.emplace(id, item.name);
  }
  std::string_view operator()(std::string_view id) const {
    auto it = names_.find(id);
    return it == names_.end() ? id : it->second;
  }

 private:
  std::unordered_map<std::string_view, std::string_view> names_;
};

Response csv_response(const service::AnalyticsTable& t) {
  Names name_of(t);
  auto quote = [](std::string_view text) {
    std::string s(text);
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string body = "\xEF\xBB\xBF";  // BOM, so Excel reads UTF-8
  std::vector<std::string> head;
  for (service::Dimension d : t.shown) {
    head.emplace_back(service::dimension_name(d));
    head.push_back(column_name(d));
  }
  for (service::Measure m : t.measures) head.emplace_back(service::measure_name(m));
  for (std::size_t i = 0; i < head.size(); ++i) body += (i ? "," : "") + quote(head[i]);
  body += "\r\n";
  for (std::size_t r = 0; r < t.row_count(); ++r) {
    std::vector<std::string> cells;
    for (std::size_t d = 0; d < t.shown.size(); ++d) {
      cells.emplace_back(t.key(r, d));
      cells.emplace_back(name_of(t.key(r, d)));
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
  for (service::Dimension d : t.shown) head.emplace_back(column_name(d));
  for (service::Measure m : t.measures) head.emplace_back(measure_column(m));
  sheet.rows.push_back(head);
  for (std::size_t r = 0; r < t.row_count(); ++r) {
    exchange::Row cells;
    for (std::size_t d = 0; d < t.shown.size(); ++d) cells.emplace_back(name_of(t.key(r, d)));
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
  for (service::Dimension d : t.shown) {
    headers.push_back({{"name", service::dimension_name(d)}, {"column", column_name(d)}});
  }
  for (service::Measure m : t.measures) {
    headers.push_back({{"name", service::measure_name(m)}, {"column", measure_column(m)}});
  }
  // Every key quoted once; a row copies its keys' quoted text.
  std::vector<std::vector<std::string>> quoted(t.axis.size());
  std::size_t key_room = 0;  // the longest row's keys
  for (std::size_t d = 0; d < t.axis.size(); ++d) {
    quoted[d].reserve(t.axis[d].size());
    std::size_t longest = 0;
    for (std::string_view k : t.axis[d]) {
      append_json_string(quoted[d].emplace_back(), k);
      longest = std::max(longest, quoted[d].back().size());
    }
    key_room += longest + 1;
  }
  const std::size_t row_room = 3 + key_room + t.measures.size() * (model::kMaxFigureChars + 3);
  std::string out = "{\"headers\":" + headers.dump() + ",\"rows\":[";
  out.reserve(out.size() + t.row_count() * (16 * t.shown.size() + 12 * t.measures.size()) +
              t.items.size() * 48);
  const std::size_t width = t.shown.size();
  for (std::size_t r = 0; r < t.row_count(); ++r) {
    char* p = extend(out, row_room);
    if (r) *p++ = ',';
    *p++ = '[';
    for (std::size_t d = 0; d < width; ++d) {
      if (d) *p++ = ',';
      const std::string& k = quoted[d][t.keys[r * width + d]];
      p = std::copy(k.begin(), k.end(), p);
    }
    // A cell as DHIS2 writes it: the figure as a string, "" when empty.
    for (std::size_t m = 0; m < t.measures.size(); ++m) {
      if (width + m > 0) *p++ = ',';
      *p++ = '"';
      if (std::optional<double> c = t.cell(r, m)) p = model::write_figure(p, *c);
      *p++ = '"';
    }
    *p++ = ']';
    finish(out, p);
  }
  out += "],\"metaData\":{\"items\":{";
  for (std::size_t k = 0; k < t.items.size(); ++k) {
    const auto& [id, item] = t.items[k];
    char* p = extend(out, json_string_room(id.size()) + json_string_room(item.name.size()) +
                              json_string_room(item.unit.size()) + 48);
    if (k) *p++ = ',';
    p = write_json_string(p, id);
    p = std::copy_n(":{\"name\":", 9, p);
    p = write_json_string(p, item.name);
    if (!item.unit.empty()) {
      p = std::copy_n(",\"unit\":", 8, p);
      p = write_json_string(p, item.unit);
    }
    if (item.level) {
      p = std::copy_n(",\"level\":", 9, p);
      p = std::to_chars(p, p + 12, item.level).ptr;
    }
    *p++ = '}';
    finish(out, p);
  }
  out += "},\"dimensions\":{";
  for (auto d = t.dimensions.begin(); d != t.dimensions.end(); ++d) {
    if (d != t.dimensions.begin()) out += ',';
    append_json_string(out, d->first);
    out += ":[";
    for (std::size_t k = 0; k < d->second.size(); ++k) {
      char* p = extend(out, json_string_room(d->second[k].size()) + 1);
      if (k) *p++ = ',';
      finish(out, write_json_string(p, d->second[k]));
    }
    out += ']';
  }
  fmt::format_to(std::back_inserter(out), "}}}},\"height\":{},\"width\":{}}}", t.row_count(),
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
