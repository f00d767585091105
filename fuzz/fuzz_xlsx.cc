// libFuzzer target: the XLSX reader as the product's uploads use it — the
// task workbook (POST /api/tasks/{id}/upload) and the address book
// (通讯录 import); both read the bytes with read_xlsx first.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exchange/contacts_xlsx.h"
#include "exchange/task_workbook.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)tianbao::exchange::read_task_workbook(bytes);
  (void)tianbao::exchange::contacts_from_xlsx(bytes);
  return 0;
}
