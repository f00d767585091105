// BulletinStore: bulletin and work-report templates (service/bulletins.h),
// keyed by code. The store keeps a template's definition as JSON text and
// does not look inside.
//
// Thread-safety: as Store (store.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "store/millis.h"

namespace tianbao::store {

struct BulletinRecord {
  std::string code;
  std::string title;
  std::string kind;        // "bulletin" or "report"
  std::string definition;  // JSON
  Millis updated_at = 0;
  std::string updated_by;
};

class BulletinStore {
 public:
  virtual ~BulletinStore() = default;

  virtual StatusOr<std::vector<BulletinRecord>> list_bulletins() = 0;
  virtual StatusOr<std::optional<BulletinRecord>> find_bulletin(std::string_view code) = 0;
  virtual Status insert_bulletin(const BulletinRecord& bulletin) = 0;  // AlreadyExists
  virtual Status update_bulletin(const BulletinRecord& bulletin) = 0;  // NotFound
  virtual Status delete_bulletin(std::string_view code) = 0;           // NotFound
};

}  // namespace tianbao::store
