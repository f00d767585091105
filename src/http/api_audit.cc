#include <limits>

#include "http/api_routes.h"
#include "http/api_support.h"

namespace tianbao::http {

namespace {

constexpr long kDefaultLimit = 100;
constexpr long kMaxLimit = 1000;
constexpr std::size_t kScanBatch = 500;

json audit_json(const store::AuditRecord& r) {
  return {{"id", r.id},           {"at", format_time(r.at)}, {"username", r.username},
          {"orgUnit", r.org_code}, {"remote", r.remote},     {"action", r.action},
          {"object", r.object},   {"outcome", r.outcome},    {"detail", r.detail}};
}

}  // namespace

void register_audit_routes(Router& router, service::Services& services) {
  router.add(
      Method::kGet, "/api/audit",
      authed(services, [&services](const Request& r,
                                   const service::Principal& who) -> StatusOr<Response> {
        RETURN_IF_ERROR(services.access().check_role(who, service::Permission::kReadAudit, "audit"));
        store::AuditFilter filter;
        if (auto from = r.query_value("from"); from && !from->empty()) {
          ASSIGN_OR_RETURN(filter.from, parse_time(*from, "from"));
        }
        if (auto to = r.query_value("to"); to && !to->empty()) {
          ASSIGN_OR_RETURN(filter.to, parse_time(*to, "to"));
        }
        filter.username = r.query_value("user").value_or("");
        filter.action = r.query_value("action").value_or("");
        ASSIGN_OR_RETURN(auto before, int_param(r, "before", 1, std::numeric_limits<long>::max()));
        ASSIGN_OR_RETURN(auto limit, int_param(r, "limit", 1, kMaxLimit));
        std::size_t wanted = static_cast<std::size_t>(limit.value_or(kDefaultLimit));
        filter.before_id = before.value_or(0);
        filter.limit = kScanBatch;

        // Records of units outside the caller's subtree are skipped, so
        // scan in batches until the page is full or the log is exhausted.
        bool everything = who.has(model::Role::kSysadmin);
        auto tree = services.org_units().tree();
        json records = json::array();
        std::int64_t last_id = 0;
        bool more = true;
        while (records.size() < wanted && more) {
          ASSIGN_OR_RETURN(auto batch, services.audit().query(filter));
          more = batch.size() == kScanBatch;
          for (const store::AuditRecord& rec : batch) {
            filter.before_id = rec.id;
            if (!everything) {
              std::optional<model::Ordinal> o = tree->find(rec.org_code);
              if (!o || !services.access().in_scope(who, *tree, *o)) continue;
            }
            records.push_back(audit_json(rec));
            last_id = rec.id;
            if (records.size() == wanted) break;
          }
        }
        json out = {{"records", records}};
        out["next"] = records.size() == wanted && last_id > 1 ? json(last_id) : json(nullptr);
        out["retentionDays"] = service::AuditLog::kRetentionDays;
        return json_response(out);
      }));
}

}  // namespace tianbao::http
