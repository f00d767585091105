#include "service/access.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "model/text.h"

namespace tianbao::service {

using model::Role;

std::string_view permission_name(Permission p) {
  switch (p) {
    case Permission::kReadUnits: return "read_units";
    case Permission::kManageUnits: return "manage_units";
    case Permission::kManageUsers: return "manage_users";
    case Permission::kReadAudit: return "read_audit";
    case Permission::kReadContacts: return "read_contacts";
    case Permission::kManageContacts: return "manage_contacts";
    case Permission::kSeePhoneNumbers: return "see_phone_numbers";
    case Permission::kFillEntries: return "fill_entries";
    case Permission::kApproveEntries: return "approve_entries";
    case Permission::kManageForms: return "manage_forms";
    case Permission::kManageTasks: return "manage_tasks";
    case Permission::kReadAnalytics: return "read_analytics";
  }
  return "unknown";
}

bool role_grants(Role role, Permission p) {
  switch (role) {
    case Role::kSysadmin:
      return true;
    case Role::kAdmin:
      return p != Permission::kFillEntries && p != Permission::kApproveEntries;
    case Role::kApprover:
      return p == Permission::kReadUnits || p == Permission::kReadContacts ||
             p == Permission::kSeePhoneNumbers || p == Permission::kApproveEntries ||
             p == Permission::kReadAnalytics;
    case Role::kFiller:
      return p == Permission::kReadUnits || p == Permission::kReadContacts ||
             p == Permission::kSeePhoneNumbers || p == Permission::kFillEntries;
    case Role::kViewer:
      return p == Permission::kReadUnits || p == Permission::kReadContacts ||
             p == Permission::kReadAnalytics;
  }
  return false;
}

namespace {

bool any_role_grants(const Principal& who, Permission p) {
  for (Role r : who.roles) {
    if (role_grants(r, p)) return true;
  }
  return false;
}

}  // namespace

model::SubtreeRange Access::scope(const Principal& who, const model::OrgTree& tree) const {
  if (who.has(Role::kSysadmin)) return {0, static_cast<model::Ordinal>(tree.size())};
  std::optional<model::Ordinal> own = tree.find(who.org_code);
  if (!own) return {0, 0};  // the user's unit vanished: nothing is in scope
  return tree.subtree(*own);
}

bool Access::in_scope(const Principal& who, const model::OrgTree& tree, model::Ordinal unit) const {
  return scope(who, tree).contains(unit);
}

bool Access::in_scope(const Principal& who, std::string_view unit_code) const {
  auto tree = trees_.current();
  std::optional<model::Ordinal> o = tree->find(unit_code);
  return o && in_scope(who, *tree, *o);
}

bool Access::is_ancestor(const Principal& who, const model::OrgTree& tree,
                         model::Ordinal unit) const {
  std::optional<model::Ordinal> own = tree.find(who.org_code);
  return own && unit != *own && tree.in_subtree(unit, *own);
}

Status Access::deny(const Principal& who, Status status, std::string_view object,
                    Permission what) const {
  Status audited = audit_.record(
      who, {"permission.denied", std::string(object), "denied",
            fmt::format("{}：{}", permission_name(what), status.message())});
  if (!audited.ok()) spdlog::error("audit write failed: {}", audited.to_string());
  return status;
}

Status Access::check_role(const Principal& who, Permission what,
                          std::string_view object) const {
  if (any_role_grants(who, what)) return Status::Ok();
  return deny(who,
              Status(StatusCode::kPermissionDenied, "您的角色无权进行此操作", {}, "permission_denied"),
              object, what);
}

Status Access::check(const Principal& who, Permission what, std::string_view unit_code,
                     std::string_view object) const {
  std::string target = object.empty() ? fmt::format("orgunit:{}", unit_code) : std::string(object);
  auto tree = trees_.current();
  std::optional<model::Ordinal> unit = tree->find(unit_code);
  Status unknown = NotFound(fmt::format("单位 {} 不存在", model::sanitize_for_message(unit_code)),
                            "orgUnit", "unknown_org_unit");
  if (!unit) return unknown;
  if (!in_scope(who, *tree, *unit)) return deny(who, unknown, target, what);
  RETURN_IF_ERROR(check_role(who, what, target));
  if (who.has(Role::kSysadmin)) return Status::Ok();
  std::optional<model::Ordinal> own = tree->find(who.org_code);
  if (what == Permission::kFillEntries && unit != own) {
    return deny(who,
                Status(StatusCode::kPermissionDenied, "填表员只能填报本单位的数据", "orgUnit",
                       "permission_denied"),
                target, what);
  }
  if (what == Permission::kApproveEntries && unit == own) {
    return deny(who,
                Status(StatusCode::kPermissionDenied, "审核员只能审核下级单位的数据", "orgUnit",
                       "permission_denied"),
                target, what);
  }
  return Status::Ok();
}

}  // namespace tianbao::service
