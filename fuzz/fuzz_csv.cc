// libFuzzer target: the streaming CSV reader and the dataValueSets rows built
// on it (POST /api/dataValueSets text/csv, tianbao import x.csv), and the
// CSV export of what was read, which must read back the same.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "data_values.h"
#include "exchange/csv.h"
#include "exchange/data_value_sets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream in(text);
    tianbao::exchange::CsvReader csv(in);
    std::vector<std::string> fields;
    while (true) {
      auto more = csv.next(fields);
      if (!more.ok() || !*more) break;
    }
  }
  auto source = tianbao::exchange::csv_rows(std::make_shared<std::istringstream>(text));
  auto values = fuzz::read_values(source);
  if (!values) return 0;
  std::string exported = tianbao::exchange::values_to_csv(fuzz::records(*values));
  auto again = tianbao::exchange::csv_rows(std::make_shared<std::istringstream>(exported));
  fuzz::expect_same(*values, fuzz::read_values(again));
  return 0;
}
