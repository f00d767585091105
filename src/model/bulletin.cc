#include "model/bulletin.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

#include "model/text.h"

namespace tianbao::model {

namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";
constexpr std::size_t kMaxRichTextBytes = 1 << 20;
constexpr int kMaxListDepth = 8;

struct MeasureNames {
  FigureMeasure measure;
  std::string_view word;
  std::string_view name;
};

constexpr std::array<MeasureNames, 5> kMeasures = {{
    {FigureMeasure::kValue, "值", "value"},
    {FigureMeasure::kNew, "新增", "new"},
    {FigureMeasure::kYearToDate, "累计", "ytd"},
    {FigureMeasure::kMonthOnMonth, "环比", "mom"},
    {FigureMeasure::kYearOnYear, "同比", "yoy"},
}};

Status bad_placeholder(std::string_view inner, std::string_view why) {
  return InvalidArgument(
      fmt::format("占位符“{{{{{}}}}}”有误：{}", sanitize_for_message(inner), why), "placeholder",
      "invalid_placeholder");
}

Status bad_text(std::string why) {
  return InvalidArgument(std::move(why), "html", "invalid_rich_text");
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Splits on ASCII spaces and U+3000 (an editor typing 中文 often leaves one).
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  constexpr std::string_view kIdeographicSpace = "\u3000";
  std::size_t i = 0;
  auto at_space = [&](std::size_t k) -> std::size_t {
    if (is_space(s[k])) return 1;
    if (s.substr(k, kIdeographicSpace.size()) == kIdeographicSpace) return kIdeographicSpace.size();
    return 0;
  };
  while (i < s.size()) {
    if (std::size_t n = at_space(i)) {
      i += n;
      continue;
    }
    std::size_t start = i;
    while (i < s.size() && at_space(i) == 0) ++i;
    out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool is_code(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool is_unit_code(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

// "0" → 0, "0.0" → 1, "0.00" → 2 …
std::optional<int> decimals_of(std::string_view format) {
  if (format == "0") return 0;
  if (format.size() < 3 || format.substr(0, 2) != "0.") return std::nullopt;
  for (char c : format.substr(2)) {
    if (c != '0') return std::nullopt;
  }
  int n = static_cast<int>(format.size() - 2);
  if (n > kMaxDecimals) return std::nullopt;
  return n;
}

// --- the HTML subset ---------------------------------------------------------

struct Tag {
  std::string name;  // lower case
  bool closing = false;
  bool self_closing = false;
};

// Parses "<...>" starting at text[i] == '<' into `tag`; advances i past '>'.
// (An out-parameter: GCC 12 misreads a Tag moved out of StatusOr as
// possibly uninitialised.)
Status read_tag(std::string_view text, std::size_t& i, Tag& tag) {
  std::size_t end = text.find('>', i);
  if (end == std::string_view::npos) return bad_text("富文本中有未闭合的“<”");
  std::string_view inner = text.substr(i + 1, end - i - 1);
  i = end + 1;
  tag = Tag{};
  if (!inner.empty() && inner.front() == '/') {
    tag.closing = true;
    inner.remove_prefix(1);
  }
  if (!inner.empty() && inner.back() == '/') {
    tag.self_closing = true;
    inner.remove_suffix(1);
  }
  std::size_t k = 0;
  while (k < inner.size() && std::isalnum(static_cast<unsigned char>(inner[k]))) {
    char c = inner[k];
    tag.name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    ++k;
  }
  if (tag.name.empty()) {
    return bad_text(fmt::format("富文本中有无法识别的标记“<{}>”", sanitize_for_message(inner)));
  }
  return Status::Ok();
}

// Decodes "&amp;" … at text[i] == '&'; advances i.
StatusOr<std::string> read_entity(std::string_view text, std::size_t& i) {
  std::size_t end = text.find(';', i);
  if (end == std::string_view::npos || end - i > 10) {
    ++i;
    return std::string("&");  // a bare ampersand, as browsers read it
  }
  std::string_view name = text.substr(i + 1, end - i - 1);
  i = end + 1;
  if (name == "amp") return std::string("&");
  if (name == "lt") return std::string("<");
  if (name == "gt") return std::string(">");
  if (name == "quot") return std::string("\"");
  if (name == "apos") return std::string("'");
  if (name == "nbsp") return std::string(" ");
  if (name.size() > 1 && name[0] == '#') {
    bool hex = name[1] == 'x' || name[1] == 'X';
    std::string_view digits = name.substr(hex ? 2 : 1);
    std::uint32_t cp = 0;
    for (char c : digits) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0 || cp > 0x10FFFF) return bad_text(fmt::format("无法识别的字符引用“&{};”", name));
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    }
    if (digits.empty() || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
        (cp < 0x20 && cp != '\n' && cp != '\t')) {
      return bad_text(fmt::format("无法识别的字符引用“&{};”", sanitize_for_message(name)));
    }
    std::string out;
    append_utf8(cp, out);
    return out;
  }
  return bad_text(fmt::format("无法识别的字符引用“&{};”", sanitize_for_message(name)));
}

// Builds paragraphs from the tag and text stream.
class RichTextBuilder {
 public:
  void start_block(ParagraphStyle style, int level, bool numbered = false) {
    end_block();
    current_ = Paragraph{style, level, numbered, {}};
  }
  void end_block() {
    if (!current_) return;
    // Whitespace at the ends of a paragraph is layout, not content.
    auto& runs = current_->runs;
    while (!runs.empty() && !runs.back().placeholder && !runs.back().line_break &&
           trim(runs.back().text).empty()) {
      runs.pop_back();
    }
    if (!runs.empty() && !runs.back().placeholder) {
      while (!runs.back().text.empty() && runs.back().text.back() == ' ')
        runs.back().text.pop_back();
    }
    if (!runs.empty()) paragraphs_.push_back(std::move(*current_));
    current_.reset();
  }
  bool in_block() const { return current_.has_value(); }

  // Adds text (entities decoded), splitting out placeholders.
  Status text(std::string_view s) {
    std::string collapsed;
    bool space = false;
    for (char c : s) {
      if (is_space(c)) {
        space = true;
        continue;
      }
      if (space && !collapsed.empty()) collapsed += ' ';
      space = false;
      collapsed += c;
    }
    if (space && !collapsed.empty()) collapsed += ' ';
    if (collapsed.empty()) return Status::Ok();
    if (!current_) start_block(ParagraphStyle::kBody, 0);
    std::string_view rest = collapsed;
    while (!rest.empty()) {
      std::size_t open = rest.find(kOpen);
      std::size_t stray = rest.find(kClose);
      if (stray != std::string_view::npos && (open == std::string_view::npos || stray < open)) {
        return InvalidArgument(
            fmt::format("“{}”前缺少“{{{{”", sanitize_for_message(rest.substr(0, stray + 2))),
            "placeholder", "invalid_placeholder");
      }
      if (open == std::string_view::npos) {
        add_text(rest);
        break;
      }
      if (open > 0) add_text(rest.substr(0, open));
      std::size_t close = rest.find(kClose, open + kOpen.size());
      if (close == std::string_view::npos) {
        return InvalidArgument(fmt::format("占位符“{}”缺少“}}}}”（占位符中不能换行或加格式）",
                                           sanitize_for_message(rest.substr(open))),
                               "placeholder", "invalid_placeholder");
      }
      std::string_view inner = rest.substr(open + kOpen.size(), close - open - kOpen.size());
      ASSIGN_OR_RETURN(Placeholder p, parse_placeholder(inner));
      TextRun run;
      run.placeholder = std::move(p);
      run.bold = bold_ > 0;
      run.italic = italic_ > 0;
      current_->runs.push_back(std::move(run));
      rest.remove_prefix(close + kClose.size());
    }
    return Status::Ok();
  }
  void line_break() {
    if (!current_) start_block(ParagraphStyle::kBody, 0);
    TextRun run;
    run.line_break = true;
    current_->runs.push_back(std::move(run));
  }

  int bold_ = 0;
  int italic_ = 0;
  std::vector<Paragraph> paragraphs_;

 private:
  void add_text(std::string_view s) {
    auto& runs = current_->runs;
    if (runs.empty() || runs.back().line_break) {
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    }
    if (s.empty()) return;
    bool b = bold_ > 0, it = italic_ > 0;
    if (!runs.empty() && !runs.back().placeholder && !runs.back().line_break &&
        runs.back().bold == b && runs.back().italic == it) {
      runs.back().text += s;
      return;
    }
    TextRun run;
    run.text = std::string(s);
    run.bold = b;
    run.italic = it;
    runs.push_back(std::move(run));
  }

  std::optional<Paragraph> current_;
};

StatusOr<std::vector<Paragraph>> parse_plain(std::string_view text) {
  RichTextBuilder b;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(start, end - start));
    if (!line.empty()) {
      b.start_block(ParagraphStyle::kBody, 0);
      RETURN_IF_ERROR(b.text(line));
      b.end_block();
    }
    start = end + 1;
  }
  return std::move(b.paragraphs_);
}

}  // namespace

