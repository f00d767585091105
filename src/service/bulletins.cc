#include "service/bulletins.h"

#include <cmath>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/text.h"

namespace tianbao::service {

using nlohmann::json;

namespace {

constexpr std::int64_t kBeijingOffsetMs = 8LL * 3600 * 1000;
constexpr std::size_t kMaxBlocks = 200;
constexpr std::size_t kMaxTextBytes = 4096;

struct BlockName {
  BlockType type;
  std::string_view name;
};
constexpr BlockName kBlockNames[] = {
    {BlockType::kText, "text"},
    {BlockType::kIndicators, "indicators"},
    {BlockType::kUnits, "units"},
    {BlockType::kProjects, "projects"},
    {BlockType::kDistribution, "distribution"},
};

Status bad_field(const std::string& field, std::string message) {
  return InvalidArgument(std::move(message), field, "invalid_template");
}

// Reads JSON members with 中文 errors naming the full path of the field.
class Reader {
 public:
  Reader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  std::string field(std::string_view name) const {
    return path_.empty() ? std::string(name) : fmt::format("{}.{}", path_, name);
  }
  const json* find(std::string_view name) const {
    auto it = object_.find(std::string(name));
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  StatusOr<std::string> text(std::string_view name, bool required,
                             std::size_t max_bytes = kMaxTextBytes) const {
    const json* v = find(name);
    if (!v) {
      if (required) return bad_field(field(name), fmt::format("缺少字段 {}", field(name)));
      return std::string();
    }
    if (!v->is_string())
      return bad_field(field(name), fmt::format("字段 {} 须为文本", field(name)));
    std::string s = v->get<std::string>();
    if (!model::is_valid_utf8(s)) {
      return bad_field(field(name), fmt::format("字段 {} 不是有效的 UTF-8 文本", field(name)));
    }
    if (s.size() > max_bytes) {
      return bad_field(field(name), fmt::format("字段 {} 过长", field(name)));
    }
    if (required && model::trim(s).empty()) {
      return bad_field(field(name), fmt::format("字段 {} 不能为空", field(name)));
    }
    return std::string(model::trim(s));
  }
  StatusOr<bool> flag(std::string_view name) const {
    const json* v = find(name);
    if (!v) return false;
    if (!v->is_boolean()) {
      return bad_field(field(name), fmt::format("字段 {} 须为 true 或 false", field(name)));
    }
    return v->get<bool>();
  }
  StatusOr<std::optional<int>> decimals(std::string_view name) const {
    const json* v = find(name);
    if (!v) return std::optional<int>();
    if (!v->is_number_integer() || v->get<long long>() < 0 ||
        v->get<long long>() > model::kMaxDecimals) {
      return bad_field(field(name), fmt::format("字段 {} 须为 0 到 {} 的整数（小数位数）",
                                                field(name), model::kMaxDecimals));
    }
    return std::optional<int>(v->get<int>());
  }
  // An array member; each element is handed to `each` with its path.
  Status array(std::string_view name, bool required,
               const std::function<Status(const json&, const std::string&)>& each) const {
    const json* v = find(name);
    if (!v) {
      if (required) return bad_field(field(name), fmt::format("缺少字段 {}", field(name)));
      return Status::Ok();
    }
    if (!v->is_array()) return bad_field(field(name), fmt::format("字段 {} 须为数组", field(name)));
    for (std::size_t i = 0; i < v->size(); ++i) {
      RETURN_IF_ERROR(each((*v)[i], fmt::format("{}[{}]", field(name), i)));
    }
    return Status::Ok();
  }

 private:
  const json& object_;
  std::string path_;
};

Status need_object(const json& v, const std::string& path) {
  if (!v.is_object()) return bad_field(path, fmt::format("{} 须为对象", path));
  return Status::Ok();
}

bool is_template_code(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

StatusOr<FigureItem> read_item(const json& v, const std::string& path, bool with_measure) {
  RETURN_IF_ERROR(need_object(v, path));
  Reader r(v, path);
  FigureItem item;
  ASSIGN_OR_RETURN(item.indicator, r.text("indicator", true, 64));
  ASSIGN_OR_RETURN(item.label, r.text("label", false));
  ASSIGN_OR_RETURN(item.decimals, r.decimals("decimals"));
  ASSIGN_OR_RETURN(std::string measure, r.text("measure", false, 16));
  if (!measure.empty()) {
    if (!with_measure) {
      return bad_field(
          r.field("measure"),
          fmt::format("{}：指标表固定为累计和本月新增两列，不能指定 measure", r.field("measure")));
    }
    StatusOr<model::FigureMeasure> m = model::parse_figure_measure_name(measure);
    if (!m.ok()) return bad_field(r.field("measure"), m.status().message());
    item.measure = *m;
  }
  return item;
}

Status read_groups(const Reader& r, bool with_measure, std::vector<FigureGroup>& out) {
  RETURN_IF_ERROR(r.array("groups", true, [&](const json& g, const std::string& path) -> Status {
    RETURN_IF_ERROR(need_object(g, path));
    Reader gr(g, path);
    FigureGroup group;
    ASSIGN_OR_RETURN(group.name, gr.text("name", false));
    RETURN_IF_ERROR(gr.array("items", true, [&](const json& i, const std::string& ipath) -> Status {
      ASSIGN_OR_RETURN(FigureItem item, read_item(i, ipath, with_measure));
      group.items.push_back(std::move(item));
      return Status::Ok();
    }));
    if (group.items.empty()) {
      return bad_field(gr.field("items"), fmt::format("{} 至少要有一个指标", gr.field("items")));
    }
    out.push_back(std::move(group));
    return Status::Ok();
  }));
  if (out.empty())
    return bad_field(r.field("groups"), fmt::format("{} 不能为空", r.field("groups")));
  return Status::Ok();
}

StatusOr<BulletinBlock> read_block(const json& v, const std::string& path) {
  RETURN_IF_ERROR(need_object(v, path));
  Reader r(v, path);
  BulletinBlock b;
  ASSIGN_OR_RETURN(std::string type, r.text("type", true, 32));
  bool known = false;
  for (const BlockName& n : kBlockNames) {
    if (n.name == type) {
      b.type = n.type;
      known = true;
    }
  }
  if (!known) {
    return bad_field(r.field("type"),
                     fmt::format("{} 须为 text、indicators、units、projects 或 distribution，"
                                 "收到“{}”",
                                 r.field("type"), model::sanitize_for_message(type)));
  }
  ASSIGN_OR_RETURN(b.title, r.text("title", false));
  ASSIGN_OR_RETURN(b.note, r.text("note", false));
  ASSIGN_OR_RETURN(b.org_unit, r.text("orgUnit", false, 64));
  switch (b.type) {
    case BlockType::kText: {
      ASSIGN_OR_RETURN(b.html, r.text("html", true, 1 << 20));
      StatusOr<std::vector<model::Paragraph>> parsed = model::parse_rich_text(b.html);
      if (!parsed.ok()) {
        return Status(StatusCode::kInvalidArgument,
                      fmt::format("{}：{}", r.field("html"), parsed.status().message()),
                      r.field("html"), parsed.status().reason());
      }
      b.paragraphs = std::move(*parsed);
      break;
    }
    case BlockType::kIndicators:
      RETURN_IF_ERROR(read_groups(r, false, b.groups));
      break;
    case BlockType::kUnits: {
      RETURN_IF_ERROR(read_groups(r, true, b.groups));
      RETURN_IF_ERROR(r.array("orgUnits", true, [&](const json& u, const std::string& p) -> Status {
        if (!u.is_string()) return bad_field(p, fmt::format("{} 须为单位代码", p));
        b.org_units.push_back(u.get<std::string>());
        return Status::Ok();
      }));
      if (b.org_units.empty()) {
        return bad_field(r.field("orgUnits"), fmt::format("{} 不能为空", r.field("orgUnits")));
      }
      ASSIGN_OR_RETURN(std::string header, r.text("rowHeader", false));
      if (!header.empty()) b.row_header = header;
      if (const json* total = r.find("total")) {
        std::string tpath = r.field("total");
        RETURN_IF_ERROR(need_object(*total, tpath));
        Reader tr(*total, tpath);
        ASSIGN_OR_RETURN(b.total_unit, tr.text("orgUnit", true, 64));
        ASSIGN_OR_RETURN(std::string label, tr.text("label", false));
        if (!label.empty()) b.total_label = label;
        ASSIGN_OR_RETURN(b.show_direct, tr.flag("showDirect"));
        ASSIGN_OR_RETURN(std::string direct, tr.text("directLabel", false));
        if (!direct.empty()) b.direct_label = direct;
      }
      break;
    }
    case BlockType::kProjects:
      RETURN_IF_ERROR(r.array("stages", true, [&](const json& s, const std::string& p) -> Status {
        RETURN_IF_ERROR(need_object(s, p));
        Reader sr(s, p);
        ProjectStage stage;
        ASSIGN_OR_RETURN(stage.label, sr.text("label", true));
        ASSIGN_OR_RETURN(stage.count, sr.text("count", true, 64));
        ASSIGN_OR_RETURN(stage.amount, sr.text("amount", false, 64));
        b.stages.push_back(std::move(stage));
        return Status::Ok();
      }));
      if (b.stages.empty()) {
        return bad_field(r.field("stages"), fmt::format("{} 不能为空", r.field("stages")));
      }
      break;
    case BlockType::kDistribution:
      RETURN_IF_ERROR(r.array("lines", true, [&](const json& l, const std::string& p) -> Status {
        RETURN_IF_ERROR(need_object(l, p));
        Reader lr(l, p);
        DistributionLine line;
        ASSIGN_OR_RETURN(line.label, lr.text("label", true));
        ASSIGN_OR_RETURN(line.text, lr.text("text", true));
        b.lines.push_back(std::move(line));
        return Status::Ok();
      }));
      break;
  }
  return b;
}

json item_json(const FigureItem& item, bool with_measure) {
  json out = {{"indicator", item.indicator}};
  if (!item.label.empty()) out["label"] = item.label;
  if (item.decimals) out["decimals"] = *item.decimals;
  if (with_measure) out["measure"] = model::figure_measure_name(item.measure);
  return out;
}

json groups_json(const std::vector<FigureGroup>& groups, bool with_measure) {
  json out = json::array();
  for (const FigureGroup& g : groups) {
    json items = json::array();
    for (const FigureItem& i : g.items) items.push_back(item_json(i, with_measure));
    out.push_back({{"name", g.name}, {"items", items}});
  }
  return out;
}

std::string beijing_date(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>((ms + kBeijingOffsetMs) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// "2022-09-13" → "2022年9月13日".
std::string date_label(const std::string& date) {
  return fmt::format("{}年{}月{}日", std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)),
                     std::stoi(date.substr(8, 2)));
}

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// {年} and {月} of the period rendered.
std::string with_period(std::string s, const model::Period& p) {
  int last = p.last_month_index();
  replace_all(s, "{年}", std::to_string(last / 12));
  replace_all(s, "{月}", std::to_string(last % 12 + 1));
  return s;
}

// --- figures ----------------------------------------------------------------

struct CellKey {
  std::string indicator;
  std::string unit;
  friend auto operator<=>(const CellKey&, const CellKey&) = default;
};
using Cells = std::map<CellKey, double>;

// Figures of `indicators` × `units` for one measure over `period`, from
// Analytics. `direct` adds "<unit>:DIRECT" cells (a region's own departments).
class FigureSource {
 public:
  FigureSource(Analytics& analytics, const Catalogue& catalogue, const Principal& who)
      : analytics_(analytics), catalogue_(catalogue), who_(who) {}

  StatusOr<Cells> cells(const std::vector<std::string>& indicators,
                        const std::vector<std::string>& units, const model::Period& period,
                        model::FigureMeasure measure, bool direct = false) {
    Cells out;
    if (measure == model::FigureMeasure::kYearToDate) {
      // 1—M月 by each indicator's periodAggregation: a stock at the period's
      // end, a flow summed from January, an average the mean of 1—M月 (月均),
      // a maximum the largest month.
      std::vector<std::string> at_end, from_january;
      for (const std::string& code : indicators) {
        const model::Indicator* ind = catalogue_.indicator(code);
        (ind && ind->period_aggregation != model::PeriodAggregation::kLast ? from_january : at_end)
            .push_back(code);
      }
      int last = period.last_month_index();
      model::Period ytd = model::Period::month_range(last / 12, 1, last % 12 + 1);
      RETURN_IF_ERROR(query(at_end, units, period, Measure::kValue, direct, out));
      RETURN_IF_ERROR(query(from_january, units, ytd, Measure::kValue, direct, out));
      return out;
    }
    Measure m = measure == model::FigureMeasure::kNew            ? Measure::kNew
                : measure == model::FigureMeasure::kMonthOnMonth ? Measure::kMom
                : measure == model::FigureMeasure::kYearOnYear   ? Measure::kYoy
                                                                 : Measure::kValue;
    RETURN_IF_ERROR(query(indicators, units, period, m, direct, out));
    return out;
  }

 private:
  Status query(const std::vector<std::string>& indicators, const std::vector<std::string>& units,
               const model::Period& period, Measure measure, bool direct, Cells& out) {
    if (indicators.empty() || units.empty()) return Status::Ok();
    AnalyticsRequest req;
    req.dx = indicators;
    req.ou = units;
    req.pe = {period.to_string()};
    req.shown = {"dx", "ou"};
    req.measures = {measure};
    req.own_departments = direct;
    ASSIGN_OR_RETURN(AnalyticsTable table, analytics_.query(who_, req));
    for (std::size_t r = 0; r < table.row_count(); ++r) {
      if (std::optional<double> v = table.cell(r, 0)) {
        out[CellKey{std::string(table.key(r, 0)), std::string(table.key(r, 1))}] = *v;
      }
    }
    return Status::Ok();
  }

  Analytics& analytics_;
  const Catalogue& catalogue_;
  const Principal& who_;
};

int default_decimals(const model::Indicator& ind) {
  return ind.value_type == model::ValueType::kInteger ? 0 : 2;
}

bool is_percent(const model::Indicator& ind) {
  return ind.percent();
}

// Whether the indicators table's 累计 column holds a running figure for the
// indicator: the stock at month end (last) or the sum from January (sum).
// For a monthly average or maximum (月活, 日均, 峰值) a total over the year
// means nothing, so the column shows the month's own figure, marked so.
bool has_running_total(const model::Indicator& ind) {
  return ind.period_aggregation == model::PeriodAggregation::kSum ||
         ind.period_aggregation == model::PeriodAggregation::kLast;
}

std::string item_label(const FigureItem& item, const model::Indicator& ind) {
  if (!item.label.empty()) return item.label;
  if (ind.unit.empty() || is_percent(ind)) return ind.name;
  return fmt::format("{}({})", ind.name, ind.unit);
}

// A table cell's text: the figure with its decimals (and % for rates, or
// 个百分点 for a change of a rate), or empty where there is none.
std::string cell_text(const Cells& cells, const std::string& indicator, const std::string& unit,
                      const model::Indicator& ind, std::optional<int> decimals,
                      bool change = false) {
  auto it = cells.find(CellKey{indicator, unit});
  if (it == cells.end()) return {};
  std::string text = model::format_figure(it->second, decimals.value_or(default_decimals(ind)));
  if (is_percent(ind)) text += change ? "个百分点" : "%";
  return text;
}

DocCell header(std::string text, int col_span = 1, int row_span = 1) {
  return DocCell{std::move(text), col_span, row_span, false, false};
}
DocCell covered(int col_span = 1) {
  return DocCell{"", col_span, 1, true, false};
}
DocCell label(std::string text) {
  return DocCell{std::move(text), 1, 1, false, false};
}
DocCell figure(std::string text) {
  return DocCell{std::move(text), 1, 1, false, true};
}

std::string month_word(const model::Period& p) {
  return fmt::format("{}月", p.last_month_index() % 12 + 1);
}

}  // namespace

std::string_view block_type_name(BlockType t) {
  for (const BlockName& n : kBlockNames) {
    if (n.type == t) return n.name;
  }
  return "text";
}

StatusOr<BulletinTemplate> parse_bulletin_template(const json& body) {
  RETURN_IF_ERROR(need_object(body, "模板"));
  Reader r(body, "");
  BulletinTemplate t;
  ASSIGN_OR_RETURN(t.code, r.text("code", true, 64));
  if (!is_template_code(t.code)) {
    return bad_field("code", fmt::format("模板代码“{}”只能由字母、数字、下划线和连字符组成",
                                         model::sanitize_for_message(t.code)));
  }
  ASSIGN_OR_RETURN(std::string kind, r.text("kind", false, 16));
  if (!kind.empty()) t.kind = kind;
  if (t.kind != "bulletin" && t.kind != "report") {
    return bad_field("kind", "kind 须为 bulletin（月报）或 report（工作报告）");
  }
  ASSIGN_OR_RETURN(t.title, r.text("title", true));
  ASSIGN_OR_RETURN(t.issuer, r.text("issuer", false));
  ASSIGN_OR_RETURN(std::string issue, r.text("issueNumber", false));
  if (!issue.empty()) t.issue_number = issue;
  ASSIGN_OR_RETURN(t.date, r.text("date", false, 16));
  if (!t.date.empty() && !model::Deadline::parse(t.date).ok()) {
    return bad_field(
        "date", fmt::format("date 须为日期（如 2022-09-13）或月末后的天数（如 P13D），收到“{}”",
                            model::sanitize_for_message(t.date)));
  }
  ASSIGN_OR_RETURN(t.org_unit, r.text("orgUnit", false, 64));
  RETURN_IF_ERROR(r.array("blocks", true, [&](const json& b, const std::string& path) -> Status {
    if (t.blocks.size() >= kMaxBlocks) {
      return bad_field("blocks", fmt::format("blocks 最多 {} 块", kMaxBlocks));
    }
    ASSIGN_OR_RETURN(BulletinBlock block, read_block(b, path));
    if (t.kind == "report" && block.type != BlockType::kText &&
        block.type != BlockType::kDistribution) {
      return bad_field(path + ".type", fmt::format("{}：工作报告（kind=report）只能包含 text 和 "
                                                   "distribution 块",
                                                   path + ".type"));
    }
    t.blocks.push_back(std::move(block));
    return Status::Ok();
  }));
  return t;
}

json bulletin_template_json(const BulletinTemplate& t) {
  json blocks = json::array();
  for (const BulletinBlock& b : t.blocks) {
    json o = {{"type", block_type_name(b.type)}};
    if (!b.title.empty()) o["title"] = b.title;
    if (!b.note.empty()) o["note"] = b.note;
    if (!b.org_unit.empty()) o["orgUnit"] = b.org_unit;
    switch (b.type) {
      case BlockType::kText:
        o["html"] = b.html;
        break;
      case BlockType::kIndicators:
        o["groups"] = groups_json(b.groups, false);
        break;
      case BlockType::kUnits:
        o["groups"] = groups_json(b.groups, true);
        o["orgUnits"] = b.org_units;
        o["rowHeader"] = b.row_header;
        if (!b.total_unit.empty()) {
          o["total"] = {{"orgUnit", b.total_unit},
                        {"label", b.total_label},
                        {"showDirect", b.show_direct},
                        {"directLabel", b.direct_label}};
        }
        break;
      case BlockType::kProjects: {
        json stages = json::array();
        for (const ProjectStage& s : b.stages) {
          json so = {{"label", s.label}, {"count", s.count}};
          if (!s.amount.empty()) so["amount"] = s.amount;
          stages.push_back(so);
        }
        o["stages"] = stages;
        break;
      }
      case BlockType::kDistribution: {
        json lines = json::array();
        for (const DistributionLine& l : b.lines)
          lines.push_back({{"label", l.label}, {"text", l.text}});
        o["lines"] = lines;
        break;
      }
    }
    blocks.push_back(std::move(o));
  }
  json out = {{"code", t.code},
              {"kind", t.kind},
              {"title", t.title},
              {"issuer", t.issuer},
              {"issueNumber", t.issue_number},
              {"date", t.date},
              {"orgUnit", t.org_unit},
              {"blocks", blocks}};
  return out;
}

// --- Bulletins ------------------------------------------------------------------

Status Bulletins::check(const Principal& who, const BulletinTemplate& t) const {
  auto catalogue = metadata_.catalogue();
  auto indicator = [&](const std::string& code, const std::string& field) -> Status {
    if (catalogue->indicator(code)) return Status::Ok();
    return InvalidArgument(
        fmt::format("{}：指标 {} 不存在", field, model::sanitize_for_message(code)), field,
        "unknown_indicator");
  };
  // A unit must exist and lie in the writer's scope (reported alike, as
  // Access does, so that a template does not reveal units).
  auto unit = [&](const std::string& code, const std::string& field) -> Status {
    if (code.empty() || access_.in_scope(who, code)) return Status::Ok();
    return InvalidArgument(
        fmt::format("{}：单位 {} 不存在", field, model::sanitize_for_message(code)), field,
        "unknown_org_unit");
  };
  RETURN_IF_ERROR(unit(t.org_unit, "orgUnit"));
  for (std::size_t b = 0; b < t.blocks.size(); ++b) {
    const BulletinBlock& block = t.blocks[b];
    std::string path = fmt::format("blocks[{}]", b);
    RETURN_IF_ERROR(unit(block.org_unit, path + ".orgUnit"));
    for (std::size_t p = 0; p < block.paragraphs.size(); ++p) {
      for (const model::TextRun& run : block.paragraphs[p].runs) {
        if (!run.placeholder) continue;
        RETURN_IF_ERROR(indicator(run.placeholder->indicator, path + ".html"));
        RETURN_IF_ERROR(unit(run.placeholder->org_unit, path + ".html"));
      }
    }
    for (std::size_t g = 0; g < block.groups.size(); ++g) {
      for (std::size_t i = 0; i < block.groups[g].items.size(); ++i) {
        RETURN_IF_ERROR(indicator(block.groups[g].items[i].indicator,
                                  fmt::format("{}.groups[{}].items[{}].indicator", path, g, i)));
      }
    }
    for (std::size_t u = 0; u < block.org_units.size(); ++u) {
      RETURN_IF_ERROR(unit(block.org_units[u], fmt::format("{}.orgUnits[{}]", path, u)));
    }
    RETURN_IF_ERROR(unit(block.total_unit, path + ".total.orgUnit"));
    for (std::size_t s = 0; s < block.stages.size(); ++s) {
      RETURN_IF_ERROR(
          indicator(block.stages[s].count, fmt::format("{}.stages[{}].count", path, s)));
      if (!block.stages[s].amount.empty()) {
        RETURN_IF_ERROR(
            indicator(block.stages[s].amount, fmt::format("{}.stages[{}].amount", path, s)));
      }
    }
  }
  return Status::Ok();
}

StatusOr<BulletinTemplate> Bulletins::load(const std::string& code) {
  ASSIGN_OR_RETURN(std::optional<store::BulletinRecord> record, store_.find_bulletin(code));
  if (!record) {
    return NotFound(fmt::format("模板 {} 不存在", model::sanitize_for_message(code)), "code",
                    "unknown_bulletin");
  }
  json body = json::parse(record->definition, nullptr, false);
  if (body.is_discarded()) return Internal(fmt::format("模板 {} 的存储内容已损坏", code));
  ASSIGN_OR_RETURN(BulletinTemplate t, parse_bulletin_template(body));
  t.updated_at = record->updated_at;
  t.updated_by = record->updated_by;
  return t;
}

StatusOr<std::vector<BulletinTemplate>> Bulletins::list(const Principal& who) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "bulletins"));
  ASSIGN_OR_RETURN(std::vector<store::BulletinRecord> records, store_.list_bulletins());
  std::vector<BulletinTemplate> out;
  for (const store::BulletinRecord& r : records) {
    ASSIGN_OR_RETURN(BulletinTemplate t, load(r.code));
    out.push_back(std::move(t));
  }
  return out;
}

