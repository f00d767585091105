// Rendering of a bulletin template into a document of live figures
// (Bulletins::render); the templates themselves are bulletins_template.cc's,
// their storage bulletins.cc's.
#include "service/bulletins.h"

#include <map>

#include <fmt/format.h>

#include "model/text.h"
#include "model/time.h"

namespace tianbao::service {

namespace {

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

// A table of one column per weight under the header row `head`.
DocTable headed_table(std::vector<double> weights, std::vector<DocCell> head) {
  DocTable table;
  table.columns = weights.size();
  table.column_weights = std::move(weights);
  table.rows.push_back(std::move(head));
  table.emphasized.push_back(false);
  return table;
}

std::string month_word(const model::Period& p) {
  return fmt::format("{}月", p.last_month_index() % 12 + 1);
}

// Renders the blocks of one template for one month, as one caller: every
// figure comes from `source`, which queries analytics as that caller.
class BlockRenderer {
 public:
  BlockRenderer(FigureSource& source, const Catalogue& catalogue, const OrgUnits& units,
                const model::Period& period)
      : source_(source), catalogue_(catalogue), units_(units), period_(period) {}

  // `home` is the unit of blocks that name none.
  StatusOr<DocBlock> render(const BulletinBlock& block, const std::string& home) {
    DocBlock out;
    out.type = block.type;
    out.title = with_period(block.title, period_);
    out.note = with_period(block.note, period_);
    const std::string unit = block.org_unit.empty() ? home : block.org_unit;
    switch (block.type) {
      case BlockType::kText: {
        ASSIGN_OR_RETURN(out.paragraphs, paragraphs(block, unit));
        break;
      }
      case BlockType::kIndicators: {
        ASSIGN_OR_RETURN(out.table, indicators_table(block, unit));
        break;
      }
      case BlockType::kUnits: {
        ASSIGN_OR_RETURN(out.table, units_table(block));
        break;
      }
      case BlockType::kProjects: {
        ASSIGN_OR_RETURN(out.table, projects_table(block, unit));
        break;
      }
      case BlockType::kDistribution:
        out.lines = block.lines;
        break;
    }
    return out;
  }

 private:
  // Every indicator a template names is in the catalogue: templates are
  // checked when written. One deleted since yields an empty figure, not a
  // failure.
  const model::Indicator* indicator_of(const std::string& code) const {
    return catalogue_.indicator(code);
  }

