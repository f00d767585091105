#include "exchange/data_value_sets.h"

#include <charconv>
#include <initializer_list>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "exchange/csv.h"
#include "exchange/xml_names.h"
#include "model/period.h"
#include "model/text.h"

namespace tianbao::exchange {

namespace {

using nlohmann::json;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A JSON scalar as the text a person would have typed; null → nullopt. An
// array or object is kept as its JSON text, which the checker then reports
// (json_rows has refused the deeply nested ones that dump() could not
// serialise without overflowing the stack).
std::optional<std::string> scalar_text(const json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return fmt::format("{}", v.get<double>());
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  return v.dump();
}

constexpr int kMaxNesting = 32;

// Whether `v` nests arrays and objects more than `levels` deep; the
// recursion stops at `levels`, however deep `v` goes.
bool nests_deeper(const json& v, int levels) {
  if (!v.is_structured()) return false;
  if (levels == 0) return true;
  for (const json& child : v) {
    if (nests_deeper(child, levels - 1)) return true;
  }
  return false;
}

// The members json_rows reads as text must not nest without bound: a body
// that does is refused before any row is imported.
Status check_nesting(const json& object, std::initializer_list<const char*> keys,
                     std::string_view where) {
  for (const char* key : keys) {
    auto it = object.find(key);
    if (it != object.end() && nests_deeper(*it, kMaxNesting)) {
      return InvalidArgument(
          fmt::format("{}的 {} 中数组或对象嵌套超过 {} 层", where, key, kMaxNesting), "dataValues",
          "invalid_json");
    }
  }
  return Status::Ok();
}

std::string value_text(const store::DataValueRecord& v) {
  if (v.number) return fmt::format("{}", *v.number);
  return v.text.value_or("");
}

}  // namespace

std::optional<DataFormat> format_from_content_type(std::string_view content_type) {
  std::string type = lower(content_type.substr(0, content_type.find(';')));
  if (type.find("json") != std::string::npos) return DataFormat::kJson;
  if (type.find("csv") != std::string::npos) return DataFormat::kCsv;
  if (type.find("xml") != std::string::npos) return DataFormat::kAdx;
  return std::nullopt;
}

std::optional<DataFormat> format_from_path(const std::filesystem::path& path) {
  std::string ext = lower(path.extension().string());
  if (ext == ".json") return DataFormat::kJson;
  if (ext == ".csv") return DataFormat::kCsv;
  if (ext == ".xml" || ext == ".adx") return DataFormat::kAdx;
  return std::nullopt;
}

StatusOr<service::RowSource> json_rows(std::shared_ptr<const std::string> body) {
  auto doc = std::make_shared<json>(json::parse(*body, nullptr, /*allow_exceptions=*/false));
  if (doc->is_discarded() || !doc->is_object()) {
    return InvalidArgument("不是有效的 JSON（须为 UTF-8 编码的对象，如 {\"dataValues\":[…]}）",
                           "file", "invalid_json");
  }
  auto values = doc->find("dataValues");
  if (values == doc->end() || !values->is_array()) {
    return InvalidArgument("JSON 中缺少 dataValues 数组", "dataValues", "invalid_json");
  }
  RETURN_IF_ERROR(check_nesting(*doc, {"period", "orgUnit"}, "JSON 顶层"));
  for (std::size_t i = 0; i < values->size(); ++i) {
    const json& item = (*values)[i];
    if (!item.is_object()) continue;
    RETURN_IF_ERROR(check_nesting(item, {"dataElement", "period", "orgUnit", "value"},
                                  fmt::format("dataValues 第 {} 项", i + 1)));
  }
  std::string default_period =
      doc->contains("period") ? scalar_text((*doc)["period"]).value_or("") : "";
  std::string default_unit =
      doc->contains("orgUnit") ? scalar_text((*doc)["orgUnit"]).value_or("") : "";
  auto index = std::make_shared<std::size_t>(0);
  return service::RowSource(
      [doc, index, default_period, default_unit](service::ImportRow& row) -> StatusOr<bool> {
        const json& list = (*doc)["dataValues"];
        if (*index >= list.size()) return false;
        const json& item = list[*index];
        row.line = ++*index;
        if (!item.is_object()) return true;  // empty fields: the checker reports them
        auto text = [&](const char* key, const std::string& fallback) {
          auto it = item.find(key);
          return it == item.end() ? fallback : scalar_text(*it).value_or(fallback);
        };
        row.data_element = text("dataElement", "");
        row.period = text("period", default_period);
        row.org_unit = text("orgUnit", default_unit);
        if (auto v = item.find("value"); v != item.end()) row.value = scalar_text(*v);
        if (auto d = item.find("deleted"); d != item.end()) {
          row.deleted = (d->is_boolean() && d->get<bool>()) ||
                        (d->is_string() && lower(d->get<std::string>()) == "true");
        }
        return true;
      });
}

service::RowSource csv_rows(std::shared_ptr<std::istream> in) {
  auto reader = std::make_shared<CsvReader>(*in);
  struct Columns {
    int data_element = -1, period = -1, org_unit = -1, value = -1, deleted = -1;
    bool read = false;
  };
  auto columns = std::make_shared<Columns>();
  auto buffer = std::make_shared<std::vector<std::string>>();  // reused row after row
  return [in, reader, columns, buffer](service::ImportRow& row) -> StatusOr<bool> {
    std::vector<std::string>& fields = *buffer;
    if (!columns->read) {
      ASSIGN_OR_RETURN(bool has_header, reader->next(fields));
      if (!has_header) return false;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string name = lower(model::trim(fields[i]));
        int k = static_cast<int>(i);
        if (name == "dataelement") columns->data_element = k;
        if (name == "period") columns->period = k;
        if (name == "orgunit") columns->org_unit = k;
        if (name == "value") columns->value = k;
        if (name == "deleted") columns->deleted = k;
      }
      if (columns->data_element < 0 || columns->period < 0 || columns->org_unit < 0 ||
          columns->value < 0) {
        return InvalidArgument(
            "CSV 的第一行须为表头，至少包含 dataelement,period,orgunit,value 四列", "file",
            "csv_header");
      }
      columns->read = true;
    }
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader->next(fields));
      if (!more) return false;
      if (fields.size() == 1 && model::trim(fields[0]).empty()) continue;  // blank line
      auto at = [&](int k) -> std::string_view {
        return k >= 0 && static_cast<std::size_t>(k) < fields.size() ? fields[k]
                                                                     : std::string_view();
      };
      row.line = reader->line();
      row.data_element = model::trim(at(columns->data_element));
      row.period = model::trim(at(columns->period));
      row.org_unit = model::trim(at(columns->org_unit));
      std::string_view value = at(columns->value);
      if (!model::trim(value).empty()) row.value = value;
      row.deleted = lower(model::trim(at(columns->deleted))) == "true";
      return true;
    }
  };
}

