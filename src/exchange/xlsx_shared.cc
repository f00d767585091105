#include "exchange/xlsx_shared.h"

#include <stdlib.h>  // mkstemp
#include <unistd.h>  // close

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace tianbao::exchange::xlsx_internal {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

bool is_xstring_escape(std::string_view s, std::size_t i) {
  return s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && is_hex(s[i + 2]) &&
         is_hex(s[i + 3]) && is_hex(s[i + 4]) && is_hex(s[i + 5]) && s[i + 6] == '_';
}

StatusOr<TempFile> TempFile::create() {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Internal(fmt::format("找不到临时目录：{}", ec.message()));
  std::string path = (dir / "tianbao-xlsx-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  if (fd < 0) {
    return Internal(fmt::format("无法创建临时文件：{}",
                                std::error_code(errno, std::generic_category()).message()));
  }
  ::close(fd);
  return TempFile(std::move(path));
}

TempFile::TempFile(TempFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempFile::~TempFile() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove(path_, ec);  // best effort: nothing useful to do on failure
}

Status write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Internal("写入临时文件失败");
  return Status::Ok();
}

StatusOr<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("无法读取生成的 Excel 临时文件");
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0) return Internal("无法读取生成的 Excel 临时文件");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (in.gcount() != size) return Internal("无法读取生成的 Excel 临时文件");
  return bytes;
}

}  // namespace tianbao::exchange::xlsx_internal
