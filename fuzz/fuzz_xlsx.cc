// libFuzzer target: the XLSX reader and the task template reader on top of it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exchange/task_workbook.h"
#include "exchange/xlsx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)tianbao::exchange::read_xlsx(bytes);
  (void)tianbao::exchange::read_task_workbook(bytes);
  return 0;
}
