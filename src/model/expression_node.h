// Expression::Node, the parsed tree of a formula: shared by the parser
// (expression_parser.cc), which builds it, and the evaluator
// (expression_evaluator.cc), which walks it. Internal to model/expression*.
#pragma once

#include <memory>
#include <string>

#include "model/expression.h"

namespace tianbao::model {

struct Expression::Node {
  enum class Kind { kNumber, kCode, kNegate, kBinary, kIf };
  enum class Op { kAdd, kSub, kMul, kDiv, kLt, kLe, kGt, kGe, kEq, kNe };

  Kind kind = Kind::kNumber;
  Op op = Op::kAdd;   // kBinary
  double number = 0;  // kNumber
  std::string code;   // kCode
  // kNegate: -a; kBinary: a op b; kIf: if(a, b, c).
  std::unique_ptr<Node> a, b, c;

  // Recursion is bounded: the 2,000-byte limit caps the tree at about a
  // thousand levels even for long left-associative chains like 1+1+…+1.
  std::unique_ptr<Node> clone() const {
    auto out = std::make_unique<Node>();
    out->kind = kind;
    out->op = op;
    out->number = number;
    out->code = code;
    if (a) out->a = a->clone();
    if (b) out->b = b->clone();
    if (c) out->c = c->clone();
    return out;
  }
};

}  // namespace tianbao::model
