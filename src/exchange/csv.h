// CsvReader: a streaming RFC 4180 reader. It holds one record and one
// 64 KiB block of input at a time, so files of any size are read in
// constant memory.
//
//   std::ifstream in(path, std::ios::binary);
//   CsvReader csv(in);
//   std::vector<std::string> row;
//   while (true) {
//     ASSIGN_OR_RETURN(bool more, csv.next(row));
//     if (!more) break;
//   }
//
// Handles quoted fields with embedded commas, quotes ("") and newlines, CRLF
// and LF line ends, and a UTF-8 byte-order mark at the start.
//
// Thread-safety: one reader per thread.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "model/status.h"

namespace tianbao::exchange {

class CsvReader {
 public:
  // Limits of one record, so that a hostile line cannot take memory out of
  // proportion to its size (an empty field costs a std::string) or without
  // bound (a file streamed from disk): InvalidArgument beyond them.
  static constexpr std::size_t kMaxFieldBytes = 1 << 20;
  static constexpr std::size_t kMaxRecordBytes = 4 << 20;
  static constexpr std::size_t kMaxFields = 4096;

  explicit CsvReader(std::istream& in) : in_(in), buffer_(kBlockBytes) {}

  // Reads the next record into `fields`; false at end of input.
  StatusOr<bool> next(std::vector<std::string>& fields);
  // 1-based line number where the last record returned started.
  std::size_t line() const { return record_line_; }

 private:
  static constexpr std::size_t kBlockBytes = 64 * 1024;

  bool fill();  // false at the end of input
  int peek();   // the next byte, or EOF

  std::istream& in_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;  // next unread byte in buffer_
  std::size_t end_ = 0;  // bytes in buffer_
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  bool at_start_ = true;
};

}  // namespace tianbao::exchange
