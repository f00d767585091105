// What the XLSX writer (xlsx_writer.cc) and reader (xlsx_reader.cc) share:
// Excel's sheet limits, OOXML's "_xHHHH_" escapes, case folding of names
// and the temporary file both libraries need (libxlsxwriter 1.1.4 can only
// write to a path and unzOpen64 only opens one). Internal to exchange/xlsx*.
//
// Thread-safety: free functions; no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <xlsxwriter.h>

#include "model/status.h"

namespace tianbao::exchange::xlsx_internal {

// Excel's own sheet limits (the same numbers libxlsxwriter enforces).
inline constexpr std::size_t kMaxRows = LXW_ROW_MAX;  // 1,048,576
inline constexpr std::size_t kMaxCols = LXW_COL_MAX;  // 16,384

std::string ascii_lower(std::string_view s);

bool is_hex(char c);
// True if s[i..] reads "_xHHHH_", OOXML's escape for one UTF-16 code unit.
bool is_xstring_escape(std::string_view s, std::size_t i);

// A file under the system temp directory, removed when this goes out of scope.
class TempFile {
 public:
  static StatusOr<TempFile> create();

  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile();

  const std::string& path() const { return path_; }

 private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

Status write_file(const std::string& path, std::string_view bytes);
StatusOr<std::string> read_file(const std::string& path);

}  // namespace tianbao::exchange::xlsx_internal
