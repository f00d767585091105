// Validation rules (校验规则) over an entry's figures, and the derived
// indicators they may refer to: the domain side of checking an entry,
// independent of where the figures come from.
//
// A rule compares two expressions over indicator codes (YZY_DAU <=
// YZY_OPENED); it is checked only once both sides can be computed, so a
// half-filled form is not flagged for what is not there yet. A rule that
// fails is a Violation with code "rule", field the rule's code, the rule's
// severity, and a message that shows both sides' values:
//   "粤政易日活用户数不能大于开通用户数（YZY_DAU = 12，YZY_OPENED = 10）"
//
// Usage:
//   Figures all = with_derived(catalogue.formulas, entry_figures);
//   for (const ValidationRule* rule : rules)
//     if (auto v = evaluate(*rule, left, right, all)) violations.push_back(*v);
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "model/expression.h"
#include "model/reporting.h"
#include "model/violation.h"

namespace tianbao::model {

// An entry's numeric figures by indicator code.
using Figures = std::map<std::string, double>;

// Does `left op right` hold? Equality is within 1e-9, so that derived
// rates computed two ways compare equal.
bool rule_holds(RuleOperator op, double left, double right);

// Checks `rule`, whose sides parse as `left` and `right`, against
// `figures`: nullopt if it holds or a side cannot be computed yet.
std::optional<Violation> evaluate(const ValidationRule& rule, const Expression& left,
                                  const Expression& right, const Figures& figures);

// `figures` with every derived indicator of `formulas` that can be
// computed from them added (in dependency order, so that one derived
// indicator may use another). REQUIRES: check_formulas passed for them.
Figures with_derived(const std::map<std::string, Expression>& formulas, Figures figures);

}  // namespace tianbao::model
