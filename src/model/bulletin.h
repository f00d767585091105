// Bulletin text: the rich text of a bulletin's or work report's narrative
// sections, and the placeholders in it that are replaced by live figures
// when the document is rendered.
//
// A placeholder is written in 中文, the way an editor types it:
//   {{值 指标=YSS_REG_USERS 单位=44 期=2022-08 格式=0.0}}
//   {{新增 指标=YSS_REG_USERS}}        本月新增 (stock: this month minus last;
//                                      a percentage: the change in 个百分点,
//                                      rendered as the number only, so the
//                                      text writes “…{{新增 …}}个百分点”)
// The word after "{{" is the measure (值, 新增, 累计, 环比, 同比); 指标 is
// required; 单位 defaults to the template's unit, 期 to the period being
// rendered (relative forms: 本月, 上月, 上年同月, 本年累计, and the
// analytics forms such as LAST_MONTH); 格式 gives the decimals ("0", "0.0",
// "0.00", …).
//
// Rich text is a small HTML subset — p, h1–h4, b/strong, i/em, br, ul/ol/li
// — or plain text, one paragraph per line. Anything else is refused with a
// 中文 message naming the tag, so what an editor pastes renders the same in
// DOCX, XLSX and HTML.
//
//   ASSIGN_OR_RETURN(std::vector<Paragraph> text, parse_rich_text("<p>已有{{值 指标=X}}个</p>"));
//
// Thread-safety: free functions and values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/period.h"
#include "model/status.h"

namespace tianbao::model {

// What a figure shows for its indicator, unit and period.
enum class FigureMeasure {
  kValue,       // 值: the figure of the period (stock: at its end; flow: its total)
  kNew,         // 新增: a flow's own total; else minus the previous period (rates: 个百分点)
  kYearToDate,  // 累计: stock at the period's end; flow summed from January; average and
                // max indicators: the mean (月均) or largest month of 1—M月
  kMonthOnMonth,  // 环比 %
  kYearOnYear,    // 同比 %
};

// The 中文 word of a measure as written in placeholders ("值", "新增", …).
std::string_view figure_measure_word(FigureMeasure m);
// "value", "new", "ytd", "mom", "yoy" (template JSON).
std::string_view figure_measure_name(FigureMeasure m);
StatusOr<FigureMeasure> parse_figure_measure_name(std::string_view name);

inline constexpr int kMaxDecimals = 6;

struct Placeholder {
  FigureMeasure measure = FigureMeasure::kValue;
  std::string indicator;
  std::string org_unit;  // empty: the template's unit
  std::string period;    // empty: the period rendered; else as written
  std::optional<int> decimals;
};

// Parses the text between "{{" and "}}". InvalidArgument (reason
// "invalid_placeholder") with a 中文 message naming what is wrong.
StatusOr<Placeholder> parse_placeholder(std::string_view inner);

// The period a placeholder's 期 means when `rendered` is rendered:
// empty → rendered; 本月/上月/上年同月/本年累计; fixed or relative forms
// that resolve_periods() accepts, as long as they name one period.
StatusOr<Period> placeholder_period(std::string_view text, const Period& rendered);

// A stretch of text with one formatting; a placeholder run has no text
// until rendered.
struct TextRun {
  std::string text;
  std::optional<Placeholder> placeholder;
  bool bold = false;
  bool italic = false;
  bool line_break = false;  // a <br>: no text, ends the line
};

enum class ParagraphStyle { kBody, kHeading, kListItem };

struct Paragraph {
  ParagraphStyle style = ParagraphStyle::kBody;
  int level = 0;          // heading level 1–4; list nesting from 1
  bool numbered = false;  // an <ol> item
  std::vector<TextRun> runs;
};

// Parses rich text (see above). InvalidArgument (reason
// "invalid_rich_text" or "invalid_placeholder") naming the tag or the
// placeholder at fault.
StatusOr<std::vector<Paragraph>> parse_rich_text(std::string_view text);

// Formats a figure with `decimals` places ("1234.5"); never "-0".
std::string format_figure(double value, int decimals);

}  // namespace tianbao::model