StatusOr<BulletinTemplate> Bulletins::get(const Principal& who, const std::string& code) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "bulletin:" + code));
  return load(code);
}

StatusOr<BulletinTemplate> Bulletins::create(const Principal& who, BulletinTemplate t) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "bulletin:" + t.code));
  RETURN_IF_ERROR(check(who, t));
  t.updated_at = clock_.now_ms();
  t.updated_by = who.username;
  RETURN_IF_ERROR(store_.insert_bulletin(store::BulletinRecord{
      t.code, t.title, t.kind, bulletin_template_json(t).dump(), t.updated_at, t.updated_by}));
  RETURN_IF_ERROR(audit_.record(who, {"bulletin.create", "bulletin:" + t.code, "ok", t.title}));
  return t;
}

StatusOr<BulletinTemplate> Bulletins::update(const Principal& who, BulletinTemplate t) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "bulletin:" + t.code));
  RETURN_IF_ERROR(check(who, t));
  t.updated_at = clock_.now_ms();
  t.updated_by = who.username;
  RETURN_IF_ERROR(store_.update_bulletin(store::BulletinRecord{
      t.code, t.title, t.kind, bulletin_template_json(t).dump(), t.updated_at, t.updated_by}));
  RETURN_IF_ERROR(audit_.record(who, {"bulletin.update", "bulletin:" + t.code, "ok", t.title}));
  return t;
}