  // The narrative with its placeholders replaced by figures ("—" for none).
  StatusOr<std::vector<model::Paragraph>> paragraphs(const BulletinBlock& block,
                                                     const std::string& unit) {
    std::vector<model::Paragraph> out;
    for (model::Paragraph p : block.paragraphs) {
      for (model::TextRun& run : p.runs) {
        if (!run.placeholder) {
          run.text = with_period(std::move(run.text), period_);
          continue;
        }
        const model::Placeholder& ph = *run.placeholder;
        const model::Indicator* ind = indicator_of(ph.indicator);
        ASSIGN_OR_RETURN(model::Period at, model::placeholder_period(ph.period, period_));
        std::string where = ph.org_unit.empty() ? unit : ph.org_unit;
        ASSIGN_OR_RETURN(Cells cells, source_.cells({ph.indicator}, {where}, at, ph.measure));
        auto it = cells.find(CellKey{ph.indicator, where});
        bool rate = ph.measure == model::FigureMeasure::kMonthOnMonth ||
                    ph.measure == model::FigureMeasure::kYearOnYear;
        int decimals = ph.decimals.value_or(rate || !ind ? 2 : default_decimals(*ind));
        run.text = it == cells.end() ? "—" : model::format_figure(it->second, decimals);
        run.placeholder.reset();
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  // One row per indicator, grouped by platform: 累计 and the month's 新增.
  StatusOr<DocTable> indicators_table(const BulletinBlock& block, const std::string& unit) {
    std::vector<std::string> codes;
    for (const FigureGroup& g : block.groups) {
      for (const FigureItem& i : g.items) codes.push_back(i.indicator);
    }
    ASSIGN_OR_RETURN(Cells total,
                     source_.cells(codes, {unit}, period_, model::FigureMeasure::kYearToDate));
    ASSIGN_OR_RETURN(Cells month,
                     source_.cells(codes, {unit}, period_, model::FigureMeasure::kValue));
    ASSIGN_OR_RETURN(Cells added,
                     source_.cells(codes, {unit}, period_, model::FigureMeasure::kNew));
    DocTable table = headed_table(
        {1.2, 3.2, 1.4, 1.4},
        {header("平台"), header("主要指标"), header("累计"), header(month_word(period_) + "新增")});
    for (const FigureGroup& g : block.groups) {
      for (std::size_t i = 0; i < g.items.size(); ++i) {
        const FigureItem& item = g.items[i];
        const model::Indicator* ind = indicator_of(item.indicator);
        std::vector<DocCell> row;
        row.push_back(i == 0 ? DocCell{g.name, 1, static_cast<int>(g.items.size()), false, false}
                             : covered());
        if (!ind) {
          row.insert(row.end(), {label(item.label.empty() ? item.indicator : item.label),
                                 figure(""), figure("")});
        } else {
          row.push_back(label(item_label(item, *ind)));
          std::string running;
          if (has_running_total(*ind)) {
            running = cell_text(total, item.indicator, unit, *ind, item.decimals);
          } else if (std::string m = cell_text(month, item.indicator, unit, *ind, item.decimals);
                     !m.empty()) {
            running = fmt::format("{}（{}）", m, month_word(period_));
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
    return table;
  }

  // One row per unit, grouped columns per platform, then the 直属 and the
  // total rows.
  StatusOr<DocTable> units_table(const BulletinBlock& block) {
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
                       source_.cells(codes, units, period_, measure, block.show_direct));
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
          row.push_back(figure(ind ? cell_text(cells[item.measure], item.indicator, unit_code, *ind,
                                               item.decimals, change)
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
    return table;
  }

  // Projects by stage: the count, its change and the approved amount, with
  // the total row.
  StatusOr<DocTable> projects_table(const BulletinBlock& block, const std::string& unit) {
    std::vector<std::string> counts, amounts;
    for (const ProjectStage& s : block.stages) {
      counts.push_back(s.count);
      if (!s.amount.empty()) amounts.push_back(s.amount);
    }
    ASSIGN_OR_RETURN(Cells count,
                     source_.cells(counts, {unit}, period_, model::FigureMeasure::kValue));
    ASSIGN_OR_RETURN(Cells change,
                     source_.cells(counts, {unit}, period_, model::FigureMeasure::kNew));
    ASSIGN_OR_RETURN(Cells amount,
                     source_.cells(amounts, {unit}, period_, model::FigureMeasure::kValue));
    DocTable table = headed_table(
        {2.0, 1.4, 1.4, 1.8},
        {header("项目阶段"), header("项目数(个)"), header("较上月增减"), header("批复金额(万元)")});
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
                          figure(text(sum_change, 0, true)), figure(text(sum_amount, 2, false))});
    table.emphasized.push_back(true);
    return table;
  }

  FigureSource& source_;
  const Catalogue& catalogue_;
  const OrgUnits& units_;
  const model::Period& period_;
};

}  // namespace

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
  BlockRenderer renderer(source, *catalogue, units_, period);
  std::string home = t.org_unit.empty() ? who.org_code : t.org_unit;
  if (home.empty()) home = "44";

  BulletinDocument doc;
  doc.code = t.code;
  doc.kind = t.kind;
  doc.title = with_period(t.title, period);
  doc.issue = with_period(t.issue_number, period);
  doc.issuer = t.issuer;
  std::string date = model::beijing_date(clock_.now_ms());
  if (!options.date.empty()) {
    date = options.date;
  } else if (!t.date.empty()) {
    ASSIGN_OR_RETURN(model::Deadline rule, model::Deadline::parse(t.date));
    date = rule.due_date(period);
  }
  doc.date = date_label(date);
  doc.period = period.to_string();

  for (const BulletinBlock& block : t.blocks) {
    ASSIGN_OR_RETURN(DocBlock rendered, renderer.render(block, home));
    doc.blocks.push_back(std::move(rendered));
  }
  RETURN_IF_ERROR(
      audit_.record(who, {"bulletin.render", "bulletin:" + t.code, "ok",
                          fmt::format("period={} format={}", doc.period, options.format)}));
  return doc;
}

}  // namespace tianbao::service
