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

}  // namespace

StatusOr<DemoSummary> add_demo_content(service::Services& services) {
  service::OrgUnits& units = services.org_units();
  if (!units.tree()->find("44")) {
    return Status(StatusCode::kFailedPrecondition,
                  "演示数据需要先载入广东省区划（tianbao divisions --province 44）", "db",
                  "divisions_missing");
  }
  DemoSummary summary;
  auto add = [&](const service::NewDepartment& d) -> Status {
    if (units.tree()->find(d.code)) return Status::Ok();  // idempotent
    StatusOr<service::OrgUnitInfo> added = units.add_department(d);
    if (!added.ok()) return added.status();
    ++summary.departments_added;
    return Status::Ok();
  };
  for (const DemoDepartment& d : kProvincialDepartments) {
    RETURN_IF_ERROR(add({d.code, d.name, d.parent}));
  }
  ASSIGN_OR_RETURN(auto cities, units.children("44"));
  for (const service::OrgUnitInfo& city : cities) {
    if (city.unit.kind != model::OrgUnitKind::kRegion) continue;
    RETURN_IF_ERROR(add({city.unit.code + "_ZSJ", city.unit.name + "政务服务数据管理局",
                         city.unit.code}));
  }
  return summary;
}

}  // namespace tianbao::cli
