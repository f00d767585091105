// Expression::parse: the lexer and the recursive-descent parser of the
// grammar in expression.h, with 中文 errors that say what was expected at
// which character. Evaluation is expression_evaluator.cc's.
#include "model/expression.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/expression_node.h"
#include "model/text.h"

namespace tianbao::model {

namespace {

using Node = Expression::Node;
using Kind = Node::Kind;
using Op = Node::Op;

constexpr std::size_t kMaxTextBytes = 2000;
constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxCodeLength = 64;
constexpr std::string_view kIfUsage = "if 需要三个参数：if(条件, 值1, 值2)";
constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";

Status formula_error(std::string message) {
  return InvalidArgument(std::move(message), "formula", "invalid_formula");
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_word_char(char c) {
  return is_digit(c) || is_upper(c) || is_lower(c) || c == '_';
}

bool is_code(std::string_view s) {
  if (s.empty() || s.size() > kMaxCodeLength || !is_upper(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_digit(c) || is_upper(c) || c == '_'; });
}

// Byte length of the UTF-8 sequence led by `lead`; the text was validated.
std::size_t sequence_length(char lead) {
  auto b = static_cast<std::uint8_t>(lead);
  if (b < 0x80) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return 4;
}

char32_t decode(std::string_view seq) {
  auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<std::uint8_t>(seq[k])); };
  switch (seq.size()) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

// Formulas are often typed with a Chinese input method switched on, or
// pasted from a document using indicator names; say what to type instead.
std::string unrecognized_hint(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) {
    return fmt::format("，请改用半角字符“{}”", static_cast<char>(cp - 0xFEE0));
  }
  switch (cp) {
    case U'×':
      return "，乘号请写作“*”";
    case U'÷':
      return "，除号请写作“/”";
    case U'≤':
      return "，请写作“<=”";
    case U'≥':
      return "，请写作“>=”";
    case U'≠':
      return "，请写作“!=”";
    case U'、':
      return "，参数之间请用半角逗号“,”";
    default:
      break;
  }
  if (cp >= 0x4E00 && cp <= 0x9FFF) return "，公式中须使用指标代码（如 YSS_USERS）而不是指标名称";
  return {};
}

enum class Tok {
  kEnd,
  kError,  // the lexer stopped here; the parser reports its error on reaching it
  kNumber,
  kCode,
  kIf,
  kLParen,
  kRParen,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::size_t offset = 0;  // bytes into the text given to parse()
  std::size_t length = 0;
  double number = 0;
};

bool is_comparison(Tok t) {
  return t == Tok::kLt || t == Tok::kLe || t == Tok::kGt || t == Tok::kGe || t == Tok::kEq ||
         t == Tok::kNe;
}

// Tokens that can start an operand; seeing one where an operator belongs
// means an operator is missing ("A B").
bool starts_operand(Tok t) {
  return t == Tok::kNumber || t == Tok::kCode || t == Tok::kIf || t == Tok::kLParen;
}

Op binary_op(Tok t) {
  switch (t) {
    case Tok::kPlus:
      return Op::kAdd;
    case Tok::kMinus:
      return Op::kSub;
    case Tok::kStar:
      return Op::kMul;
    case Tok::kSlash:
      return Op::kDiv;
    case Tok::kLt:
      return Op::kLt;
    case Tok::kLe:
      return Op::kLe;
    case Tok::kGt:
      return Op::kGt;
    case Tok::kGe:
      return Op::kGe;
    case Tok::kEq:
      return Op::kEq;
    default:
      return Op::kNe;
  }
}

std::unique_ptr<Node> make_binary(Op op, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
  auto n = std::make_unique<Node>();
  n->kind = Kind::kBinary;
  n->op = op;
  n->a = std::move(a);
  n->b = std::move(b);
  return n;
}

using NodeOr = StatusOr<std::unique_ptr<Node>>;

// Tokenizes the whole text up front but stops at the first bad character;
// the parser reports that error only when it reaches the spot, so "A B #"
// complains about the missing operator at B, the leftmost problem.
class Parser {
 public:
  // `end` is the byte offset where the text ends once trailing whitespace
  // is dropped, so "A + " reports the missing operand right after "+".
  Parser(std::string_view text, std::size_t end) : text_(text), end_(end) {}

