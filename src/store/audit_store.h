// AuditStore: the audit log — append-only, each record chained to the
// previous one by SM3, so that editing, removing or reordering records
// breaks the chain from that record on.
//
// Thread-safety: as Store (store.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "store/millis.h"

namespace tianbao::store {

struct AuditRecord {
  std::int64_t id = 0;
  Millis at = 0;
  std::string username;  // empty for anonymous
  std::string org_code;  // the acting user's unit, for scoped reading
  std::string remote;
  std::string action;   // "login", "user.create", "permission.denied", …
  std::string object;   // what it was done to
  std::string outcome;  // "ok", "failed", "denied"
  std::string detail;   // free text, never a secret
  std::string prev_hash;
  std::string hash;
};

struct AuditFilter {
  Millis from = 0;
  Millis to = 0;  // 0: no bound
  std::string username;
  std::string action;          // prefix match
  std::int64_t before_id = 0;  // 0: newest first from the end
  std::size_t limit = 100;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // append_audit fills id, prev_hash and hash.
  virtual StatusOr<AuditRecord> append_audit(AuditRecord record) = 0;
  virtual StatusOr<std::vector<AuditRecord>> query_audit(const AuditFilter& filter) = 0;
  // Calls `visit` on every record in id order; stops early if it returns false.
  virtual Status scan_audit(const std::function<bool(const AuditRecord&)>& visit) = 0;
};

// The SM3 chain hash of an audit record: over its prev_hash and every field
// except `hash`, so that editing any field, or removing or reordering
// records, breaks the chain from that record on. The first record's
// prev_hash is kAuditGenesis.
inline constexpr std::string_view kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
std::string audit_record_hash(const AuditRecord& record);

}  // namespace tianbao::store
