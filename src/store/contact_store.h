// ContactStore: the address book (通讯录) — who to call at each unit.
//
// Thread-safety: as Store (store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/status.h"

namespace tianbao::store {

struct ContactRecord {
  std::int64_t id = 0;
  std::string org_code;
  std::string name;
  std::string title;  // 总指挥, 填表员, …
  std::string mobile;
  std::string office_phone;
  std::string email;
  std::string note;
};

class ContactStore {
 public:
  virtual ~ContactStore() = default;

  virtual StatusOr<std::vector<ContactRecord>> list_contacts() = 0;
  virtual StatusOr<std::optional<ContactRecord>> find_contact(std::int64_t id) = 0;
  // NotFound if the unit is unknown; returns the new id.
  virtual StatusOr<std::int64_t> insert_contact(const ContactRecord& contact) = 0;
  virtual Status update_contact(const ContactRecord& contact) = 0;  // NotFound
  virtual Status delete_contact(std::int64_t id) = 0;               // NotFound
};

}  // namespace tianbao::store