  NodeOr parse() {
    lex();
    ASSIGN_OR_RETURN(std::unique_ptr<Node> root, parse_comparison());
    const Token& t = tok();
    if (t.kind == Tok::kEnd) return root;
    if (t.kind == Tok::kRParen) return error_at(t, "有多余的右括号“)”");
    if (t.kind == Tok::kComma) return error_at(t, "有多余的逗号“,”（逗号只用于分隔 if 的参数）");
    if (starts_operand(t.kind)) {
      return error_at(t, fmt::format("缺少运算符，遇到的是“{}”", lexeme(t)));
    }
    return error_at(t, fmt::format("无法理解“{}”", lexeme(t)));
  }

  std::vector<std::string> take_references() {
    std::sort(references_.begin(), references_.end());
    references_.erase(std::unique(references_.begin(), references_.end()), references_.end());
    return std::move(references_);
  }

 private:
  const Token& tok() const { return tokens_[pos_]; }
  void advance() { ++pos_; }

  // 1-based position in characters, not bytes, as a person counts them.
  std::size_t column(std::size_t offset) const { return utf8_length(text_.substr(0, offset)) + 1; }

  std::string lexeme(const Token& t) const {
    return sanitize_for_message(text_.substr(t.offset, t.length));
  }

  Status error_at(const Token& t, std::string_view what) const {
    if (t.kind == Tok::kError) return lex_error_;
    return formula_error(fmt::format("公式第 {} 个字符处{}", column(t.offset), what));
  }

  Status lex_error(std::size_t offset, std::string_view what) const {
    return formula_error(fmt::format("公式第 {} 个字符处{}", column(offset), what));
  }

  void lex() {
    std::size_t i = 0;
    while (true) {
      while (i < end_) {
        if (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r') {
          ++i;
        } else if (text_.substr(i).starts_with(kIdeographicSpace)) {
          i += kIdeographicSpace.size();
        } else {
          break;
        }
      }
      if (i >= end_) {
        tokens_.push_back(Token{Tok::kEnd, end_, 0});
        return;
      }
      Status s = lex_token(i);
      if (!s.ok()) {
        lex_error_ = std::move(s);
        tokens_.push_back(Token{Tok::kError, i, 0});
        return;
      }
      i = tokens_.back().offset + tokens_.back().length;
    }
  }

  // Appends the token starting at byte `i`.
  Status lex_token(std::size_t i) {
    auto single = [&](Tok kind, std::size_t length) {
      tokens_.push_back(Token{kind, i, length});
      return Status::Ok();
    };
    bool next_is_eq = i + 1 < end_ && text_[i + 1] == '=';
    char c = text_[i];
    switch (c) {
      case '(':
        return single(Tok::kLParen, 1);
      case ')':
        return single(Tok::kRParen, 1);
      case ',':
        return single(Tok::kComma, 1);
      case '+':
        return single(Tok::kPlus, 1);
      case '-':
        return single(Tok::kMinus, 1);
      case '*':
        return single(Tok::kStar, 1);
      case '/':
        return single(Tok::kSlash, 1);
      case '<':
        return next_is_eq ? single(Tok::kLe, 2) : single(Tok::kLt, 1);
      case '>':
        return next_is_eq ? single(Tok::kGe, 2) : single(Tok::kGt, 1);
      case '=':
        if (next_is_eq) return single(Tok::kEq, 2);
        return lex_error(i, "的“=”无效，相等比较请写作“==”");
      case '!':
        if (next_is_eq) return single(Tok::kNe, 2);
        return lex_error(i, "的“!”无效，不等比较请写作“!=”");
      case '.':
        return lex_error(i, "的小数点“.”位置不对（数字应写作 100 或 0.5）");
      default:
        break;
    }
    if (is_digit(c)) return lex_number(i);
    if (is_word_char(c)) return lex_word(i);
    std::string_view seq = text_.substr(i, sequence_length(c));
    return lex_error(i, fmt::format("有无法识别的字符“{}”{}", sanitize_for_message(seq),
                                    unrecognized_hint(decode(seq))));
  }

  Status lex_number(std::size_t start) {
    std::size_t i = start;
    while (i < end_ && is_digit(text_[i])) ++i;
    if (i < end_ && text_[i] == '.') {
      ++i;
      if (i >= end_ || !is_digit(text_[i])) {
        return lex_error(i, "缺少小数点后的数字（数字应写作 100 或 0.5）");
      }
      while (i < end_ && is_digit(text_[i])) ++i;
    }
    double value = 0;
    const char* first = text_.data() + start;
    const char* last = text_.data() + i;
    auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::fixed);
    if (ec != std::errc() || ptr != last || !std::isfinite(value)) {
      return lex_error(start,
                       fmt::format("的数字“{}”超出范围", sanitize_for_message({first, i - start})));
    }
    tokens_.push_back(Token{Tok::kNumber, start, i - start, value});
    return Status::Ok();
  }

