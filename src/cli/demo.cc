#include "cli/demo.h"

#include <fmt/format.h>

namespace tianbao::cli {

namespace {

struct DemoDepartment {
  const char* code;
  const char* name;
  const char* parent;
};

constexpr DemoDepartment kProvincialDepartments[] = {
    {"44_ZSJ", "广东省政务服务数据管理局", "44"},
    {"44_GAT", "广东省公安厅", "44"},
    {"44_RST", "广东省人力资源和社会保障厅", "44"},
    {"44_SCJGJ", "广东省市场监督管理局", "44"},
    {"44_WJW", "广东省卫生健康委员会", "44"},
};

struct DemoContact {
  const char* org;
  const char* name;
  const char* title;
  const char* mobile;
  const char* office;
};

constexpr DemoContact kContacts[] = {
    {"44", "陈志明", "总指挥", "13800000001", "020-83130001"},
    {"44", "李卫东", "指挥办负责人", "13800000002", "020-83130002"},
    {"4408", "黄海波", "总指挥", "13900000001", "0759-3330001"},
    {"4408", "林晓燕", "指挥办负责人", "13900000002", "0759-3330002"},
    {"4408", "吴国强", "工作组组长", "13900000003", "0759-3330003"},
    {"440802", "郑丽华", "常务副总指挥", "13700000001", "0759-3180001"},
    {"440802", "何俊杰", "审核员", "13700000002", "0759-3180002"},
    {"440802001", "梁美玲", "审核员", "13600000001", "0759-3210001"},
    {"440802001001", "周小红", "填表员", "13500000001", ""},
};

}  // namespace

const std::vector<DemoUser>& demo_users() {
  static const std::vector<DemoUser> users = {
      {"sysadmin", "演示系统管理员", "44", "sysadmin"},
      {"gd_admin", "省级管理员", "44", "admin"},
      {"gd_approver", "省级审核员", "44", "approver"},
      {"gd_filler", "省政数局填表员", "44_ZSJ", "filler"},
      {"gd_viewer", "省级查看者", "44", "viewer"},
      {"zj_admin", "湛江市管理员", "4408", "admin"},
      {"zj_approver", "湛江市审核员", "4408", "approver"},
      {"zj_filler", "湛江市填表员", "4408", "filler"},
      {"zj_viewer", "湛江市查看者", "4408", "viewer"},
      {"ck_admin", "赤坎区管理员", "440802", "admin"},
      {"ck_approver", "赤坎区审核员", "440802", "approver"},
      {"ck_filler", "赤坎区填表员", "440802", "filler"},
      {"ck_viewer", "赤坎区查看者", "440802", "viewer"},
      {"zh_admin", "中华街道管理员", "440802001", "admin"},
      {"zh_approver", "中华街道审核员", "440802001", "approver"},
      {"zh_filler", "中华街道填表员", "440802001", "filler"},
      {"zh_viewer", "中华街道查看者", "440802001", "viewer"},
      {"cun_filler", "南方社区填表员", "440802001001", "filler"},
      {"cun_viewer", "南方社区查看者", "440802001001", "viewer"},
  };
  return users;
}

StatusOr<DemoSummary> add_demo_content(service::Services& services) {
  service::OrgUnits& units = services.org_units();
  const service::Principal system = service::Principal::system("");
  if (!units.tree()->find("440802001001")) {
    return Status(StatusCode::kFailedPrecondition,
                  "演示数据需要先载入广东省区划（tianbao divisions --province 44）", "db",
                  "divisions_missing");
  }
  DemoSummary summary;
  auto add = [&](const service::NewDepartment& d) -> Status {
    if (units.tree()->find(d.code)) return Status::Ok();  // idempotent
    StatusOr<service::OrgUnitInfo> added = units.add_department(system, d);
    if (!added.ok()) return added.status();
    ++summary.departments_added;
    return Status::Ok();
  };
  for (const DemoDepartment& d : kProvincialDepartments) {
    RETURN_IF_ERROR(add({d.code, d.name, d.parent}));
  }
  ASSIGN_OR_RETURN(auto cities, units.children(system, "44"));
  for (const service::OrgUnitInfo& city : cities) {
    if (city.unit.kind != model::OrgUnitKind::kRegion) continue;
    RETURN_IF_ERROR(add({city.unit.code + "_ZSJ", city.unit.name + "政务服务数据管理局",
                         city.unit.code}));
  }

  for (const DemoUser& u : demo_users()) {
    ASSIGN_OR_RETURN(auto existing, services.store().find_user(u.username));
    if (existing) continue;
    service::NewUser user{u.username, u.display_name, u.org_code, {u.role}, kDemoPassword, false};
    StatusOr<service::CreatedUser> created = services.accounts().create_user(system, user);
    if (!created.ok()) return created.status();
    ++summary.users_added;
  }

  ASSIGN_OR_RETURN(auto contacts, services.store().list_contacts());
  if (contacts.empty()) {
    for (const DemoContact& c : kContacts) {
      store::ContactRecord record;
      record.org_code = c.org;
      record.name = c.name;
      record.title = c.title;
      record.mobile = c.mobile;
      record.office_phone = c.office;
      StatusOr<service::ContactView> added = services.contacts().create(system, record);
      if (!added.ok()) return added.status();
    }
  }
  return summary;
}

}  // namespace tianbao::cli
