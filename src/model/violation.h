// Violation: one problem with one field's value or one rule over an entry's
// figures, as the filler is told about it. Kept apart from model/value.h so
// that a Status (model/status.h) can carry the violations behind a failure.
//
// Thread-safety: values; copy freely.
#pragma once

#include <string>
#include <string_view>

namespace tianbao::model {

enum class Severity { kError, kWarning };

std::string_view severity_name(Severity s);  // "error" | "warning"

// One problem with one field's value. Errors block (the value is not
// stored, or the entry cannot be submitted); warnings need a written
// explanation (说明) to submit.
struct Violation {
  std::string field;  // indicator code, or a rule code
  Severity severity = Severity::kError;
  std::string code;        // stable: see interpret_value and model/validation.h
  std::string message;     // 中文, says what is wrong and what to do
  std::string suggestion;  // the probably meant value as text, if any
};

}  // namespace tianbao::model
