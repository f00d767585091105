// libFuzzer target: ADX XML and its periods.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "exchange/data_value_sets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  auto source = tianbao::exchange::adx_rows(body);
  if (source.ok()) {
    tianbao::service::ImportRow row;
    while (true) {
      auto more = (*source)(row);
      if (!more.ok() || !*more) break;
      row = {};
    }
  }
  auto period = tianbao::exchange::period_from_adx(*body);
  if (period.ok()) (void)tianbao::exchange::period_to_adx(*period);
  return 0;
}
