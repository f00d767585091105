// libFuzzer target: DHIS2 JSON dataValueSets.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "exchange/data_value_sets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  auto source = tianbao::exchange::json_rows(body);
  if (!source.ok()) return 0;
  tianbao::service::ImportRow row;
  while (true) {
    auto more = (*source)(row);
    if (!more.ok() || !*more) break;
    row = {};
  }
  return 0;
}
