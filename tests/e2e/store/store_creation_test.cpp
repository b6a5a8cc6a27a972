// A store is created atomically: what a process killed while creating it leaves behind (an empty
// store.sqlite from older versions, a store.sqlite.creating from this one) never stops the next
// ingest, and readers never see a half-made store.
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

TEST(StoreCreationTest, LeftoversOfAKilledCreationDoNotStopTheNextIngest) {
  TempDir tmp;
  const std::string db = tmp.File("db");
  std::filesystem::create_directories(db);
  WriteFile(db + "/store.sqlite", "");                      // an older version's empty file
  WriteFile(db + "/store.sqlite.creating", "half a store");  // this version's unfinished one
  auto r = RunVcfAgent({"ingest", "--no-index", "--db", db, ExamplePath("giab-ashk-trio-slice.vcf.gz")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(db + "/store.sqlite.creating"));
  auto count = RunVcfAgent({"sql", "--db", db, "-f", "tsv", "SELECT count(*) > 0 FROM variants"});
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_EQ(Lines(count.out)[1], "1");
}

TEST(StoreCreationTest, ADatabaseThatIsNotAStoreIsStillRefused) {
  TempDir tmp;
  const std::string db = tmp.File("db");
  std::filesystem::create_directories(db);
  ASSERT_EQ(RunProgram("sqlite3", {db + "/store.sqlite", "CREATE TABLE mine(x)"}).exit_code, 0);
  auto r = RunVcfAgent({"ingest", "--no-index", "--db", db, ExamplePath("giab-ashk-trio-slice.vcf.gz")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("is not a vcf-agent store"));
}

}  // namespace
}  // namespace vcfagent::testing