Status Bulletins::remove(const Principal& who, const std::string& code) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kManageForms, "bulletin:" + code));
  RETURN_IF_ERROR(store_.delete_bulletin(code));
  return audit_.record(who, {"bulletin.delete", "bulletin:" + code, "ok", ""});
}

StatusOr<BulletinDocument> Bulletins::render(const Principal& who, const std::string& code,
                                             const RenderOptions& options) {
  RETURN_IF_ERROR(access_.check_role(who, Permission::kReadAnalytics, "bulletin:" + code));
  ASSIGN_OR_RETURN(model::Period period, model::Period::parse(options.period));
  if (period.kind() != model::Period::Kind::kMonth) {
    return InvalidArgument("月报按月生成，period 须为月份，如 2022-08", "period", "invalid_period");
  }
  if (!options.date.empty() && !model::is_valid_date(options.date)) {
    return InvalidArgument(fmt::format("date 须为日期，如 2022-09-13，收到“{}”",
                                       model::sanitize_for_message(options.date)),
                           "date", "invalid_date");
  }
  ASSIGN_OR_RETURN(BulletinTemplate t, load(code));
  auto catalogue = metadata_.catalogue();
  FigureSource source(analytics_, *catalogue, who);
  std::string home = t.org_unit.empty() ? who.org_code : t.org_unit;
  if (home.empty()) home = "44";

  BulletinDocument doc;
  doc.code = t.code;
  doc.kind = t.kind;
  doc.title = with_period(t.title, period);
  doc.issue = with_period(t.issue_number, period);
  doc.issuer = t.issuer;
  std::string date = beijing_date(clock_.now_ms());
  if (!options.date.empty()) {
    date = options.date;
  } else if (!t.date.empty()) {
    ASSIGN_OR_RETURN(model::Deadline rule, model::Deadline::parse(t.date));
    date = rule.due_date(period);
  }
  doc.date = date_label(date);
  doc.period = period.to_string();

  // Every indicator named below is in the catalogue: templates are checked
  // when written. One deleted since yields an empty figure, not a failure.
  auto indicator_of = [&](const std::string& c) { return catalogue->indicator(c); };

  for (const BulletinBlock& block : t.blocks) {
    DocBlock out;
    out.type = block.type;
    out.title = with_period(block.title, period);
    out.note = with_period(block.note, period);
    std::string unit = block.org_unit.empty() ? home : block.org_unit;
    switch (block.type) {
      case BlockType::kText: {
        for (model::Paragraph p : block.paragraphs) {
          for (model::TextRun& run : p.runs) {
            if (!run.placeholder) {
              run.text = with_period(std::move(run.text), period);
              continue;
            }
            const model::Placeholder& ph = *run.placeholder;
            const model::Indicator* ind = indicator_of(ph.indicator);
            ASSIGN_OR_RETURN(model::Period at, model::placeholder_period(ph.period, period));
            std::string where = ph.org_unit.empty() ? unit : ph.org_unit;
            ASSIGN_OR_RETURN(Cells cells, source.cells({ph.indicator}, {where}, at, ph.measure));
            auto it = cells.find(CellKey{ph.indicator, where});
            bool rate = ph.measure == model::FigureMeasure::kMonthOnMonth ||
                        ph.measure == model::FigureMeasure::kYearOnYear;
            int decimals = ph.decimals.value_or(rate || !ind ? 2 : default_decimals(*ind));
            run.text = it == cells.end() ? "—" : model::format_figure(it->second, decimals);
            run.placeholder.reset();
          }
          out.paragraphs.push_back(std::move(p));
        }
        break;
      }
      case BlockType::kIndicators: {
        std::vector<std::string> codes;
        for (const FigureGroup& g : block.groups) {
          for (const FigureItem& i : g.items) codes.push_back(i.indicator);
        }
        ASSIGN_OR_RETURN(Cells total,
                         source.cells(codes, {unit}, period, model::FigureMeasure::kYearToDate));
        ASSIGN_OR_RETURN(Cells month,
                         source.cells(codes, {unit}, period, model::FigureMeasure::kValue));
        ASSIGN_OR_RETURN(Cells added,
                         source.cells(codes, {unit}, period, model::FigureMeasure::kNew));
        DocTable table;
        table.columns = 4;
        table.column_weights = {1.2, 3.2, 1.4, 1.4};
        table.rows.push_back({header("平台"), header("主要指标"), header("累计"),
                              header(month_word(period) + "新增")});
        table.emphasized.push_back(false);
        for (const FigureGroup& g : block.groups) {
          for (std::size_t i = 0; i < g.items.size(); ++i) {
            const FigureItem& item = g.items[i];
            const model::Indicator* ind = indicator_of(item.indicator);
            std::vector<DocCell> row;
            row.push_back(i == 0
                              ? DocCell{g.name, 1, static_cast<int>(g.items.size()), false, false}
                              : covered());
            if (!ind) {
              row.insert(row.end(), {label(item.label.empty() ? item.indicator : item.label),
                                     figure(""), figure("")});
            } else {
              row.push_back(label(item_label(item, *ind)));
              std::string running;
              if (has_running_total(*ind)) {
                running = cell_text(total, item.indicator, unit, *ind, item.decimals);
              } else if (std::string m =
                             cell_text(month, item.indicator, unit, *ind, item.decimals);
                         !m.empty()) {
                running = fmt::format("{}（{}）", m, month_word(period));
              }
              row.push_back(figure(std::move(running)));
              // 新增 of a rate is its change, in 个百分点 (never "%").
              row.push_back(figure(cell_text(added, item.indicator, unit, *ind, item.decimals,
                                             !ind->new_is_own_figure())));
            }
            table.rows.push_back(std::move(row));
            table.emphasized.push_back(false);
          }
        }
        out.table = std::move(table);
        break;
      }
      case BlockType::kUnits: {
        std::vector<std::string> units = block.org_units;
        if (!block.total_unit.empty()) units.push_back(block.total_unit);
        std::string direct = block.total_unit + ":DIRECT";
        // One query per measure used, each over every unit of the table.
        std::map<model::FigureMeasure, std::vector<std::string>> by_measure;
        for (const FigureGroup& g : block.groups) {
          for (const FigureItem& i : g.items) by_measure[i.measure].push_back(i.indicator);
        }
        std::map<model::FigureMeasure, Cells> cells;
        for (const auto& [measure, codes] : by_measure) {
          // The direct row needs the total unit listed last and alone as a
          // region with departments; analytics adds it after that unit.
          ASSIGN_OR_RETURN(cells[measure],
                           source.cells(codes, units, period, measure, block.show_direct));
        }
        DocTable table;
        table.header_rows = 2;
        std::vector<DocCell> top = {header(block.row_header, 1, 2)};
        std::vector<DocCell> second = {covered()};
        table.column_weights = {1.4};
        for (const FigureGroup& g : block.groups) {
          top.push_back(header(g.name, static_cast<int>(g.items.size())));
          for (const FigureItem& item : g.items) {
            const model::Indicator* ind = indicator_of(item.indicator);
            second.push_back(header(ind ? item_label(item, *ind) : item.indicator));
            table.column_weights.push_back(1.0);
          }
        }
        table.columns = table.column_weights.size();
        table.rows = {std::move(top), std::move(second)};
        table.emphasized = {false, false};
        auto add_row = [&](const std::string& unit_code, std::string name, bool total) {
          std::vector<DocCell> row = {label(std::move(name))};
          for (const FigureGroup& g : block.groups) {
            for (const FigureItem& item : g.items) {
              const model::Indicator* ind = indicator_of(item.indicator);
              bool change =
                  ind && item.measure == model::FigureMeasure::kNew && !ind->new_is_own_figure();
              row.push_back(figure(ind ? cell_text(cells[item.measure], item.indicator, unit_code,
                                                   *ind, item.decimals, change)
                                       : ""));
            }
          }
          table.rows.push_back(std::move(row));
          table.emphasized.push_back(total);
        };
        auto tree = units_.tree();
        for (const std::string& code : block.org_units) {
          std::optional<model::Ordinal> o = tree->find(code);
          std::string name = o ? tree->unit(*o).name : code;
          // 广州市 → 广州: a city table names cities the short way.
          if (name.size() > 3 && name.ends_with("市")) name.resize(name.size() - 3);
          add_row(code, name, false);
        }
        if (block.show_direct) add_row(direct, block.direct_label, false);
        if (!block.total_unit.empty()) add_row(block.total_unit, block.total_label, true);
        out.table = std::move(table);
        break;
      }
      case BlockType::kProjects: {
        std::vector<std::string> counts, amounts;
        for (const ProjectStage& s : block.stages) {
          counts.push_back(s.count);
          if (!s.amount.empty()) amounts.push_back(s.amount);
        }
        ASSIGN_OR_RETURN(Cells count,
                         source.cells(counts, {unit}, period, model::FigureMeasure::kValue));
        ASSIGN_OR_RETURN(Cells change,
                         source.cells(counts, {unit}, period, model::FigureMeasure::kNew));
        ASSIGN_OR_RETURN(Cells amount,
                         source.cells(amounts, {unit}, period, model::FigureMeasure::kValue));
        DocTable table;
        table.columns = 4;
        table.column_weights = {2.0, 1.4, 1.4, 1.8};
        table.rows.push_back({header("项目阶段"), header("项目数(个)"), header("较上月增减"),
                              header("批复金额(万元)")});
        table.emphasized.push_back(false);
        // The stages partition the projects, so here the total is the sum.
        std::optional<double> sum_count, sum_change, sum_amount;
        auto pick = [&](const Cells& c, const std::string& code,
                        std::optional<double>& sum) -> std::optional<double> {
          auto it = c.find(CellKey{code, unit});
          if (it == c.end()) return std::nullopt;
          sum = sum.value_or(0) + it->second;
          return it->second;
        };
        auto text = [](std::optional<double> v, int decimals, bool sign) {
          if (!v) return std::string();
          std::string s = model::format_figure(*v, decimals);
          return sign && *v > 0 && s != model::format_figure(0, decimals) ? "+" + s : s;
        };
        for (const ProjectStage& s : block.stages) {
          std::optional<double> a;
          if (!s.amount.empty()) a = pick(amount, s.amount, sum_amount);
          std::optional<double> n = pick(count, s.count, sum_count);
          std::optional<double> d = pick(change, s.count, sum_change);
          table.rows.push_back({label(s.label), figure(text(n, 0, false)), figure(text(d, 0, true)),
                                figure(text(a, 2, false))});
          table.emphasized.push_back(false);
        }
        table.rows.push_back({label("合计"), figure(text(sum_count, 0, false)),
                              figure(text(sum_change, 0, true)),
                              figure(text(sum_amount, 2, false))});
        table.emphasized.push_back(true);
        out.table = std::move(table);
        break;
      }
      case BlockType::kDistribution:
        out.lines = block.lines;
        break;
    }
    doc.blocks.push_back(std::move(out));
  }
  RETURN_IF_ERROR(
      audit_.record(who, {"bulletin.render", "bulletin:" + t.code, "ok",
                          fmt::format("period={} format={}", doc.period, options.format)}));
  return doc;
}

}  // namespace tianbao::service