StatusOr<std::string> period_from_adx(std::string_view text) {
  Status bad =
      InvalidArgument(fmt::format("ADX 期间须为“起始日期/时长”，如 2022-08-01/P1M，收到“{}”",
                                  model::sanitize_for_message(text)),
                      "period", "invalid_period");
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad;
  std::string_view date = text.substr(0, slash), duration = text.substr(slash + 1);
  if (!model::is_valid_date(date) || date.substr(8) != "01") return bad;
  int year = std::atoi(std::string(date.substr(0, 4)).c_str());
  int month = std::atoi(std::string(date.substr(5, 2)).c_str());
  std::optional<model::Period> period;
  if (duration == "P1M") {
    period = model::Period::month(year, month);
  } else if (duration == "P1Y" && month == 1) {
    period = model::Period::year(year);
  } else if (duration == "P3M" && (month - 1) % 3 == 0) {
    period = model::Period::quarter(year, (month - 1) / 3 + 1);
  } else if (duration.size() >= 3 && duration.size() <= 4 && duration.front() == 'P' &&
             duration.back() == 'M' && month == 1) {
    // P2M … P12M, digits only: "P1]M" or "P02M" would not be written back
    // the same way (P1M is a month, above).
    std::string_view digits = duration.substr(1, duration.size() - 2);
    int n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && digits.front() != '0' &&
        n >= 2 && n <= 12) {
      period = model::Period::month_range(year, 1, n);
    }
  }
  if (!period) return bad;
  // The year must be one Period::parse accepts, or the period would be
  // refused on import and could not be exported back as ADX.
  StatusOr<model::Period> checked = model::Period::parse(period->to_string());
  if (!checked.ok()) return checked.status();
  return checked->to_string();
}

std::string period_to_adx(std::string_view period) {
  StatusOr<model::Period> p = model::Period::parse(period);
  if (!p.ok()) return std::string(period);
  switch (p->kind()) {
    case model::Period::Kind::kMonth:
      return p->start_date() + "/P1M";
    case model::Period::Kind::kQuarter:
      return p->start_date() + "/P3M";
    case model::Period::Kind::kYear:
      return p->start_date() + "/P1Y";
    case model::Period::Kind::kMonthRange:
      return fmt::format("{}/P{}M", p->start_date(), p->month_count());
  }
  return std::string(period);
}

