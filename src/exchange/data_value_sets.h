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

// ADX (urn:ihe:qrph:adx:2015): <group orgUnit period="2022-08-01/P1M">
// <dataValue dataElement value/></group>. Parsed whole (bodies are
// bounded); a period is a start date and an ISO duration: P1M (a month),
// P3M from a quarter's first day (a quarter), P1Y from 1 January (a year),
// PnM from 1 January (the cumulative months 1–n).
StatusOr<service::RowSource> adx_rows(std::shared_ptr<const std::string> body);
// "2022-08-01/P1M" → "2022-08"; the reverse for export.
StatusOr<std::string> period_from_adx(std::string_view text);
std::string period_to_adx(std::string_view period);

std::string values_to_json(const std::vector<store::DataValueRecord>& values);
std::string values_to_adx(const std::vector<store::DataValueRecord>& values);
std::string values_to_csv(const std::vector<store::DataValueRecord>& values);

}  // namespace tianbao::exchange