std::string_view figure_measure_word(FigureMeasure m) {
  for (const MeasureNames& n : kMeasures) {
    if (n.measure == m) return n.word;
  }
  return "值";
}

std::string_view figure_measure_name(FigureMeasure m) {
  for (const MeasureNames& n : kMeasures) {
    if (n.measure == m) return n.name;
  }
  return "value";
}

StatusOr<FigureMeasure> parse_figure_measure_name(std::string_view name) {
  for (const MeasureNames& n : kMeasures) {
    if (n.name == name || n.word == name) return n.measure;
  }
  return InvalidArgument(
      fmt::format("measure 须为 value（值）、new（新增）、ytd（累计）、mom（环比）、yoy（同比），"
                  "收到“{}”",
                  sanitize_for_message(name)),
      "measure", "invalid_measure");
}

StatusOr<Placeholder> parse_placeholder(std::string_view inner) {
  std::vector<std::string_view> parts = words(inner);
  if (parts.empty()) return bad_placeholder(inner, "是空的，应写作 {{值 指标=代码}}");
  Placeholder p;
  bool known = false;
  for (const MeasureNames& n : kMeasures) {
    if (parts[0] == n.word) {
      p.measure = n.measure;
      known = true;
    }
  }
  if (!known) {
    return bad_placeholder(inner, fmt::format("开头须为 值、新增、累计、环比 或 同比，而不是“{}”",
                                              sanitize_for_message(parts[0])));
  }
  bool seen_unit = false, seen_period = false, seen_format = false;
  for (std::size_t k = 1; k < parts.size(); ++k) {
    std::string_view part = parts[k];
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return bad_placeholder(inner, fmt::format("“{}”应写作 名称=值，如 指标=YSS_REG_USERS",
                                                sanitize_for_message(part)));
    }
    std::string_view key = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    if (value.empty()) {
      return bad_placeholder(inner, fmt::format("“{}”没有填写值", sanitize_for_message(key)));
    }
    auto once = [&](bool& seen) -> Status {
      if (seen) return bad_placeholder(inner, fmt::format("“{}”重复了", sanitize_for_message(key)));
      seen = true;
      return Status::Ok();
    };
    if (key == "指标") {
      if (!p.indicator.empty()) return bad_placeholder(inner, "“指标”重复了");
      if (!is_code(value)) {
        return bad_placeholder(inner, fmt::format("指标代码“{}”只能由大写字母、数字和下划线组成",
                                                  sanitize_for_message(value)));
      }
      p.indicator = value;
    } else if (key == "单位") {
      RETURN_IF_ERROR(once(seen_unit));
      if (!is_unit_code(value)) {
        return bad_placeholder(inner, fmt::format("单位应写代码（如 44、4408），而不是“{}”",
                                                  sanitize_for_message(value)));
      }
      p.org_unit = value;
    } else if (key == "期") {
      RETURN_IF_ERROR(once(seen_period));
      // Checked against an arbitrary month: only the form matters here.
      Status form = placeholder_period(value, Period::month(2022, 8)).status();
      if (!form.ok()) return bad_placeholder(inner, form.message());
      p.period = value;
    } else if (key == "格式") {
      RETURN_IF_ERROR(once(seen_format));
      std::optional<int> d = decimals_of(value);
      if (!d) {
        return bad_placeholder(inner,
                               fmt::format("格式“{}”应为 0、0.0、0.00 这样的写法（最多 {} 位小数）",
                                           sanitize_for_message(value), kMaxDecimals));
      }
      p.decimals = d;
    } else {
      return bad_placeholder(
          inner, fmt::format("不认识“{}”，可用 指标、单位、期、格式", sanitize_for_message(key)));
    }
  }
  if (p.indicator.empty()) return bad_placeholder(inner, "缺少 指标=代码");
  return p;
}

