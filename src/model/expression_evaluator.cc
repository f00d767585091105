// Expression evaluation (row by row and over whole columns) and the checks
// over a set of derived indicators' formulas; parsing is
// expression_parser.cc's.
#include "model/expression.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/expression_node.h"

namespace tianbao::model {

namespace {

using Node = Expression::Node;
using Kind = Node::Kind;
using Op = Node::Op;

// Three-way comparison that treats values differing only by binary rounding
// as equal, so a rule like TOTAL == A + B holds for 57.9 == 12.3 + 45.6
// (which differ in the last bit) and reported decimals are not rejected.
int compare(double x, double y) {
  double tolerance = 1e-9 * std::max(std::fabs(x), std::fabs(y));
  if (std::fabs(x - y) <= tolerance) return 0;
  return x < y ? -1 : 1;
}

std::optional<double> finite(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> eval(const Node& n, const Expression::Lookup& lookup) {
  switch (n.kind) {
    case Kind::kNumber:
      return n.number;
    case Kind::kCode: {
      // A NaN or infinite stored value is treated as missing rather than
      // letting NaN silently make every comparison false.
      std::optional<double> v = lookup(n.code);
      if (!v) return std::nullopt;
      return finite(*v);
    }
    case Kind::kNegate: {
      std::optional<double> v = eval(*n.a, lookup);
      if (!v) return std::nullopt;
      return -*v;
    }
    case Kind::kIf: {
      std::optional<double> cond = eval(*n.a, lookup);
      if (!cond) return std::nullopt;
      return eval(*cond != 0 ? *n.b : *n.c, lookup);
    }
    case Kind::kBinary:
      break;
  }
  std::optional<double> x = eval(*n.a, lookup);
  if (!x) return std::nullopt;
  std::optional<double> y = eval(*n.b, lookup);
  if (!y) return std::nullopt;
  switch (n.op) {
    case Op::kAdd:
      return finite(*x + *y);
    case Op::kSub:
      return finite(*x - *y);
    case Op::kMul:
      return finite(*x * *y);
    case Op::kDiv:
      if (*y == 0) return std::nullopt;
      return finite(*x / *y);
    case Op::kLt:
      return compare(*x, *y) < 0 ? 1.0 : 0.0;
    case Op::kLe:
      return compare(*x, *y) <= 0 ? 1.0 : 0.0;
    case Op::kGt:
      return compare(*x, *y) > 0 ? 1.0 : 0.0;
    case Op::kGe:
      return compare(*x, *y) >= 0 ? 1.0 : 0.0;
    case Op::kEq:
      return compare(*x, *y) == 0 ? 1.0 : 0.0;
    case Op::kNe:
      return compare(*x, *y) != 0 ? 1.0 : 0.0;
  }
  return std::nullopt;
}

struct Walk {
  std::vector<std::string> order;  // every derived indicator after its dependencies
  std::vector<std::string> cycle;  // the first cycle met, first == last; empty if none
};

// Iterative depth-first walk over the derived indicators (keys in map order,
// references in sorted order, so results are deterministic); iterative
// because a chain of derived indicators can be as long as the map.
Walk walk(const std::map<std::string, Expression>& formulas) {
  enum class Mark { kNew, kActive, kDone };
  std::map<std::string_view, Mark> marks;
  for (const auto& [code, expr] : formulas) marks.emplace(code, Mark::kNew);

  struct Frame {
    std::map<std::string, Expression>::const_iterator it;
    std::size_t next = 0;  // index into it->second.references()
  };
  Walk out;
  std::vector<Frame> stack;
  for (auto root = formulas.begin(); root != formulas.end(); ++root) {
    if (marks[root->first] != Mark::kNew) continue;
    marks[root->first] = Mark::kActive;
    stack.push_back(Frame{root});
    while (!stack.empty()) {
      Frame& top = stack.back();
      const std::vector<std::string>& refs = top.it->second.references();
      if (top.next == refs.size()) {
        marks[top.it->first] = Mark::kDone;
        out.order.push_back(top.it->first);
        stack.pop_back();
        continue;
      }
      const std::string& ref = refs[top.next++];
      auto dep = formulas.find(ref);
      if (dep == formulas.end()) continue;  // a base indicator
      Mark& mark = marks[dep->first];
      if (mark == Mark::kNew) {
        mark = Mark::kActive;
        stack.push_back(Frame{dep});  // invalidates `top`, which is not used again
      } else if (mark == Mark::kActive && out.cycle.empty()) {
        auto from =
            std::find_if(stack.begin(), stack.end(), [&](const Frame& f) { return f.it == dep; });
        for (auto f = from; f != stack.end(); ++f) out.cycle.push_back(f->it->first);
        out.cycle.push_back(dep->first);
      }
    }
  }
  return out;
}

}  // namespace

Expression::Expression(const Expression& other)
    : text_(other.text_),
      references_(other.references_),
      root_(other.root_ ? other.root_->clone() : nullptr) {}

Expression& Expression::operator=(const Expression& other) {
  if (this != &other) {
    Expression copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

namespace {

Expression::Column eval_columns(const Node& n, std::size_t rows,
                                const Expression::ColumnLookup& column) {
  using Column = Expression::Column;
  switch (n.kind) {
    case Kind::kNumber:
      return Column(rows, n.number);
    case Kind::kCode: {
      const Column* values = column(n.code);
      Column out(rows);
      if (!values) return out;
      for (std::size_t r = 0; r < rows && r < values->size(); ++r) {
        if ((*values)[r]) out[r] = finite(*(*values)[r]);
      }
      return out;
    }
    case Kind::kNegate: {
      Column out = eval_columns(*n.a, rows, column);
      for (auto& v : out) {
        if (v) v = -*v;
      }
      return out;
    }
    case Kind::kIf: {
      // Both branches, then a choice per row: the same values as deciding
      // first, since each row only looks at the branch it takes.
      Column cond = eval_columns(*n.a, rows, column);
      Column yes = eval_columns(*n.b, rows, column);
      Column no = eval_columns(*n.c, rows, column);
      Column out(rows);
      for (std::size_t r = 0; r < rows; ++r) {
        if (cond[r]) out[r] = *cond[r] != 0 ? yes[r] : no[r];
      }
      return out;
    }
    case Kind::kBinary:
      break;
  }
  Column x = eval_columns(*n.a, rows, column);
  Column y = eval_columns(*n.b, rows, column);
  for (std::size_t r = 0; r < rows; ++r) {
    if (!x[r] || !y[r]) {
      x[r].reset();
      continue;
    }
    double a = *x[r], b = *y[r];
    switch (n.op) {
      case Op::kAdd:
        x[r] = finite(a + b);
        break;
      case Op::kSub:
        x[r] = finite(a - b);
        break;
      case Op::kMul:
        x[r] = finite(a * b);
        break;
      case Op::kDiv:
        x[r] = b == 0 ? std::nullopt : finite(a / b);
        break;
      case Op::kLt:
        x[r] = compare(a, b) < 0 ? 1.0 : 0.0;
        break;
      case Op::kLe:
        x[r] = compare(a, b) <= 0 ? 1.0 : 0.0;
        break;
      case Op::kGt:
        x[r] = compare(a, b) > 0 ? 1.0 : 0.0;
        break;
      case Op::kGe:
        x[r] = compare(a, b) >= 0 ? 1.0 : 0.0;
        break;
      case Op::kEq:
        x[r] = compare(a, b) == 0 ? 1.0 : 0.0;
        break;
      case Op::kNe:
        x[r] = compare(a, b) != 0 ? 1.0 : 0.0;
        break;
    }
  }
  return x;
}

}  // namespace

Expression::Column Expression::evaluate_columns(std::size_t rows,
                                                const ColumnLookup& column) const {
  if (!root_) return Column(rows);
  return eval_columns(*root_, rows, column);
}

std::optional<double> Expression::evaluate(const Lookup& lookup) const {
  if (!root_) return std::nullopt;  // moved-from
  return eval(*root_, lookup);
}

Status check_formulas(const std::map<std::string, Expression>& formulas,
                      const std::function<bool(std::string_view)>& exists) {
  for (const auto& [code, expr] : formulas) {
    for (const std::string& ref : expr.references()) {
      if (formulas.contains(ref) || exists(ref)) continue;
      return InvalidArgument(fmt::format("计算指标 {} 的公式引用了不存在的指标 {}", code, ref),
                             "formula", "unknown_indicator");
    }
  }
  Walk w = walk(formulas);
  if (!w.cycle.empty()) {
    return InvalidArgument(fmt::format("计算指标之间存在循环引用：{}", fmt::join(w.cycle, " → ")),
                           "formula", "formula_cycle");
  }
  return Status::Ok();
}

std::vector<std::string> evaluation_order(const std::map<std::string, Expression>& formulas) {
  return walk(formulas).order;
}

}  // namespace tianbao::model
