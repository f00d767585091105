// libFuzzer target: ADX XML (POST /api/dataValueSets application/adx+xml,
// tianbao import x.xml) and its periods, and the ADX export of what was
// read, which must read back the same.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "data_values.h"
#include "exchange/data_value_sets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  auto period = tianbao::exchange::period_from_adx(*body);
  if (period.ok()) {
    auto back = tianbao::exchange::period_from_adx(tianbao::exchange::period_to_adx(*period));
    if (!back.ok() || *back != *period) __builtin_trap();  // the ADX period does not read back
  }
  auto source = tianbao::exchange::adx_rows(body);
  if (!source.ok()) return 0;
  auto values = fuzz::read_values(*source);
  if (!values) return 0;
  auto exported =
      std::make_shared<const std::string>(tianbao::exchange::values_to_adx(fuzz::records(*values)));
  auto again = tianbao::exchange::adx_rows(exported);
  if (!again.ok()) __builtin_trap();  // the export is not valid ADX
  fuzz::expect_same(*values, fuzz::read_values(*again));
  return 0;
}
