// libFuzzer target: the XML inside an uploaded XLSX. Mutating a zip of
// deflated parts rarely yields another readable zip, so this target takes
// the parts themselves, separated by NUL bytes (which XML cannot hold), and
// stores them in a zip before reading it as an upload, the way fuzz_xlsx
// does:
//   xl/worksheets/sheet1.xml \0 xl/sharedStrings.xml \0 xl/workbook.xml
//   \0 xl/_rels/workbook.xml.rels \0 _rels/.rels \0 xl/worksheets/sheet2.xml
// Parts not given get those of a one-sheet workbook.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/contacts_xlsx.h"
#include "exchange/task_workbook.h"

namespace {

constexpr std::array<std::string_view, 6> kNames = {
    "xl/worksheets/sheet1.xml",   "xl/sharedStrings.xml", "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels", "_rels/.rels",          "xl/worksheets/sheet2.xml"};

constexpr std::string_view kWorkbook =
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)"
    R"(<sheet name="填报" sheetId="1" r:id="rId1"/></sheets></workbook>)";
constexpr std::string_view kWorkbookRels =
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/)"
    R"(relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId4" )"
    R"(Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" )"
    R"(Target="sharedStrings.xml"/></Relationships>)";
constexpr std::string_view kRootRels =
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/)"
    R"(relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";

std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

// A zip of stored (uncompressed) entries.
std::string zip(const std::vector<std::pair<std::string_view, std::string_view>>& entries) {
  std::string out, directory;
  for (const auto& [name, data] : entries) {
    std::uint32_t offset = static_cast<std::uint32_t>(out.size());
    std::uint32_t crc = crc32(data);
    auto size = static_cast<std::uint32_t>(data.size());
    auto name_size = static_cast<std::uint32_t>(name.size());
    put32(out, 0x04034b50);
    for (std::uint32_t v : {20u, 0u, 0u, 0u, 0x21u}) put16(out, v);  // 1980-01-01, stored
    for (std::uint32_t v : {crc, size, size}) put32(out, v);
    put16(out, name_size);
    put16(out, 0);
    out += name;
    out += data;
    put32(directory, 0x02014b50);
    for (std::uint32_t v : {20u, 20u, 0u, 0u, 0u, 0x21u}) put16(directory, v);
    for (std::uint32_t v : {crc, size, size}) put32(directory, v);
    for (std::uint32_t v : {name_size, 0u, 0u, 0u, 0u}) put16(directory, v);
    put32(directory, 0);
    put32(directory, offset);
    directory += name;
  }
  std::uint32_t directory_offset = static_cast<std::uint32_t>(out.size());
  out += directory;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put32(out, static_cast<std::uint32_t>(directory.size()));
  put32(out, directory_offset);
  put16(out, 0);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < kNames.size()) {
    std::size_t nul = input.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(input.substr(0, nul));
    input.remove_prefix(nul + 1);
  }
  parts.push_back(input);
  const std::array<std::string_view, 6> defaults = {"",        "", kWorkbook, kWorkbookRels,
                                                    kRootRels, ""};
  std::vector<std::pair<std::string_view, std::string_view>> entries;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (i < parts.size()) {
      entries.emplace_back(kNames[i], parts[i]);
    } else if (!defaults[i].empty()) {
      entries.emplace_back(kNames[i], defaults[i]);
    }
  }
  std::string bytes = zip(entries);
  (void)tianbao::exchange::read_task_workbook(bytes);
  (void)tianbao::exchange::contacts_from_xlsx(bytes);
  return 0;
}
