// VariantReader's BCF header reading: the same result as htslib on real BCF, and no allocation of
// the length a broken file declares (a 9-byte file can declare a 4 GiB header).
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.h"
#include "vcf/variant_reader.h"

namespace vcfagent::vcf {
namespace {

using testing::CorpusPath;
using testing::RunProgram;
using testing::TempDir;
using testing::WriteFile;

TEST(BcfHeaderReadTest, ReadsRealBcfLikeBcftools) {
  for (const std::string relative : {"htslib/test/tabix/vcf_file.bcf",
                                     "bcftools/test/reheader.1.out.bcf"}) {
    const std::string path = CorpusPath(relative);
    auto reader = VariantReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    auto rec = NewRecord();
    int64_t records = 0;
    for (;;) {
      auto next = (*reader)->Next(rec.get());
      ASSERT_TRUE(next.ok()) << next.status().message();
      if (!*next) break;
      ++records;
    }
    const auto body = RunProgram("bcftools", {"view", "-H", path});
    ASSERT_EQ(body.exit_code, 0) << body.err;
    int64_t expected = 0;
    for (char c : body.out) expected += c == '\n';
    EXPECT_EQ(records, expected) << relative;
    const auto samples = RunProgram("bcftools", {"query", "-l", path});
    int expected_samples = 0;
    for (char c : samples.out) expected_samples += c == '\n';
    EXPECT_EQ(bcf_hdr_nsamples((*reader)->header()), expected_samples) << relative;
  }
}

TEST(BcfHeaderReadTest, HeaderLongerThanTheFileIsInvalidNotAnAllocation) {
  TempDir dir;
  // "BCF\2\2", a little-endian header length of 0xffffff23 (~4 GiB), then a few bytes.
  std::string bytes = std::string("BCF\2\2", 5) + std::string("\x23\xff\xff\xff", 4) + "##fileformat";
  WriteFile(dir.File("huge.bcf"), bytes);
  auto reader = VariantReader::Open(dir.File("huge.bcf"));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(reader.status().message().find("declares 4294967075 bytes but the file ends after 12"),
            std::string::npos)
      << reader.status().message();
  EXPECT_EQ(reader.status().message().rfind(dir.File("huge.bcf"), 0), 0u);
}

TEST(BcfHeaderReadTest, OnlyBcfVersion22IsRead) {
  TempDir dir;
  WriteFile(dir.File("v21.bcf"), std::string("BCF\2\1\0\0\0\0", 9));
  auto reader = VariantReader::Open(dir.File("v21.bcf"));
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("version 2.1"), std::string::npos)
      << reader.status().message();
}

}  // namespace
}  // namespace vcfagent::vcf
