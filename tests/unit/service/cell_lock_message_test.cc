// The words for a refused change of a held cell: the service says them from
// the holder the store returns, the same on every path.
#include "service/cell_lock_message.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "support/temp_dir.h"

namespace tianbao::service {
namespace {

TEST(CellLockMessageTest, NamesTheHoldingTaskItsStatusAndWhatToDo) {
  const store::CellHolder holder{
      "A01", "4408", "2022-09", 7, "月报（2022年9月）", model::EntryStatus::kApproved};
  Status refusal = cell_locked(holder);
  EXPECT_EQ(refusal.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refusal.reason(), "cell_locked");
  EXPECT_EQ(refusal.field(), "A01");
  EXPECT_EQ(refusal.message(),
            "A01 在 2022-09 的数据属于《月报（2022年9月）》（任务 7），该表已审核，"
            "须先退回、撤销审核或撤回才能修改");
}

TEST(CellLockMessageTest, TheStoreRefusalCarriesTheCodeButNoWordsForPeople) {
  const store::CellHolder holder{"A01", "4408", "2022-09",
                                 7,     "月报", model::EntryStatus::kSubmitted};
  Status refusal = store::cell_lock_refusal(holder);
  EXPECT_EQ(refusal.reason(), "cell_locked");
  EXPECT_EQ(refusal.field(), "A01");
  EXPECT_EQ(refusal.message().find("须先"), std::string::npos) << refusal.message();
}

TEST(CellLockMessageTest, AFailureOtherThanACellLockComesBackUnchanged) {
  testing::TempDir dir;
  StatusOr<std::unique_ptr<store::Store>> store = store::open_store(dir.file("t.db"));
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  Status conflict(StatusCode::kConflict, "改过了", "version", "version_conflict");
  Status worded = worded_refusal(**store, store::EntryCommit{}, conflict);
  EXPECT_EQ(worded.reason(), "version_conflict");
  EXPECT_EQ(worded.message(), "改过了");
}

}  // namespace
}  // namespace tianbao::service
