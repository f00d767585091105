// Contacts: the address book (通讯录) — who to call at each unit.
//
// A caller sees the contacts of their own subtree and of their chain of
// superiors (a village filler must know whom to call at the town). Phone
// numbers and e-mail are masked (138****0000) for roles without the right
// to see them (查看者). Editing needs 管理员 rights over the contact's unit.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "service/access.h"
#include "service/audit_log.h"
#include "service/org_units.h"
#include "store/contact_store.h"

namespace tianbao::service {

// Titles offered in forms and used for sorting; other titles are allowed.
inline constexpr const char* kContactTitles[] = {
    "总指挥",     "第一副总指挥", "常务副总指挥", "副总指挥", "指挥办负责人",
    "工作组组长", "联络员",       "审核员",       "填表员",   "管理员",
};

struct ContactQuery {
  std::string q;         // name, title, unit name or phone digits
  std::string org_code;  // restrict to this unit's subtree
  std::string title;     // exact title
};

struct ContactView {
  store::ContactRecord contact;
  std::string org_name;
  bool masked = false;
};

struct NumberedContact {
  std::size_t row = 0;  // 1-based spreadsheet row
  store::ContactRecord contact;
};

struct ContactImportSummary {
  std::size_t imported = 0;
  std::size_t updated = 0;
  struct Conflict {
    std::size_t row = 0;  // 1-based, as the spreadsheet shows it
    std::string message;
  };
  std::vector<Conflict> conflicts;
};

class Contacts {
 public:
  Contacts(store::ContactStore& store, const OrgUnits& units, const Access& access, AuditLog& audit)
      : store_(store), units_(units), access_(access), audit_(audit) {}

  StatusOr<std::vector<ContactView>> list(const Principal& who, const ContactQuery& query);
  StatusOr<ContactView> get(const Principal& who, std::int64_t id);
  StatusOr<ContactView> create(const Principal& who, store::ContactRecord contact);
  StatusOr<ContactView> update(const Principal& who, store::ContactRecord contact);
  Status remove(const Principal& who, std::int64_t id);
  // Rows from a spreadsheet; a row naming an existing contact (same unit
  // and name) updates it. Good rows are saved, bad ones reported with their
  // row number.
  StatusOr<ContactImportSummary> import_rows(const Principal& who,
                                             const std::vector<NumberedContact>& rows);

  static std::string mask_phone(std::string_view phone);
  static std::string mask_email(std::string_view email);

 private:
  // Validates and normalises in place (trims, strips spaces from phones).
  static Status normalize(store::ContactRecord& contact);
  bool visible(const Principal& who, std::string_view org_code) const;
  ContactView present(const Principal& who, store::ContactRecord contact) const;

  store::ContactStore& store_;
  const OrgUnits& units_;
  const Access& access_;
  AuditLog& audit_;
};

}  // namespace tianbao::service