StatusOr<Period> placeholder_period(std::string_view text, const Period& rendered) {
  if (text.empty() || text == "本月" || text == "本期") return rendered;
  if (text == "上月" || text == "上期") return rendered.previous();
  if (text == "上年同月" || text == "上年同期" || text == "去年同期") {
    return rendered.same_period_last_year();
  }
  int last = rendered.last_month_index();
  YearMonth month{last / 12, last % 12 + 1};
  if (text == "本年累计" || text == "年初至今") {
    return Period::month_range(month.year, 1, month.month);
  }
  StatusOr<std::vector<Period>> resolved = resolve_periods(text, month);
  if (!resolved.ok()) {
    return InvalidArgument(
        fmt::format("期“{}”无法识别，可写 2022-08、2022Q3、2022、本月、上月、上年同月、本年累计",
                    sanitize_for_message(text)),
        "period", "invalid_period");
  }
  if (resolved->size() != 1) {
    return InvalidArgument(
        fmt::format("期“{}”包含多个期间，占位符只能取一个", sanitize_for_message(text)), "period",
        "invalid_period");
  }
  return resolved->front();
}

StatusOr<std::vector<Paragraph>> parse_rich_text(std::string_view text) {
  if (text.size() > kMaxRichTextBytes) return bad_text("富文本过长（不能超过 1 MB）");
  if (!is_valid_utf8(text)) return bad_text("富文本不是有效的 UTF-8 文本");
  if (text.find('<') == std::string_view::npos) return parse_plain(text);

  RichTextBuilder b;
  std::vector<bool> list_numbered;  // open lists, innermost last
  std::string pending;              // text since the last tag, entities decoded
  auto flush = [&]() -> Status {
    Status s = b.text(pending);
    pending.clear();
    return s;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '&') {
      ASSIGN_OR_RETURN(std::string decoded, read_entity(text, i));
      pending += decoded;
      continue;
    }
    if (c != '<') {
      pending += c;
      ++i;
      continue;
    }
    if (text.substr(i, 4) == "<!--") {
      std::size_t end = text.find("-->", i + 4);
      if (end == std::string_view::npos) return bad_text("富文本中的注释“<!--”没有结束");
      i = end + 3;
      continue;
    }
    RETURN_IF_ERROR(flush());
    Tag tag;
    RETURN_IF_ERROR(read_tag(text, i, tag));
    const std::string& n = tag.name;
    if (n == "p" || n == "div") {
      if (tag.closing) {
        b.end_block();
      } else {
        b.start_block(ParagraphStyle::kBody, 0);
      }
    } else if (n.size() == 2 && n[0] == 'h' && n[1] >= '1' && n[1] <= '6') {
      if (tag.closing) {
        b.end_block();
      } else {
        b.start_block(ParagraphStyle::kHeading, std::min(n[1] - '0', 4));
      }
    } else if (n == "b" || n == "strong") {
      b.bold_ += tag.closing ? (b.bold_ > 0 ? -1 : 0) : (tag.self_closing ? 0 : 1);
    } else if (n == "i" || n == "em") {
      b.italic_ += tag.closing ? (b.italic_ > 0 ? -1 : 0) : (tag.self_closing ? 0 : 1);
    } else if (n == "br") {
      b.line_break();
    } else if (n == "ul" || n == "ol") {
      b.end_block();
      if (tag.closing) {
        if (!list_numbered.empty()) list_numbered.pop_back();
      } else if (!tag.self_closing) {
        if (static_cast<int>(list_numbered.size()) >= kMaxListDepth) {
          return bad_text("富文本中的列表嵌套过深");
        }
        list_numbered.push_back(n == "ol");
      }
    } else if (n == "li") {
      if (tag.closing) {
        b.end_block();
      } else {
        int depth = std::max<int>(1, static_cast<int>(list_numbered.size()));
        bool numbered = !list_numbered.empty() && list_numbered.back();
        b.start_block(ParagraphStyle::kListItem, depth, numbered);
      }
    } else if (n == "span" || n == "u" || n == "font") {
      // Carries only styling pasted from word processors; its text is kept.
    } else {
      return bad_text(
          fmt::format("富文本不支持标记“<{}>”，可用 p、h1–h4、b/strong、i/em、br、ul/ol/li",
                      sanitize_for_message(n)));
    }
  }
  RETURN_IF_ERROR(flush());
  b.end_block();
  return std::move(b.paragraphs_);
}

std::string format_figure(double value, int decimals) {
  decimals = std::clamp(decimals, 0, kMaxDecimals);
  std::string out = fmt::format("{:.{}f}", value, decimals);
  // "-0.0" reads as a negative change that is not there.
  bool all_zero = true;
  for (char c : out) {
    if (c >= '1' && c <= '9') all_zero = false;
  }
  if (all_zero && !out.empty() && out.front() == '-') out.erase(0, 1);
  return out;
}

}  // namespace tianbao::model
