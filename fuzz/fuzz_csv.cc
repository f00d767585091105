// libFuzzer target: the streaming CSV reader and the dataValueSets rows built on it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

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
  tianbao::service::ImportRow row;
  while (true) {
    auto more = source(row);
    if (!more.ok() || !*more) break;
    row = {};
  }
  return 0;
}
