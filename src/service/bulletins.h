// Bulletins: templates of the monthly bulletin (工作月报) and of work
// reports (工作进展报告), and their rendering into a document filled with
// live figures. One template type serves both: a work report is a template
// of kind "report" whose blocks are narrative text only.
//
// A template is a title block (title, issuing body, issue-number rule,
// date) and ordered blocks:
//   text          a narrative section: rich text with placeholders
//                 {{值 指标=CODE 单位=44 期=2022-08 格式=0.0}} (model/bulletin.h);
//   indicators    one row per indicator, grouped by platform, with 累计 and
//                 本月新增 columns;
//   units         one row per unit (the 21 cities), grouped columns per
//                 platform, an optional 省直 row and the total row;
//   projects      projects counted by stage, the month's change and the
//                 approved amount, with a total row;
//   distribution  分送 / 抄报 lines.
// Templates are stored as JSON (docs/api.md); a template is checked when
// written — unknown indicator codes or units, malformed placeholders — and
// refused with a 中文 message naming the field.
//
// Figures come from Analytics with its semantics (a region's total includes
// its departments, so a province total is not the sum of its cities; rates
// are ratios of sums; 本月新增 of a stock is this month minus last, of a
// flow the month's total; 累计 of a flow sums from January). Rendering runs
// as the caller, so units outside their scope are refused as analytics
// refuses them; every render is audited.
//
// Reading and rendering need kReadAnalytics (查看者, 审核员, 管理员);
// writing needs kManageForms (管理员), with every unit named in scope.
//
//   ASSIGN_OR_RETURN(BulletinDocument doc, bulletins.render(who, "demo", {.period = "2022-08"}));
//   ASSIGN_OR_RETURN(std::string docx, exchange::bulletin_docx(doc));
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/bulletin.h"
#include "model/period.h"
#include "service/access.h"
#include "service/analytics.h"
#include "service/audit_log.h"
#include "service/clock.h"
#include "service/metadata.h"
#include "service/org_units.h"
#include "store/bulletin_store.h"

namespace tianbao::service {

// --- the template -------------------------------------------------------------

enum class BlockType { kText, kIndicators, kUnits, kProjects, kDistribution };
std::string_view block_type_name(BlockType t);

// One figure of a table: a row of an indicators table or a column of a
// units table.
struct FigureItem {
  std::string indicator;
  std::string label;  // empty: the indicator's name and unit
  model::FigureMeasure measure = model::FigureMeasure::kValue;  // units tables only
  std::optional<int> decimals;  // empty: 0 for integers, 2 otherwise
};

struct FigureGroup {
  std::string name;  // the platform: 粤省事, 粤商通 …
  std::vector<FigureItem> items;
};

struct ProjectStage {
  std::string label;   // 准备, 采购, 实施, 验收, 已完成验收, 已取消
  std::string count;   // indicator: projects at this stage (a stock)
  std::string amount;  // indicator: their approved amount (万元); may be empty
};

struct DistributionLine {
  std::string label;  // 分送, 抄报
  std::string text;
};

struct BulletinBlock {
  BlockType type = BlockType::kText;
  std::string title;
  std::string note;  // a line under a table (注：…)
  // text
  std::string html;
  std::vector<model::Paragraph> paragraphs;  // parsed from html
  // indicators, units, projects
  std::string org_unit;  // empty: the template's
  std::vector<FigureGroup> groups;
  // units
  std::vector<std::string> org_units;
  std::string row_header = "地区";
  std::string total_unit;  // empty: no total row
  std::string total_label = "全省";
  bool show_direct = false;  // a row for the total unit's own departments (省直)
  std::string direct_label = "省直";
  // projects
  std::vector<ProjectStage> stages;
  // distribution
  std::vector<DistributionLine> lines;
};

struct BulletinTemplate {
  std::string code;
  std::string kind = "bulletin";  // or "report"
  std::string title;
  std::string issuer;
  std::string issue_number = "{年}年第{月}期";
  std::string date;      // "2022-09-13", or "P13D" (days after the month's end); empty: today
  std::string org_unit;  // the unit figures are about unless a block or placeholder says otherwise
  std::vector<BulletinBlock> blocks;
  store::Millis updated_at = 0;
  std::string updated_by;
};

// Reads a template from its JSON form, checking its structure (not yet its
// indicators and units, which Bulletins checks against the catalogue).
StatusOr<BulletinTemplate> parse_bulletin_template(const nlohmann::json& body);
nlohmann::json bulletin_template_json(const BulletinTemplate& t);

// --- the rendered document ----------------------------------------------------

// A table cell. Rows hold one cell per grid column except where a cell
// spans columns; a cell under a vertically merged one is `covered` (no
// text, the same col_span).
struct DocCell {
  std::string text;
  int col_span = 1;
  int row_span = 1;
  bool covered = false;
  bool figure = false;  // a number: right-aligned
};

struct DocTable {
  std::size_t columns = 0;
  std::size_t header_rows = 1;  // repeated on every page
  std::vector<std::vector<DocCell>> rows;
  std::vector<bool> emphasized;        // per row: the total
  std::vector<double> column_weights;  // relative widths
};

struct DocBlock {
  BlockType type = BlockType::kText;
  std::string title;
  std::vector<model::Paragraph> paragraphs;  // runs hold text only
  std::optional<DocTable> table;
  std::string note;
  std::vector<DistributionLine> lines;
};

struct BulletinDocument {
  std::string code;
  std::string kind;
  std::string title;
  std::string issue;  // 2022年第8期
  std::string issuer;
  std::string date;    // 2022年9月13日
  std::string period;  // 2022-08
  std::vector<DocBlock> blocks;
};

struct RenderOptions {
  std::string period;  // "2022-08" (a month)
  std::string date;    // optional issue date "2022-09-13"; else the template's, else today
  std::string format;  // for the audit record only
};

class Bulletins {
 public:
  Bulletins(store::BulletinStore& store, const OrgUnits& units, const Metadata& metadata,
            Analytics& analytics, const Access& access, AuditLog& audit, const Clock& clock)
      : store_(store),
        units_(units),
        metadata_(metadata),
        analytics_(analytics),
        access_(access),
        audit_(audit),
        clock_(clock) {}

  StatusOr<std::vector<BulletinTemplate>> list(const Principal& who);
  StatusOr<BulletinTemplate> get(const Principal& who, const std::string& code);
  StatusOr<BulletinTemplate> create(const Principal& who, BulletinTemplate t);
  StatusOr<BulletinTemplate> update(const Principal& who, BulletinTemplate t);
  Status remove(const Principal& who, const std::string& code);

  StatusOr<BulletinDocument> render(const Principal& who, const std::string& code,
                                    const RenderOptions& options);

 private:
  Status check(const Principal& who, const BulletinTemplate& t) const;
  StatusOr<BulletinTemplate> load(const std::string& code);

  store::BulletinStore& store_;
  const OrgUnits& units_;
  const Metadata& metadata_;
  Analytics& analytics_;
  const Access& access_;
  AuditLog& audit_;
  const Clock& clock_;
};

}  // namespace tianbao::service
