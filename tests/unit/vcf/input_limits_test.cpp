// vcf/input_limits: lines are read as hts_getline() reads them, but a line past the limit is
// refused without being held, and decompressed text is counted against a per-input budget.
#include "vcf/input_limits.h"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kseq.h>

#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"
#include "util/progress.h"
#include "vcf/validate/validator.h"
#include "vcf/variant_reader.h"

namespace vcfagent::vcf {
namespace {

using testing::TempDir;
using testing::WriteFile;

void WriteCompressed(const std::string& path, const std::string& text, const char* mode) {
  BGZF* fp = bgzf_open(path.c_str(), mode);  // "w" BGZF, "wu" uncompressed; gzip below
  ASSERT_NE(fp, nullptr);
  ASSERT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
}

std::vector<std::string> HtsLines(const std::string& path) {
  std::vector<std::string> lines;
  htsFile* fp = hts_open(path.c_str(), "r");
  kstring_t s = {0, 0, nullptr};
  while (hts_getline(fp, KS_SEP_LINE, &s) >= 0) {
    std::string line(s.s, s.l);
    if (!line.empty() && line.back() == '\r') line.pop_back();  // our readers drop it too
    lines.push_back(line);
  }
  free(s.s);
  hts_close(fp);
  return lines;
}

Result<std::vector<std::string>> OurLines(const std::string& path, const InputLimits& limits) {
  std::vector<std::string> lines;
  htsFile* fp = hts_open(path.c_str(), "r");
  kstring_t s = {0, 0, nullptr};
  InputBudget budget(limits);
  Status status;
  for (;;) {
    auto more = ReadTextLine(fp, &s, budget);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    lines.emplace_back(s.s, s.l);
  }
  free(s.s);
  hts_close(fp);
  if (!status.ok()) return status;
  return lines;
}

// Lines of many lengths, some longer than a BGZF block (64 KiB), CRLF, blank lines, no final newline.
std::string MixedText() {
  std::string text = "##fileformat=VCFv4.2\n\n";
  for (int i = 0; i < 40; ++i) text += std::string(static_cast<size_t>(i) * 7919 % 200000, 'a' + i % 26) + (i % 3 ? "\n" : "\r\n");
  return text + "last line without newline";
}

TEST(InputLimitsTest, ReadsLinesAsHtslibDoes) {
  TempDir dir;
  const std::string text = MixedText();
  WriteFile(dir.File("plain.vcf"), text);
  WriteCompressed(dir.File("bgzf.vcf.gz"), text, "w");
  ASSERT_EQ(testing::RunProgram("/bin/sh", {"-c", "gzip -c < " + dir.File("plain.vcf") + " > " + dir.File("gzip.vcf.gz")}).exit_code, 0);
  for (const char* name : {"plain.vcf", "bgzf.vcf.gz", "gzip.vcf.gz"}) {
    auto ours = OurLines(dir.File(name), InputLimits{});
    ASSERT_TRUE(ours.ok()) << name << ": " << ours.status().message();
    EXPECT_EQ(*ours, HtsLines(dir.File(name))) << name;
  }
}

TEST(InputLimitsTest, RefusesALineLongerThanTheLimit) {
  TempDir dir;
  const std::string text = "short\n" + std::string(300000, 'x') + "\nafter\n";
  WriteFile(dir.File("plain.vcf"), text);
  WriteCompressed(dir.File("bgzf.vcf.gz"), text, "w");
  InputLimits limits;
  limits.max_line_bytes = 100000;
  for (const char* name : {"plain.vcf", "bgzf.vcf.gz"}) {
    auto ours = OurLines(dir.File(name), limits);
    ASSERT_FALSE(ours.ok()) << name;
    EXPECT_EQ(ours.status().kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(ours.status().message().find("longer than 100000 bytes"), std::string::npos) << ours.status().message();
  }
  limits.max_line_bytes = 300000;  // exactly the longest line: accepted
  EXPECT_TRUE(OurLines(dir.File("bgzf.vcf.gz"), limits).ok());
}

TEST(InputLimitsTest, RefusesABcfRecordLongerThanTheLimitBeforeReadingIt) {
  TempDir dir;
  WriteFile(dir.File("in.vcf"), "##fileformat=VCFv4.2\n##contig=<ID=1>\n"
                                "##INFO=<ID=X,Number=1,Type=String,Description=\"x\">\n"
                                "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                                "1\t1\t.\tA\tG\t.\t.\tX=" + std::string(300000, 'A') + "\n");
  ASSERT_EQ(testing::RunProgram("bcftools", {"view", "-Ob", "-o", dir.File("in.bcf"), dir.File("in.vcf")}).exit_code, 0);
  InputLimits limits;
  limits.max_line_bytes = 100000;
  InputLimitsScope scope(limits);
  auto reader = VariantReader::Open(dir.File("in.bcf"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto rec = NewRecord();
  auto more = (*reader)->Next(rec.get());
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().message().find("in.bcf: record 1: the record is"), std::string::npos) << more.status().message();
  EXPECT_NE(more.status().message().find("more than the limit of 100000 bytes"), std::string::npos);
}

TEST(InputLimitsTest, AJobsLimitsHoldInTheThreadsItStarts) {
  InputLimits limits;
  limits.max_decompressed_bytes = 12345;
  JobControl job;
  JobScope in_job(&job);
  int64_t seen = -1, outside = -1;
  {
    InputLimitsScope scope(limits);
    std::thread pass([&] {  // as analyze's concurrent passes: the job's scope, not the thread's
      JobScope same_job(&job);
      seen = CurrentInputLimits().max_decompressed_bytes;
    });
    std::thread other([&] { outside = CurrentInputLimits().max_decompressed_bytes; });
    pass.join();
    other.join();
  }
  EXPECT_EQ(seen, 12345);
  EXPECT_EQ(outside, 0);
  std::thread after([&] {
    JobScope same_job(&job);
    seen = CurrentInputLimits().max_decompressed_bytes;
  });
  after.join();
  EXPECT_EQ(seen, 0);  // the scope ended
}

TEST(InputLimitsTest, CountsDecompressedText) {
  TempDir dir;
  std::string text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";
  for (int i = 1; i <= 20000; ++i) text += "1\t" + std::to_string(i) + "\t.\tA\tG\t.\t.\t.\n";
  WriteCompressed(dir.File("in.vcf.gz"), text, "w");
  InputLimits limits;
  limits.max_decompressed_bytes = 100000;
  auto lines = OurLines(dir.File("in.vcf.gz"), limits);
  ASSERT_FALSE(lines.ok());
  EXPECT_NE(lines.status().message().find("more than 100000 bytes"), std::string::npos) << lines.status().message();
  {
    InputLimitsScope scope(limits);
    auto reader = VariantReader::Open(dir.File("in.vcf.gz"));
    ASSERT_TRUE(reader.ok());
    auto rec = NewRecord();
    Status status;
    for (;;) {
      auto more = (*reader)->Next(rec.get());
      if (!more.ok() || !*more) {
        status = more.ok() ? Status::Ok() : more.status();
        break;
      }
    }
    EXPECT_EQ(status.kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(status.message().find("in.vcf.gz:"), std::string::npos) << status.message();
    auto report = ValidateFile(dir.File("in.vcf.gz"));
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->valid);
    ASSERT_FALSE(report->summary.empty());
    EXPECT_EQ(report->summary.back().rule, "unreadable-data");
  }
  EXPECT_EQ(CurrentInputLimits().max_decompressed_bytes, int64_t{0});  // the scope ended
  EXPECT_TRUE(OurLines(dir.File("in.vcf.gz"), CurrentInputLimits()).ok());
}

}  // namespace
}  // namespace vcfagent::vcf
