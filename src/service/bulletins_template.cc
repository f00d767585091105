// Bulletin templates as JSON: reading one (each field checked, errors in
// 中文 naming the field's path) and writing one back (docs/api.md).
#include "service/bulletins.h"

#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/text.h"

namespace tianbao::service {

using nlohmann::json;

namespace {

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

}  // namespace tianbao::service