StatusOr<service::RowSource> adx_rows(std::shared_ptr<const std::string> body) {
  auto doc = std::make_shared<pugi::xml_document>();
  pugi::xml_parse_result parsed = doc->load_buffer(body->data(), body->size());
  if (!parsed) {
    return InvalidArgument(fmt::format("不是有效的 ADX（XML）：{}（第 {} 个字节处）",
                                       parsed.description(), parsed.offset),
                           "file", "invalid_adx");
  }
  // Names are matched without their prefix: <adx:group> is as good as <group>.
  pugi::xml_node root = doc->document_element();
  if (local_name(root) != "adx") {
    return InvalidArgument("ADX 的根元素须为 <adx xmlns=\"urn:ihe:qrph:adx:2015\">", "file",
                           "invalid_adx");
  }
  // Flatten to rows up front: ADX bodies are bounded, and a period error
  // in a group is reported on each of its values.
  struct Flat {
    std::size_t line;
    std::string element, period, unit;
    std::optional<std::string> value;
    bool deleted;
  };
  auto rows = std::make_shared<std::vector<Flat>>();
  std::size_t n = 0;
  for (pugi::xml_node group : root.children()) {
    if (group.type() != pugi::node_element || local_name(group) != "group") continue;
    StatusOr<std::string> period = period_from_adx(group.attribute("period").value());
    std::string period_text =
        period.ok() ? *period : std::string(group.attribute("period").value());
    for (pugi::xml_node dv : group.children()) {
      if (dv.type() != pugi::node_element || local_name(dv) != "dataValue") continue;
      Flat f{++n,          dv.attribute("dataElement").value(),
             period_text,  group.attribute("orgUnit").value(),
             std::nullopt, std::string_view(dv.attribute("deleted").value()) == "true"};
      if (pugi::xml_attribute v = dv.attribute("value")) f.value = v.value();
      rows->push_back(std::move(f));
    }
  }
  auto index = std::make_shared<std::size_t>(0);
  return service::RowSource([rows, index](service::ImportRow& row) -> StatusOr<bool> {
    if (*index >= rows->size()) return false;
    const Flat& f = (*rows)[(*index)++];
    row.line = f.line;
    row.data_element = f.element;
    row.period = f.period;
    row.org_unit = f.unit;
    row.value = f.value;
    row.deleted = f.deleted;
    return true;
  });
}

std::string values_to_adx(const std::vector<store::DataValueRecord>& values) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("adx");
  root.append_attribute("xmlns") = "urn:ihe:qrph:adx:2015";
  // One group per (unit, period), in the order values come (sorted by the caller).
  std::map<std::pair<std::string, std::string>, pugi::xml_node> groups;
  for (const store::DataValueRecord& v : values) {
    auto key = std::make_pair(v.org_code, v.period);
    auto it = groups.find(key);
    if (it == groups.end()) {
      pugi::xml_node g = root.append_child("group");
      g.append_attribute("orgUnit") = v.org_code.c_str();
      g.append_attribute("period") = period_to_adx(v.period).c_str();
      it = groups.emplace(key, g).first;
    }
    pugi::xml_node dv = it->second.append_child("dataValue");
    dv.append_attribute("dataElement") = v.indicator.c_str();
    dv.append_attribute("value") = value_text(v).c_str();
  }
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

std::string values_to_json(const std::vector<store::DataValueRecord>& values) {
  json list = json::array();
  for (const store::DataValueRecord& v : values) {
    list.push_back({{"dataElement", v.indicator},
                    {"period", v.period},
                    {"orgUnit", v.org_code},
                    {"value", value_text(v)},
                    {"storedBy", v.updated_by}});
  }
  return json{{"dataValues", list}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string values_to_csv(const std::vector<store::DataValueRecord>& values) {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out(1, '"');
    for (char c : s) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
    return out;
  };
  std::string out = "dataelement,period,orgunit,value,storedby\r\n";
  for (const store::DataValueRecord& v : values) {
    out += fmt::format("{},{},{},{},{}\r\n", quote(v.indicator), quote(v.period), quote(v.org_code),
                       quote(value_text(v)), quote(v.updated_by));
  }
  return out;
}

}  // namespace tianbao::exchange