  Status lex_word(std::size_t start) {
    std::size_t i = start;
    while (i < end_ && is_word_char(text_[i])) ++i;
    std::string_view word = text_.substr(start, i - start);
    if (word == "if") {
      tokens_.push_back(Token{Tok::kIf, start, word.size()});
      return Status::Ok();
    }
    if (std::any_of(word.begin(), word.end(), is_lower)) {
      std::string upper(word);
      for (char& ch : upper) {
        if (is_lower(ch)) ch = static_cast<char>(ch - 'a' + 'A');
      }
      if (upper == "IF") {
        return lex_error(start, fmt::format("的“{}”无效：条件函数须写作小写 if(条件, 值1, 值2)",
                                            sanitize_for_message(word)));
      }
      return lex_error(
          start, fmt::format("的“{}”不是有效的指标代码：指标代码须为大写，如 {}",
                             sanitize_for_message(word), is_code(upper) ? upper : "YSS_USERS"));
    }
    if (!is_upper(word.front())) {
      return lex_error(start, fmt::format("的“{}”不是有效的指标代码：指标代码须以大写字母开头",
                                          sanitize_for_message(word)));
    }
    if (word.size() > kMaxCodeLength) {
      return lex_error(
          start, fmt::format("的指标代码“{}”过长：最多 64 个字符", sanitize_for_message(word)));
    }
    tokens_.push_back(Token{Tok::kCode, start, word.size()});
    return Status::Ok();
  }

  // Both parenthesized groups and if(…) nest; the limit keeps recursion
  // (here and in evaluate) far from the stack's end.
  Status enter(const Token& paren) {
    if (++depth_ > kMaxDepth) return error_at(paren, "括号嵌套超过 100 层");
    return Status::Ok();
  }

  NodeOr parse_comparison() {
    ASSIGN_OR_RETURN(std::unique_ptr<Node> left, parse_sum());
    if (!is_comparison(tok().kind)) return left;
    Op op = binary_op(tok().kind);
    advance();
    ASSIGN_OR_RETURN(std::unique_ptr<Node> right, parse_sum());
    if (is_comparison(tok().kind)) {
      return error_at(tok(), "不能连续比较（如 A < B < C），请拆成多条规则或使用 if");
    }
    return make_binary(op, std::move(left), std::move(right));
  }

  NodeOr parse_sum() {
    ASSIGN_OR_RETURN(std::unique_ptr<Node> left, parse_product());
    while (tok().kind == Tok::kPlus || tok().kind == Tok::kMinus) {
      Op op = binary_op(tok().kind);
      advance();
      ASSIGN_OR_RETURN(std::unique_ptr<Node> right, parse_product());
      left = make_binary(op, std::move(left), std::move(right));
    }
    return left;
  }

  NodeOr parse_product() {
    ASSIGN_OR_RETURN(std::unique_ptr<Node> left, parse_unary());
    while (tok().kind == Tok::kStar || tok().kind == Tok::kSlash) {
      Op op = binary_op(tok().kind);
      advance();
      ASSIGN_OR_RETURN(std::unique_ptr<Node> right, parse_unary());
      left = make_binary(op, std::move(left), std::move(right));
    }
    return left;
  }

  // A loop rather than recursion, and pairs cancel (negation is exact), so
  // "------1" neither recurses nor builds a deep tree.
  NodeOr parse_unary() {
    bool negate = false;
    while (tok().kind == Tok::kMinus) {
      negate = !negate;
      advance();
    }
    ASSIGN_OR_RETURN(std::unique_ptr<Node> operand, parse_primary());
    if (!negate) return operand;
    auto n = std::make_unique<Node>();
    n->kind = Kind::kNegate;
    n->a = std::move(operand);
    return n;
  }

