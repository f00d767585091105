// Shared by the dataValueSets targets: reading every row of a source, and
// the export → import round trip that docs/api.md promises ("Export →
// import gives back the same values"), checked on whatever the reader
// accepted.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "model/period.h"
#include "service/data_import.h"
#include "store/store.h"

namespace fuzz {

using Value =
    std::tuple<std::string, std::string, std::string, std::string>;  // element, period, unit, value

// A period the way the import will read it, so that "2022-08" and its
// ADX form compare equal.
inline std::string normal_period(const std::string& text) {
  auto p = tianbao::model::Period::parse(text);
  return p.ok() ? p->to_string() : text;
}

// Every row of `source` that has a value, or nullopt if the source fails.
inline std::optional<std::vector<Value>> read_values(tianbao::service::RowSource& source) {
  std::vector<Value> out;
  tianbao::service::ImportRow row;
  while (true) {
    auto more = source(row);
    if (!more.ok()) return std::nullopt;
    if (!*more) break;
    if (row.value)
      out.emplace_back(row.data_element, normal_period(row.period), row.org_unit, *row.value);
    row = {};
  }
  return out;
}

inline std::vector<tianbao::store::DataValueRecord> records(const std::vector<Value>& values) {
  std::vector<tianbao::store::DataValueRecord> out;
  for (const auto& [element, period, unit, value] : values) {
    tianbao::store::DataValueRecord r;
    r.indicator = element;
    r.period = period;
    r.org_code = unit;
    r.text = value;
    out.push_back(std::move(r));
  }
  return out;
}

// Traps unless `back` holds the same values as `values`, in any order (ADX
// groups values by unit and period).
inline void expect_same(std::vector<Value> values, std::optional<std::vector<Value>> back) {
  if (!back) __builtin_trap();  // the export does not read back
  std::sort(values.begin(), values.end());
  std::sort(back->begin(), back->end());
  if (values != *back) __builtin_trap();  // the export changed a value
}

}  // namespace fuzz
