// OutputFile: complete or absent, whatever way the process leaves (an error, a cancelled command,
// a fatal signal's cleanup, an uncaught exception).
#include "util/output_file.h"

#include <unistd.h>

#include <filesystem>
#include <exception>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"
#include "util/progress.h"

namespace vcfagent {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  return names;
}

TEST(OutputFileTest, CommitPublishesAndAnErrorLeavesNothing) {
  TempDir dir;
  {
    auto out = OutputFile::Open(dir.File("a.txt"));
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Write("hello\n").ok());
    ASSERT_TRUE((*out)->Commit().ok());
  }
  EXPECT_EQ(testing::ReadFile(dir.File("a.txt")), "hello\n");
  {
    auto out = OutputFile::Open(dir.File("b.txt"));
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Write("partial").ok());
    EXPECT_EQ(Entries(dir.path()).size(), 2u);  // a.txt and b.txt's temporary file
  }  // an error path: never committed
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"a.txt"});
}

TEST(OutputFileTest, AnInterruptedCommandPublishesNothing) {
  TempDir dir;
  JobControl job;
  JobScope scope(&job);
  auto out = OutputFile::Open(dir.File("report.json"));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Write("{}").ok());
  job.cancel = true;  // what SIGINT/SIGTERM or a job's cancel does
  Status st = (*out)->Commit();
  EXPECT_EQ(st.kind(), ErrorKind::kCancelled);
  EXPECT_NE(st.message().find("report.json: not written: interrupted"), std::string::npos) << st.message();
  out->reset();
  EXPECT_TRUE(Entries(dir.path()).empty());
}

// What the second SIGINT/SIGTERM runs before the process dies: every uncommitted temporary file
// goes, and a Commit() racing with it publishes nothing. (In a child: it marks the process dying.)
TEST(OutputFileDeathTest, FatalSignalCleanupRemovesEveryUncommittedFile) {
  TempDir dir;
  EXPECT_EXIT(
      {
        auto a = OutputFile::Open(dir.File("a.vcf"));
        auto b = OutputFile::Open(dir.File("b.tsv"));
        if (!a.ok() || !b.ok() || !(*a)->Write("x").ok()) _exit(3);
        RemoveUncommittedOutputFiles();
        if (!Entries(dir.path()).empty()) _exit(4);
        if ((*b)->Commit().ok()) _exit(5);
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(OutputFileDeathTest, AnUncaughtExceptionLeavesNoTemporaryFile) {
  TempDir dir;
  EXPECT_DEATH(
      {
        auto out = OutputFile::Open(dir.File("x.json"));
        if (out.ok()) (void)(*out)->Write("{\"partial\":");
        // Where an exception escaping a command (e.g. a JSON type error) ends.
        std::terminate();
      },
      "");
  EXPECT_TRUE(Entries(dir.path()).empty());
}

}  // namespace
}  // namespace vcfagent
