// Data values in the shapes DHIS2 tools exchange (dataValueSets): JSON
// {"dataValues":[{"dataElement","period","orgUnit","value"}]} and CSV with
// a header naming dataelement, period, orgunit, value (extra DHIS2 columns
// such as categoryoptioncombo, storedby, comment, followup, deleted are
// accepted; "deleted" is honoured, the others are ignored). Readers produce
// service::RowSource; CSV is read as a stream, so a file of any size
// imports in constant memory.
#pragma once

#include <filesystem>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "service/data_import.h"
#include "store/store.h"

namespace tianbao::exchange {

enum class DataFormat { kJson, kCsv, kAdx };

// From a Content-Type ("application/json", "text/csv", "application/adx+xml").
std::optional<DataFormat> format_from_content_type(std::string_view content_type);
// From a file name's extension (.json, .csv, .xml/.adx).
std::optional<DataFormat> format_from_path(const std::filesystem::path& path);

// JSON is parsed whole (bodies are bounded); top-level "period" and
// "orgUnit" apply to rows that lack them.
StatusOr<service::RowSource> json_rows(std::shared_ptr<const std::string> body);
// CSV rows streamed from `in`.
service::RowSource csv_rows(std::shared_ptr<std::istream> in);

std::string values_to_json(const std::vector<store::DataValueRecord>& values);
std::string values_to_csv(const std::vector<store::DataValueRecord>& values);

}  // namespace tianbao::exchange