  NodeOr parse_primary() {
    const Token& t = tok();
    switch (t.kind) {
      case Tok::kNumber: {
        auto n = std::make_unique<Node>();
        n->kind = Kind::kNumber;
        n->number = t.number;
        advance();
        return n;
      }
      case Tok::kCode: {
        std::string code(text_.substr(t.offset, t.length));
        if (tokens_[pos_ + 1].kind == Tok::kLParen) {
          if (code == "IF") return error_at(t, "的“IF”无效：条件函数须写作小写 if(条件, 值1, 值2)");
          return error_at(
              t, fmt::format("的“{}”后不能跟括号：公式只支持 if(条件, 值1, 值2) 一种函数", code));
        }
        auto n = std::make_unique<Node>();
        n->kind = Kind::kCode;
        references_.push_back(code);
        n->code = std::move(code);
        advance();
        return n;
      }
      case Tok::kLParen: {
        RETURN_IF_ERROR(enter(t));
        advance();
        ASSIGN_OR_RETURN(std::unique_ptr<Node> inner, parse_comparison());
        RETURN_IF_ERROR(expect_close());
        --depth_;
        return inner;
      }
      case Tok::kIf:
        return parse_if();
      case Tok::kEnd:
        return error_at(t, "缺少运算数（数字、指标代码或括号）");
      default:
        return error_at(t, fmt::format("应为数字、指标代码或左括号“(”，遇到的是“{}”", lexeme(t)));
    }
  }

  NodeOr parse_if() {
    advance();  // "if"
    if (tok().kind != Tok::kLParen) {
      return error_at(tok(), "缺少左括号“(”，if 的写法是 if(条件, 值1, 值2)");
    }
    RETURN_IF_ERROR(enter(tok()));
    advance();
    auto n = std::make_unique<Node>();
    n->kind = Kind::kIf;
    ASSIGN_OR_RETURN(n->a, parse_comparison());
    RETURN_IF_ERROR(expect_comma());
    ASSIGN_OR_RETURN(n->b, parse_comparison());
    RETURN_IF_ERROR(expect_comma());
    ASSIGN_OR_RETURN(n->c, parse_comparison());
    if (tok().kind == Tok::kComma) {
      return error_at(tok(), fmt::format("参数过多，{}", kIfUsage));
    }
    RETURN_IF_ERROR(expect_close());
    --depth_;
    return n;
  }

  Status expect_close() {
    const Token& t = tok();
    if (t.kind == Tok::kRParen) {
      advance();
      return Status::Ok();
    }
    if (t.kind == Tok::kEnd) return error_at(t, "缺少右括号“)”");
    if (starts_operand(t.kind)) {
      return error_at(t, fmt::format("缺少运算符或右括号“)”，遇到的是“{}”", lexeme(t)));
    }
    return error_at(t, fmt::format("应为右括号“)”，遇到的是“{}”", lexeme(t)));
  }

  Status expect_comma() {
    const Token& t = tok();
    if (t.kind == Tok::kComma) {
      advance();
      return Status::Ok();
    }
    if (t.kind == Tok::kRParen) return error_at(t, fmt::format("参数不足，{}", kIfUsage));
    if (t.kind == Tok::kEnd) return error_at(t, fmt::format("缺少逗号“,”，{}", kIfUsage));
    if (starts_operand(t.kind)) {
      return error_at(t, fmt::format("缺少运算符或逗号“,”，遇到的是“{}”", lexeme(t)));
    }
    return error_at(t, fmt::format("应为逗号“,”，遇到的是“{}”", lexeme(t)));
  }

  std::string_view text_;
  std::size_t end_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  Status lex_error_;
  int depth_ = 0;
  std::vector<std::string> references_;
};

}  // namespace

StatusOr<Expression> Expression::parse(std::string_view text) {
  std::string_view trimmed = trim(text);
  if (trimmed.empty()) return formula_error("公式不能为空");
  if (trimmed.size() > kMaxTextBytes) {
    return formula_error(fmt::format("公式不能超过 {} 个字节", kMaxTextBytes));
  }
  if (!is_valid_utf8(text)) return formula_error("公式不是有效的 UTF-8 文本");

  // Positions count from the start of the text as the user typed it.
  std::size_t end = static_cast<std::size_t>(trimmed.data() - text.data()) + trimmed.size();
  Parser parser(text, end);
  ASSIGN_OR_RETURN(std::unique_ptr<Node> root, parser.parse());
  Expression e;
  e.text_ = std::string(trimmed);
  e.references_ = parser.take_references();
  e.root_ = std::move(root);
  return e;
}

}  // namespace tianbao::model
