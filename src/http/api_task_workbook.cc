// The Excel template of a task and its upload (docs/api.md "Excel per task").

#include <fmt/format.h>

#include "exchange/task_workbook.h"
#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

// RFC 5987 filename*: every byte outside the unreserved set percent-encoded.
std::string encoded_filename(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

json upload_error(const exchange::UploadedRow& row, std::string cell, const char* indicator,
                  std::string_view code, std::string_view message, std::string_view suggestion) {
  json e = {{"sheet", row.sheet},
            {"cell", std::move(cell)},
            {"orgUnit", row.upload.org_code},
            {"indicator", indicator ? json(indicator) : json(nullptr)},
            {"code", code},
            {"message", message}};
  if (!suggestion.empty()) e["suggestion"] = suggestion;
  return e;
}

// Where a violation points: the indicator's cell, or the row's unit cell
// for rules and row-level problems.
std::pair<std::string, const std::string*> place(const exchange::UploadedRow& row,
                                                 const model::Violation& v) {
  auto it = row.cells.find(v.field);
  if (it == row.cells.end()) return {row.org_cell, nullptr};
  return {it->second, &it->first};
}

}  // namespace

void register_task_workbook_routes(Router& router, service::Services& services) {
  service::Reporting& rep = services.reporting();

  router.add(Method::kGet, "/api/tasks/{id}/template.xlsx",
             authed(services,
                    [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
                      ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
                      ASSIGN_OR_RETURN(service::TaskSheet sheet, rep.task_sheet(who, id));
                      ASSIGN_OR_RETURN(std::string bytes, exchange::task_workbook_xlsx(sheet));
                      Response response;
                      response.content_type =
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                      response.body = std::move(bytes);
                      response.headers.emplace_back(
                          "Content-Disposition",
                          fmt::format("attachment; filename=\"task-{}.xlsx\"; filename*=UTF-8''{}",
                                      id, encoded_filename(sheet.task.title + ".xlsx")));
                      return response;
                    }));

  router.add(
      Method::kPost, "/api/tasks/{id}/upload",
      authed(
          services, [&rep](const Request& r, const service::Principal& who) -> StatusOr<Response> {
            ASSIGN_OR_RETURN(std::int64_t id, task_id(r));
            std::string dry = r.query_value("dryRun").value_or("false");
            bool dry_run = dry == "true" || dry == "1";
            ASSIGN_OR_RETURN(exchange::TaskUpload upload, exchange::read_task_workbook(r.body));
            std::vector<service::EntryUpload> rows;
            for (const exchange::UploadedRow& row : upload.rows) rows.push_back(row.upload);
            ASSIGN_OR_RETURN(auto results, rep.upload_entries(who, id, rows, dry_run));

            json entries = json::array();
            json errors = json::array();
            for (const exchange::UploadProblem& p : upload.problems) {
              errors.push_back({{"sheet", p.sheet},
                                {"cell", p.cell},
                                {"orgUnit", nullptr},
                                {"indicator", nullptr},
                                {"code", p.code},
                                {"message", p.message}});
            }
            std::size_t rejected = 0;
            for (std::size_t i = 0; i < results.size(); ++i) {
              const service::EntryUploadResult& res = results[i];
              const exchange::UploadedRow& row = upload.rows[i];
              json entry = {{"orgUnit", res.org_code},
                            {"sheet", row.sheet},
                            {"row", row.row},
                            {"result", service::upload_outcome_name(res.outcome)},
                            {"version", res.version}};
              json warnings = json::array();
              if (res.outcome == service::UploadOutcome::kRejected) {
                ++rejected;
                bool field_errors = false;
                for (const model::Violation& v : res.violations) {
                  if (v.severity != model::Severity::kError) continue;
                  auto [cell, indicator] = place(row, v);
                  errors.push_back(upload_error(row, cell, indicator ? indicator->c_str() : nullptr,
                                                v.code, v.message, v.suggestion));
                  field_errors = true;
                }
                if (!field_errors) {
                  errors.push_back(upload_error(row, row.org_cell, nullptr, res.status.reason(),
                                                res.status.message(), ""));
                }
                entry["error"] = res.status.message();
              } else {
                for (const model::Violation& v : res.violations) {
                  auto [cell, indicator] = place(row, v);
                  json w = {{"cell", cell},
                            {"indicator", indicator ? json(*indicator) : json(nullptr)},
                            {"severity", model::severity_name(v.severity)},
                            {"code", v.code},
                            {"message", v.message}};
                  warnings.push_back(std::move(w));
                }
              }
              entry["warnings"] = std::move(warnings);
              entries.push_back(std::move(entry));
            }
            std::string status = errors.empty()               ? "OK"
                                 : rejected == results.size() ? "ERROR"
                                                              : "WARNING";
            return json_response({{"status", status},
                                  {"dryRun", dry_run},
                                  {"entries", std::move(entries)},
                                  {"errors", std::move(errors)}});
          }));
}

}  // namespace tianbao::http
