#include "service/org_units.h"

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
    auto opened = store::open_store(dir_.file("t.db"));
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    auto loaded = OrgUnits::load(*store_);
    ASSERT_TRUE(loaded.ok());
    units_ = std::move(*loaded);
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
    auto summary = units_->load_divisions(regions);
    ASSERT_TRUE(summary.ok()) << summary.status().to_string();
    ASSERT_EQ(summary->total_units, regions.size());
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<OrgUnits> units_;
};

TEST_F(OrgUnitsTest, GetDescribesUnit) {
  auto zj = units_->get("4408");
  ASSERT_TRUE(zj.ok());
  EXPECT_EQ(zj->unit.name, "湛江市");
  EXPECT_EQ(zj->unit.level, 2);
  EXPECT_EQ(zj->child_count, 2u);
  EXPECT_EQ(zj->path, "/44/4408");
  EXPECT_EQ(units_->get("9999").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(units_->get("").status().code(), StatusCode::kNotFound);
}

TEST_F(OrgUnitsTest, ChildrenInCodeOrder) {
  auto kids = units_->children("44");
  ASSERT_TRUE(kids.ok());
  ASSERT_EQ(kids->size(), 2u);
  EXPECT_EQ((*kids)[0].unit.code, "4404");
  EXPECT_EQ((*kids)[1].unit.code, "4408");
  EXPECT_EQ(units_->children("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(OrgUnitsTest, SearchPutsHigherLevelsFirst) {
  auto page = units_->search(with([](OrgUnitQuery& x) { x.q = "赤坎"; }));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 2u);
  EXPECT_EQ(page->units[0].unit.code, "440802");  // 赤坎区 (level 3)
  EXPECT_EQ(page->units[1].unit.code, "440403103200");  // 大赤坎村委会 (level 5)
}

TEST_F(OrgUnitsTest, SearchFiltersAndPages) {
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.level = 3; }))->total, 3u);
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.parent = "4408"; }))->total, 2u);  // descendants only
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.q = "4404"; }))->total, 4u);      // code prefix
  auto second = units_->search(with([](OrgUnitQuery& x) { x.offset = 2; x.limit = 2; }));
  EXPECT_EQ(second->total, 8u);
  ASSERT_EQ(second->units.size(), 2u);
  EXPECT_EQ(second->units[0].unit.code, "4408");
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.q = "\xFF"; })).status().reason(), "invalid_utf8");
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.level = 6; })).status().field(), "level");
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.parent = "0000"; })).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.limit = 0; })).status().field(), "limit");
  EXPECT_EQ(units_->search(with([](OrgUnitQuery& x) { x.q = std::string(51, 'x'); })).status().reason(), "too_long");
}

TEST_F(OrgUnitsTest, AddDepartmentUnderRegion) {
  auto added = units_->add_department({"4408_ZSJ", " 湛江市政务服务数据管理局 ", "4408"});
  ASSERT_TRUE(added.ok()) << added.status().to_string();
  EXPECT_EQ(added->unit.kind, OrgUnitKind::kDepartment);
  EXPECT_EQ(added->unit.level, 2);  // its region's level
  EXPECT_EQ(added->unit.name, "湛江市政务服务数据管理局");
  EXPECT_EQ(added->path, "/44/4408/4408_ZSJ");
  // Departments come after the regions among siblings, and the subtree of
  // the city now covers it.
  auto kids = *units_->children("4408");
  EXPECT_EQ(kids.back().unit.code, "4408_ZSJ");
  auto tree = units_->tree();
  EXPECT_TRUE(tree->in_subtree(*tree->find("4408"), *tree->find("4408_ZSJ")));

  // It is durable: a fresh load from the store sees it.
  auto reloaded = OrgUnits::load(*store_);
  EXPECT_TRUE((*reloaded)->get("4408_ZSJ").ok());
}

TEST_F(OrgUnitsTest, AddDepartmentRefusesBadInputAndKeepsTreeUnchanged) {
  ASSERT_TRUE(units_->add_department({"44_ZSJ", "省政数局", "44"}).ok());
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
    Status s = units_->add_department(c.d).status();
    EXPECT_EQ(s.code(), c.code) << c.d.code << " " << c.d.name;
    EXPECT_EQ(s.field(), c.field) << c.d.code << " " << c.d.name;
  }
  EXPECT_EQ(units_->tree()->size(), before);
  EXPECT_EQ((*store_->load_org_units()).size(), before);
}

TEST_F(OrgUnitsTest, SnapshotsStayValidAcrossWrites) {
  auto old_tree = units_->tree();
  ASSERT_TRUE(units_->add_department({"44_GAT", "省公安厅", "44"}).ok());
  EXPECT_FALSE(old_tree->find("44_GAT").has_value());
  EXPECT_TRUE(units_->tree()->find("44_GAT").has_value());
}

}  // namespace
}  // namespace tianbao::service
