#include "service/audit_log.h"

#include <fmt/format.h>

namespace tianbao::service {

Status AuditLog::record(const Principal& who, const AuditEntry& entry) {
  store::AuditRecord r;
  r.at = clock_.now_ms();
  r.username = who.username;
  r.org_code = who.org_code;
  r.remote = who.remote;
  r.action = entry.action;
  r.object = entry.object;
  r.outcome = entry.outcome;
  r.detail = entry.detail;
  return store_.append_audit(std::move(r)).status();
}

Status AuditLog::record_anonymous(const std::string& username, const std::string& remote,
                                  const AuditEntry& entry, const std::string& org_code) {
  store::AuditRecord r;
  r.at = clock_.now_ms();
  r.username = username;
  r.org_code = org_code;
  r.remote = remote;
  r.action = entry.action;
  r.object = entry.object;
  r.outcome = entry.outcome;
  r.detail = entry.detail;
  return store_.append_audit(std::move(r)).status();
}

StatusOr<AuditVerification> AuditLog::verify() {
  AuditVerification v;
  std::string expected_prev(store::kAuditGenesis);
  std::int64_t expected_id = 1;
  RETURN_IF_ERROR(store_.scan_audit([&](const store::AuditRecord& r) {
    ++v.records;
    if (r.id != expected_id) {
      v.problem = fmt::format("第 {} 条记录缺失（下一条编号为 {}）", expected_id, r.id);
      v.first_broken_id = expected_id;
    } else if (r.prev_hash != expected_prev) {
      v.problem = fmt::format("第 {} 条记录的前一哈希与上一条不符", r.id);
      v.first_broken_id = r.id;
    } else if (store::audit_record_hash(r) != r.hash) {
      v.problem = fmt::format("第 {} 条记录的内容与其哈希不符（记录被改动）", r.id);
      v.first_broken_id = r.id;
    }
    if (v.first_broken_id != 0) {
      v.intact = false;
      return false;
    }
    expected_prev = r.hash;
    ++expected_id;
    return true;
  }));
  return v;
}

StatusOr<std::vector<store::AuditRecord>> AuditLog::query(const store::AuditFilter& filter) {
  return store_.query_audit(filter);
}

}  // namespace tianbao::service
