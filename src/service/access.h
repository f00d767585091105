// Access: the one place where tianbao decides who may do what where.
//
// A user's scope is the subtree of their org unit: a village filler sees
// their village, a county admin their county. Every service checks through
// here before it reads or writes scoped data, and filters lists with
// in_scope(), so no handler decides access on its own.
//
// Outcomes are chosen so that nothing leaks: a unit outside the caller's
// scope is reported as not existing (404), exactly as an unknown code would
// be; a unit in scope that the caller's roles do not cover is 403. Both are
// written to the audit log as permission denials.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <string_view>

#include "model/org_tree.h"
#include "service/audit_log.h"
#include "service/tree_snapshots.h"
#include "service/principal.h"

namespace tianbao::service {

enum class Permission {
  kReadUnits,        // see units and their metadata
  kManageUnits,      // add departments
  kManageUsers,      // create and change users below
  kReadAudit,        // read the audit log of the subtree
  kReadContacts,     // the address book
  kManageContacts,   // edit the address book
  kSeePhoneNumbers,  // unmasked phone numbers
  kFillEntries,      // fill the own unit's entries
  kApproveEntries,   // approve entries of units below
  kManageForms,      // indicators, forms, rules
  kManageTasks,      // dispatch tasks
  kReadAnalytics,    // analytics of the subtree
};

// Does any of the roles grant the permission (ignoring where)?
bool role_grants(model::Role role, Permission permission);

class Access {
 public:
  Access(const OrgTreeSnapshots& trees, AuditLog& audit) : trees_(trees), audit_(audit) {}

  // OK if `who` may exercise `what` on the unit `unit_code`. For
  // kFillEntries the unit must be the user's own; for kApproveEntries it
  // must lie strictly below; otherwise anywhere in the subtree. Sysadmins
  // may act anywhere. `object` names the target in the audit record.
  Status check(const Principal& who, Permission what, std::string_view unit_code,
               std::string_view object = {}) const;
  // OK if one of `who`'s roles grants `what`, wherever (for permissions
  // whose targets are filtered by scope afterwards, such as lists).
  Status check_role(const Principal& who, Permission what, std::string_view object = {}) const;

  // True if the unit lies in `who`'s subtree (sysadmins: everywhere). No audit.
  bool in_scope(const Principal& who, const model::OrgTree& tree, model::Ordinal unit) const;
  bool in_scope(const Principal& who, std::string_view unit_code) const;
  // True if the unit is an ancestor of `who`'s own unit (their chain of
  // superiors): visible by name, not by contents.
  bool is_ancestor(const Principal& who, const model::OrgTree& tree, model::Ordinal unit) const;
  // The ordinal range `who` may see in `tree`; the whole tree for sysadmins.
  model::SubtreeRange scope(const Principal& who, const model::OrgTree& tree) const;

 private:
  Status deny(const Principal& who, Status status, std::string_view object, Permission what) const;

  const OrgTreeSnapshots& trees_;
  AuditLog& audit_;
};

std::string_view permission_name(Permission p);

}  // namespace tianbao::service
