// AuditLog: the append-only record of who did what, when, from where, and
// with what outcome. Each record is chained to the previous one by an SM3
// hash (store::audit_record_hash), so verify() finds the first record that
// was edited, inserted or removed behind tianbao's back.
//
// Thread-safety: safe for concurrent use (the store serialises appends).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "service/clock.h"
#include "service/principal.h"
#include "store/audit_store.h"

namespace tianbao::service {

struct AuditEntry {
  std::string action;   // "login", "user.create", "permission.denied", …
  std::string object;   // "user:zhangsan", "orgunit:4408"
  std::string outcome;  // "ok", "failed", "denied"
  std::string detail;   // never a secret
};

struct AuditVerification {
  bool intact = true;
  std::size_t records = 0;
  std::int64_t first_broken_id = 0;  // 0 if intact
  std::string problem;               // 中文, empty if intact
};

class AuditLog {
 public:
  // Records are kept at least this long (网络安全法 第二十一条: ≥ 6 months);
  // tianbao never deletes them itself.
  static constexpr int kRetentionDays = 180;

  AuditLog(store::AuditStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Appends a record for `who` (or an anonymous caller at `remote`).
  Status record(const Principal& who, const AuditEntry& entry);
  // A caller not signed in; `org_code` is the unit of the account they
  // named, if it exists, so that its administrators see the attempt.
  Status record_anonymous(const std::string& username, const std::string& remote,
                          const AuditEntry& entry, const std::string& org_code = {});

  StatusOr<AuditVerification> verify();
  // Raw query; scope filtering is the caller's (Access) business.
  StatusOr<std::vector<store::AuditRecord>> query(const store::AuditFilter& filter);

 private:
  store::AuditStore& store_;
  const Clock& clock_;
};

}  // namespace tianbao::service
