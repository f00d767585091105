#include "exchange/csv.h"

#include <fmt/format.h>

namespace tianbao::exchange {

StatusOr<bool> CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (at_start_) {
    at_start_ = false;
    constexpr char kBom[] = "\xEF\xBB\xBF";
    char buf[3];
    in_.read(buf, 3);
    std::streamsize got = in_.gcount();
    if (!(got == 3 && std::equal(buf, buf + 3, kBom))) {
      in_.clear();
      for (std::streamsize i = got; i-- > 0;) in_.putback(buf[i]);
    }
  }
  int c = in_.get();
  if (c == EOF) return false;
  record_line_ = line_;
  std::string field;
  std::size_t record_bytes = 0;
  bool quoted = false;
  bool field_started_quoted = false;
  while (true) {
    if (c == EOF) {
      if (quoted) {
        return InvalidArgument(fmt::format("第 {} 行：引号未闭合", record_line_), "file",
                               "csv_unclosed_quote");
      }
      fields.push_back(std::move(field));
      return true;
    }
    char ch = static_cast<char>(c);
    if (quoted) {
      if (ch == '"') {
        if (in_.peek() == '"') {
          in_.get();
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line_;
        field += ch;
      }
    } else if (ch == '"' && field.empty() && !field_started_quoted) {
      quoted = true;
      field_started_quoted = true;
    } else if (ch == ',') {
      if (fields.size() + 1 >= kMaxFields) {
        return InvalidArgument(fmt::format("第 {} 行：超过 {} 列", record_line_, kMaxFields),
                               "file", "csv_too_many_fields");
      }
      record_bytes += field.size();
      fields.push_back(std::move(field));
      field.clear();
      field_started_quoted = false;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && in_.peek() == '\n') in_.get();
      ++line_;
      fields.push_back(std::move(field));
      return true;
    } else {
      field += ch;
    }
    if (field.size() > kMaxFieldBytes) {
      return InvalidArgument(fmt::format("第 {} 行：字段超过 1 MiB", record_line_), "file",
                             "csv_field_too_long");
    }
    if (record_bytes + field.size() > kMaxRecordBytes) {
      return InvalidArgument(fmt::format("第 {} 行：一行超过 4 MiB", record_line_), "file",
                             "csv_record_too_long");
    }
    c = in_.get();
  }
}

}  // namespace tianbao::exchange
