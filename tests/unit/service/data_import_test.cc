// DataImport through the services as the server wires them: counts over
// many batches, the cube kept equal to the store, and a file that breaks
// half-way.
#include "service/data_import.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "exchange/data_value_sets.h"
#include "service/services.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

class DataImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceOptions options;
    options.load_analytics = true;
    auto opened = Services::open(dir_.file("t.db"), options);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    s_ = std::move(*opened);
    std::vector<model::OrgUnit> units = {{"44", "广东省", 1, model::OrgUnitKind::kRegion, ""}};
    for (int c = 1; c <= 20; ++c) {
      units.push_back({fmt::format("44{:02d}", c), fmt::format("市{}", c), 2,
                       model::OrgUnitKind::kRegion, "44"});
    }
    ASSERT_TRUE(s_->org_units().load_divisions(system_, units).ok());
    for (const char* code : {"A", "B"}) {
      model::Indicator ind;
      ind.code = code;
      ind.name = code;
      ASSERT_TRUE(s_->metadata().create_indicator(system_, ind).ok());
    }
  }

  StatusOr<ImportSummary> import_csv(std::string text, ImportOptions options = {}) {
    auto body = std::make_shared<std::string>(std::move(text));
    return s_->data_import().run(
        system_,
        [body]() -> StatusOr<RowSource> {
          return exchange::csv_rows(std::make_shared<std::istringstream>(*body));
        },
        options);
  }

  // The cube's figure for one unit, or nullopt.
  std::optional<double> in_cube(const std::string& indicator, const std::string& period,
                                const std::string& org) {
    std::optional<double> out;
    s_->analytics().cube().read([&](const cube::Cube::View& v) {
      auto i = v.indicator(indicator);
      auto p = v.period(period);
      auto o = v.tree().find(org);
      if (i != cube::Cube::kUnknown && p != cube::Cube::kUnknown && o) out = v.point(i, p, *o);
    });
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Services> s_;
  const Principal system_ = Principal::system("");
};

TEST_F(DataImportTest, CountsAreExactOverManyBatchesWithBadRowsAmongThem) {
  // 2.5 batches of rows; every 997th names a unit that does not exist.
  const std::size_t rows = DataImport::kBatch * 5 / 2;
  std::string csv = "dataelement,period,orgunit,value\n";
  std::size_t bad = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const int month = static_cast<int>(r / 40);  // 2 indicators × 20 cities per month
    const std::string period = fmt::format("{:04d}-{:02d}", 1900 + month / 12, month % 12 + 1);
    const bool wrong = r % 997 == 0;
    bad += wrong;
    csv += fmt::format("{},{},{},{}\n", r % 2 ? "B" : "A", period,
                       wrong ? std::string("9999") : fmt::format("44{:02d}", r / 2 % 20 + 1), r);
  }
  const std::size_t cube_before = s_->analytics().cube().value_count();
  auto summary = import_csv(csv);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->imported, rows - bad);
  EXPECT_EQ(summary->conflict_count, bad);
  EXPECT_EQ(summary->ignored, bad);
  EXPECT_EQ(summary->status, "WARNING");
  EXPECT_EQ(summary->conflicts.front().object, "第 2 行 A/9999/1900-01");
  EXPECT_EQ(s_->analytics().cube().value_count() - cube_before, rows - bad);
  EXPECT_EQ(in_cube("B", "1900-01", "4401"), 1);

  // The same file again changes nothing.
  auto again = import_csv(csv);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->imported, 0u);
  EXPECT_EQ(again->updated, 0u);
  EXPECT_EQ(again->ignored, rows);
}

TEST_F(DataImportTest, SkippedWritesLeaveTheCubeEqualToTheStore) {
  ASSERT_TRUE(import_csv("dataelement,period,orgunit,value\nA,2022-08,4401,5\n").ok());
  ImportOptions create;
  create.strategy = ImportStrategy::kCreate;
  auto kept = import_csv("dataelement,period,orgunit,value\nA,2022-08,4401,9\n", create);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->ignored, 1u);
  EXPECT_EQ(in_cube("A", "2022-08", "4401"), 5);

  ImportOptions update;
  update.strategy = ImportStrategy::kUpdate;
  auto none = import_csv("dataelement,period,orgunit,value\nA,2022-08,4402,9\n", update);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->ignored, 1u);
  EXPECT_EQ(in_cube("A", "2022-08", "4402"), std::nullopt);
}

TEST_F(DataImportTest, FileBrokenAfterTheFirstBatchStopsWithItsError) {
  std::string csv = "dataelement,period,orgunit,value\n";
  for (std::size_t r = 0; r < DataImport::kBatch + 10; ++r) {
    const int month = static_cast<int>(r / 20);
    csv +=
        fmt::format("A,{:04d}-{:02d},44{:02d},1\n", 1900 + month / 12, month % 12 + 1, r % 20 + 1);
  }
  csv += "A,2022-08,\"4401,1\n";  // a quote never closed
  auto broken = import_csv(csv);
  EXPECT_EQ(broken.status().reason(), "csv_unclosed_quote");
  EXPECT_NE(broken.status().message().find(fmt::format("新增 {}", DataImport::kBatch)),
            std::string::npos)
      << broken.status().message();
  // The batch written before the break is kept, in the store and the cube alike.
  EXPECT_EQ(s_->analytics().cube().value_count(), DataImport::kBatch);
  std::size_t stored = 0;
  ASSERT_TRUE(s_->store().scan_values([&](const store::DataValueRecord&) { ++stored; }).ok());
  EXPECT_EQ(stored, DataImport::kBatch);

  ImportOptions atomic;
  atomic.atomic = true;
  auto nothing =
      import_csv("dataelement,period,orgunit,value\nB,2022-08,4401,1\nB,x,4401,2\n", atomic);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->status, "ERROR");
  EXPECT_EQ(in_cube("B", "2022-08", "4401"), std::nullopt);
}

// Two importers racing for one value: the second commits, and reaches the
// cube, while the first is still on its way there. Because the follower
// applies the change log in order, each change once, the cube ends with
// the value the store kept.
TEST_F(DataImportTest, RacingWritersLeaveTheCubeEqualToTheStore) {
  std::promise<void> first_committed;
  std::promise<void> second_applied;
  ChangeFollower& changes = s_->changes();
  s_->data_import().set_observer(
      [&](const std::vector<store::ValueWrite>& writes, const store::WriteSummary& written) {
        if (writes.front().number == 1) {  // the first writer, slow to reach the cube
          first_committed.set_value();
          second_applied.get_future().wait();
        }
        changes.committed(writes, written.applied, written.change_seq);
        if (writes.front().number == 2) second_applied.set_value();
      });
  auto write = [this](int value) {
    auto done =
        import_csv(fmt::format("dataelement,period,orgunit,value\nA,2022-08,4401,{}\n", value));
    EXPECT_TRUE(done.ok()) << done.status().to_string();
  };
  std::thread first(write, 1);
  first_committed.get_future().wait();
  write(2);
  first.join();
  auto stored = s_->store().find_values("4401", {"2022-08"}, {"A"});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().number, 2);
  EXPECT_EQ(in_cube("A", "2022-08", "4401"), 2);
}

}  // namespace
}  // namespace tianbao::service
