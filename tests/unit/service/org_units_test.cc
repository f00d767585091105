#include "service/org_units.h"

#include "service/services.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

using model::OrgUnit;
using model::OrgUnitKind;

// A query with only the named fields set.
template <typename F>
OrgUnitQuery with(F set) {
  OrgUnitQuery query;
  set(query);
  return query;
}

class OrgUnitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Services::open(dir_.file("t.db"));
    ASSERT_TRUE(opened.ok());
    services_ = std::move(*opened);
    store_ = &services_->store();
    units_ = &services_->org_units();
    std::vector<OrgUnit> regions = {
        {"44", "广东省", 1, OrgUnitKind::kRegion, ""},
        {"4404", "珠海市", 2, OrgUnitKind::kRegion, "44"},
        {"440403", "斗门区", 3, OrgUnitKind::kRegion, "4404"},
        {"440403103", "乾务镇", 4, OrgUnitKind::kRegion, "440403"},
        {"440403103200", "大赤坎村委会", 5, OrgUnitKind::kRegion, "440403103"},
        {"4408", "湛江市", 2, OrgUnitKind::kRegion, "44"},
        {"440802", "赤坎区", 3, OrgUnitKind::kRegion, "4408"},
        {"440803", "霞山区", 3, OrgUnitKind::kRegion, "4408"},
    };
    auto summary = units_->load_divisions(system_, regions);
    ASSERT_TRUE(summary.ok()) << summary.status().to_string();
    ASSERT_EQ(summary->total_units, regions.size());
  }

  testing::TempDir dir_;
  std::unique_ptr<Services> services_;
  store::Store* store_ = nullptr;
  OrgUnits* units_ = nullptr;
  const Principal system_ = Principal::system("");
};

TEST_F(OrgUnitsTest, GetDescribesUnit) {
  auto zj = units_->get(system_, "4408");
  ASSERT_TRUE(zj.ok());
  EXPECT_EQ(zj->unit.name, "湛江市");
  EXPECT_EQ(zj->unit.level, 2);
  EXPECT_EQ(zj->child_count, 2u);
  EXPECT_EQ(zj->path, "/44/4408");
  EXPECT_EQ(units_->get(system_, "9999").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(units_->get(system_, "").status().code(), StatusCode::kNotFound);
}

TEST_F(OrgUnitsTest, ChildrenInCodeOrder) {
  auto kids = units_->children(system_, "44");
  ASSERT_TRUE(kids.ok());
  ASSERT_EQ(kids->size(), 2u);
  EXPECT_EQ((*kids)[0].unit.code, "4404");
  EXPECT_EQ((*kids)[1].unit.code, "4408");
  EXPECT_EQ(units_->children(system_, "nope").status().code(), StatusCode::kNotFound);
}

TEST_F(OrgUnitsTest, SearchPutsHigherLevelsFirst) {
  auto page = units_->search(system_, with([](OrgUnitQuery& x) { x.q = "赤坎"; }));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 2u);
  EXPECT_EQ(page->units[0].unit.code, "440802");  // 赤坎区 (level 3)
  EXPECT_EQ(page->units[1].unit.code, "440403103200");  // 大赤坎村委会 (level 5)
}

TEST_F(OrgUnitsTest, SearchFiltersAndPages) {
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.level = 3; }))->total, 3u);
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.parent = "4408"; }))->total, 2u);  // descendants only
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.q = "4404"; }))->total, 4u);      // code prefix
  auto second = units_->search(system_, with([](OrgUnitQuery& x) { x.offset = 2; x.limit = 2; }));
  EXPECT_EQ(second->total, 8u);
  ASSERT_EQ(second->units.size(), 2u);
  EXPECT_EQ(second->units[0].unit.code, "4408");
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.q = "\xFF"; })).status().reason(), "invalid_utf8");
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.level = 6; })).status().field(), "level");
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.parent = "0000"; })).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.limit = 0; })).status().field(), "limit");
  EXPECT_EQ(units_->search(system_, with([](OrgUnitQuery& x) { x.q = std::string(51, 'x'); })).status().reason(), "too_long");
}

