// `vcf-agent restore` must not destroy what it cannot replace: restoring a store from itself (by
// any path to it) is refused and changes nothing, the store's index files are moved aside rather
// than deleted, and a damaged backup is refused with one precise line.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class RestoreSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ingest = RunVcfAgent({"ingest", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--db", db_, "--no-index"});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }
  void BuildIndex() {
    auto index = RunVcfAgent({"index", "--db", db_});
    ASSERT_EQ(index.exit_code, 0) << index.err;
    ASSERT_TRUE(fs::exists(db_ + "/similarity/features.hnsw"));
  }
  TempDir tmp_;
  std::string db_ = tmp_.File("db");
};

TEST_F(RestoreSafetyTest, RestoringTheStoreFromItselfIsRefusedAndChangesNothing) {
  BuildIndex();
  const std::string index_before = ReadFile(db_ + "/similarity/features.hnsw");
  fs::create_symlink(db_, tmp_.File("link"));
  fs::create_directories(tmp_.File("hardlinked"));
  fs::create_hard_link(db_ + "/store.sqlite", tmp_.File("hardlinked/store.sqlite"));
  for (const std::string& from : {db_, db_ + "/", db_ + "/.", tmp_.File("link"), tmp_.File("hardlinked")}) {
    auto r = RunVcfAgent({"restore", "--db", db_, "--from", from});
    EXPECT_EQ(r.exit_code, 2) << from << "\n" << r.out;
    EXPECT_THAT(r.err, HasSubstr("is this store itself")) << from;
    EXPECT_THAT(r.err, HasSubstr("nothing was changed")) << from;
    ASSERT_TRUE(fs::exists(db_ + "/similarity/features.hnsw")) << from;
    EXPECT_EQ(ReadFile(db_ + "/similarity/features.hnsw"), index_before) << from;
  }
}

TEST_F(RestoreSafetyTest, IndexFilesTheBackupCannotReplaceAreKept) {
  const std::string backup = tmp_.File("backup");
  ASSERT_EQ(RunVcfAgent({"backup", "--db", db_, "--to", backup}).exit_code, 0);
  // After the backup, the store gets an index (as it could get a provider's paid-for space).
  BuildIndex();
  const std::string index_before = ReadFile(db_ + "/similarity/features.hnsw");
  auto r = RunVcfAgent({"restore", "--db", db_, "--from", backup, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto result = nlohmann::json::parse(r.out);
  EXPECT_EQ(result["kept_index_files"], 2);  // the index and its sidecar
  const std::string kept = result["kept_index_dir"].get<std::string>();
  EXPECT_EQ(fs::path(kept).parent_path(), fs::path(db_ + "/similarity"));
  EXPECT_EQ(ReadFile(kept + "/features.hnsw"), index_before);
  EXPECT_TRUE(fs::exists(kept + "/features.hnsw.json"));
  // The kept files are not taken for the restored store's index: similar still answers.
  auto similar = RunVcfAgent({"similar", "--db", db_, "1", "-k", "3", "--format", "json"});
  EXPECT_EQ(similar.exit_code, 0) << similar.err;
  auto text = RunVcfAgent({"restore", "--db", db_, "--from", backup});
  EXPECT_EQ(text.exit_code, 0) << text.err;
}

TEST_F(RestoreSafetyTest, ADamagedBackupIsRefusedInOneLine) {
  const std::string backup = tmp_.File("backup");
  ASSERT_EQ(RunVcfAgent({"backup", "--db", db_, "--to", backup}).exit_code, 0);
  // Damage the cell offsets of many b-tree pages (the header and schema page stay readable).
  {
    std::fstream f(backup + "/store.sqlite", std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const std::streamoff size = f.tellg();
    for (std::streamoff page = 2 * 4096; page + 4096 <= size; page += 3 * 4096) {
      f.seekp(page + 100);
      const std::string junk(200, '\xff');
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
  }
  const std::string before = ReadFile(db_ + "/store.sqlite");
  auto r = RunVcfAgent({"restore", "--db", db_, "--from", backup});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("fails its integrity check: "));
  EXPECT_THAT(r.err, HasSubstr(" problem"));
  EXPECT_THAT(r.err, Not(HasSubstr("restore: restore:")));
  EXPECT_LT(r.err.size(), 400u) << r.err;

  const std::string not_a_store = tmp_.File("junk");
  fs::create_directories(not_a_store);
  WriteFile(not_a_store + "/store.sqlite", "junk\n");
  auto junk = RunVcfAgent({"restore", "--db", db_, "--from", not_a_store});
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_THAT(junk.err, HasSubstr("vcf-agent restore: " + not_a_store));
  EXPECT_THAT(junk.err, Not(HasSubstr("restore: restore:")));
}

}  // namespace
}  // namespace vcfagent::testing
