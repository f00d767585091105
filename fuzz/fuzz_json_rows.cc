// libFuzzer target: DHIS2 JSON dataValueSets (POST /api/dataValueSets
// application/json, tianbao import x.json), and the JSON export of what was
// read, which must read back the same.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "data_values.h"
#include "exchange/data_value_sets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  auto source = tianbao::exchange::json_rows(body);
  if (!source.ok()) return 0;
  auto values = fuzz::read_values(*source);
  if (!values) return 0;
  auto exported = std::make_shared<const std::string>(
      tianbao::exchange::values_to_json(fuzz::records(*values)));
  auto again = tianbao::exchange::json_rows(exported);
  if (!again.ok()) __builtin_trap();  // the export is not valid JSON
  fuzz::expect_same(*values, fuzz::read_values(*again));
  return 0;
}