TEST_F(OrgUnitsTest, AddDepartmentUnderRegion) {
  auto added = units_->add_department(system_, {"4408_ZSJ", " 湛江市政务服务数据管理局 ", "4408"});
  ASSERT_TRUE(added.ok()) << added.status().to_string();
  EXPECT_EQ(added->unit.kind, OrgUnitKind::kDepartment);
  EXPECT_EQ(added->unit.level, 2);  // its region's level
  EXPECT_EQ(added->unit.name, "湛江市政务服务数据管理局");
  EXPECT_EQ(added->path, "/44/4408/4408_ZSJ");
  // Departments come after the regions among siblings, and the subtree of
  // the city now covers it.
  auto kids = *units_->children(system_, "4408");
  EXPECT_EQ(kids.back().unit.code, "4408_ZSJ");
  auto tree = units_->tree();
  EXPECT_TRUE(tree->in_subtree(*tree->find("4408"), *tree->find("4408_ZSJ")));

  // It is durable: a fresh load from the store sees it.
  services_.reset();
  auto reopened = Services::open(dir_.file("t.db"));
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->org_units().get(system_, "4408_ZSJ").ok());
}

TEST_F(OrgUnitsTest, AddDepartmentRefusesBadInputAndKeepsTreeUnchanged) {
  ASSERT_TRUE(units_->add_department(system_, {"44_ZSJ", "省政数局", "44"}).ok());
  std::size_t before = units_->tree()->size();
  struct Case {
    NewDepartment d;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {{"44_ZSJ", "重复", "44"}, StatusCode::kAlreadyExists, "code"},
      {{"4408", "像区划代码", "44"}, StatusCode::kInvalidArgument, "code"},
      {{"44_X", "", "44"}, StatusCode::kInvalidArgument, "name"},
      {{"44_X", "好名字", "9999"}, StatusCode::kNotFound, "parent"},
      {{"44_X", "部门下的部门", "44_ZSJ"}, StatusCode::kInvalidArgument, "parent"},
      {{"44_X", "坏\xFF字", "44"}, StatusCode::kInvalidArgument, "name"},
  };
  for (const Case& c : cases) {
    Status s = units_->add_department(system_, c.d).status();
    EXPECT_EQ(s.code(), c.code) << c.d.code << " " << c.d.name;
    EXPECT_EQ(s.field(), c.field) << c.d.code << " " << c.d.name;
  }
  EXPECT_EQ(units_->tree()->size(), before);
  EXPECT_EQ((*store_->load_org_units()).size(), before);
}

TEST_F(OrgUnitsTest, SnapshotsStayValidAcrossWrites) {
  auto old_tree = units_->tree();
  ASSERT_TRUE(units_->add_department(system_, {"44_GAT", "省公安厅", "44"}).ok());
  EXPECT_FALSE(old_tree->find("44_GAT").has_value());
  EXPECT_TRUE(units_->tree()->find("44_GAT").has_value());
}

Principal user_at(const char* org, model::Role role) {
  Principal p;
  p.user_id = 99;
  p.username = "u";
  p.org_code = org;
  p.roles = {role};
  p.via = "session";
  return p;
}

TEST_F(OrgUnitsTest, ReadsAreScopedToTheUsersSubtree) {
  Principal county = user_at("440802", model::Role::kViewer);
  EXPECT_TRUE(units_->get(county, "440802").ok());
  // Superiors are visible by name (breadcrumbs), their other branches are not.
  EXPECT_TRUE(units_->get(county, "4408").ok());
  EXPECT_TRUE(units_->get(county, "44").ok());
  EXPECT_EQ(units_->get(county, "440803").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(units_->get(county, "4404").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(units_->children(county, "4408").status().code(), StatusCode::kNotFound);
  // Out of scope looks exactly like unknown.
  Status hidden = units_->get(county, "440803").status();
  Status unknown = units_->get(county, "9999").status();
  EXPECT_EQ(hidden.code(), unknown.code());
  EXPECT_EQ(hidden.reason(), unknown.reason());
  EXPECT_EQ(hidden.message(), "单位 440803 不存在");
  auto all = units_->search(county, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 1u);  // only 赤坎区 itself
  auto cities = units_->search(user_at("4404", model::Role::kViewer), {});
  EXPECT_EQ(cities->total, 4u);  // 珠海 and its three descendants
}

TEST_F(OrgUnitsTest, AddingDepartmentsNeedsAnAdministratorOverTheParent) {
  Principal filler = user_at("4408", model::Role::kFiller);
  EXPECT_EQ(units_->add_department(filler, {"4408_X", "某局", "4408"}).status().code(),
            StatusCode::kPermissionDenied);
  Principal admin = user_at("4408", model::Role::kAdmin);
  EXPECT_TRUE(units_->add_department(admin, {"4408_X", "某局", "4408"}).ok());
  EXPECT_EQ(units_->add_department(admin, {"4404_X", "某局", "4404"}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(units_->load_divisions(admin, {}).status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace tianbao::service
