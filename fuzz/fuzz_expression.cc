// libFuzzer target: formulas of derived indicators (parse, then evaluate
// with every operand 1 and with every operand missing), and periods.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/expression.h"
#include "model/period.h"
#include "model/value.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto expr = tianbao::model::Expression::parse(text);
  if (expr.ok()) {
    (void)expr->evaluate([](std::string_view) { return std::optional<double>(1.0); });
    (void)expr->evaluate([](std::string_view) { return std::optional<double>(); });
  }
  auto period = tianbao::model::Period::parse(text);
  if (period.ok()) {
    (void)period->to_string();
    (void)period->label();
    (void)period->previous();
  }
  (void)tianbao::model::Deadline::parse(text);
  (void)tianbao::model::interpret_value(text, {tianbao::model::ValueType::kInteger, "个", 0, {}});
  (void)tianbao::model::interpret_value(text, {tianbao::model::ValueType::kPercent, "%", {}, 100});
  return 0;
}
