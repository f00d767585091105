#include "exchange/csv.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace tianbao::exchange {

bool CsvReader::fill() {
  if (pos_ < end_) return true;
  if (!in_) return false;
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  pos_ = 0;
  end_ = static_cast<std::size_t>(in_.gcount());
  return end_ > 0;
}

int CsvReader::peek() {
  if (!fill()) return EOF;
  return static_cast<unsigned char>(buffer_[pos_]);
}

StatusOr<bool> CsvReader::next(std::vector<std::string>& fields) {
  if (at_start_) {
    at_start_ = false;
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (fill() && std::string_view(buffer_.data() + pos_, end_ - pos_).starts_with(kBom)) {
      pos_ += kBom.size();
    }
  }
  if (peek() == EOF) {
    fields.clear();
    return false;
  }
  record_line_ = line_;
  // Fields are assigned in place, so their buffers are reused row after row.
  std::size_t count = 0;
  auto start_field = [&]() -> std::string& {
    if (count == fields.size()) fields.emplace_back();
    std::string& f = fields[count++];
    f.clear();
    return f;
  };
  std::string* field = &start_field();
  std::size_t record_bytes = 0;  // of the fields before the current one
  auto over_limit = [&]() -> std::optional<Status> {
    if (field->size() > kMaxFieldBytes) {
      return InvalidArgument(fmt::format("第 {} 行：字段超过 1 MiB", record_line_), "file",
                             "csv_field_too_long");
    }
    if (record_bytes + field->size() > kMaxRecordBytes) {
      return InvalidArgument(fmt::format("第 {} 行：一行超过 4 MiB", record_line_), "file",
                             "csv_record_too_long");
    }
    return std::nullopt;
  };
  bool quoted = false;
  bool field_started_quoted = false;
  while (true) {
    if (!fill()) {
      if (quoted) {
        return InvalidArgument(fmt::format("第 {} 行：引号未闭合", record_line_), "file",
                               "csv_unclosed_quote");
      }
      fields.resize(count);
      return true;
    }
    if (!quoted) {
      // Ordinary bytes up to the next comma, line end or quote, in one go.
      const char* begin = buffer_.data() + pos_;
      const char* stop =
          std::find_if(begin, static_cast<const char*>(buffer_.data() + end_),
                       [](char c) { return c == ',' || c == '\n' || c == '\r' || c == '"'; });
      field->append(begin, stop);
      pos_ += static_cast<std::size_t>(stop - begin);
      if (std::optional<Status> e = over_limit()) return *e;
      if (pos_ == end_) continue;
      char ch = buffer_[pos_++];
      if (ch == '"') {
        if (field->empty() && !field_started_quoted) {
          quoted = true;
          field_started_quoted = true;
        } else {
          field->push_back(ch);
        }
      } else if (ch == ',') {
        if (count >= kMaxFields) {
          return InvalidArgument(fmt::format("第 {} 行：超过 {} 列", record_line_, kMaxFields),
                                 "file", "csv_too_many_fields");
        }
        record_bytes += field->size();
        field = &start_field();
        field_started_quoted = false;
      } else {  // a line end
        if (ch == '\r' && peek() == '\n') ++pos_;
        ++line_;
        fields.resize(count);
        return true;
      }
      continue;
    }
    char ch = buffer_[pos_++];
    if (ch == '"') {
      if (peek() == '"') {
        ++pos_;
        field->push_back('"');
      } else {
        quoted = false;
      }
    } else {
      if (ch == '\n') ++line_;
      field->push_back(ch);
    }
    if (std::optional<Status> e = over_limit()) return *e;
  }
}

}  // namespace tianbao::exchange
