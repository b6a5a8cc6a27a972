#include "vcf/variant_reader.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace vcfagent::vcf {
namespace {

using testing::TempDir;
using testing::WriteFile;

const char* kSmallVcf =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=1000>\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "1\t10\t.\tA\tG\t50\tPASS\tDP=3\n"
    "\n"
    "1\t20\t.\tC\tT,G\t.\t.\t.\n";

TEST(VariantReaderTest, ReadsRecordsAndCountsLines) {
  TempDir dir;
  WriteFile(dir.File("a.vcf"), kSmallVcf);
  auto reader = VariantReader::Open(dir.File("a.vcf"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto rec = NewRecord();
  auto more = (*reader)->Next(rec.get());
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(*more);
  EXPECT_EQ(rec->pos, 9);
  EXPECT_EQ((*reader)->line(), 5);
  more = (*reader)->Next(rec.get());
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(rec->n_allele, 3);
  EXPECT_EQ((*reader)->line(), 7);  // the blank line 6 is skipped but counted
  more = (*reader)->Next(rec.get());
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ((*reader)->records_read(), 2);
}

TEST(VariantReaderTest, MissingFileIsAnIoError) {
  auto reader = VariantReader::Open("/nonexistent/x.vcf");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().kind(), ErrorKind::kIo);
  EXPECT_NE(reader.status().message().find("/nonexistent/x.vcf"), std::string::npos);
}

TEST(VariantReaderTest, EmptyFileIsInvalidInput) {
  TempDir dir;
  WriteFile(dir.File("e.vcf"), "");
  auto reader = VariantReader::Open(dir.File("e.vcf"));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().exit_code(), 1);
}

TEST(VariantReaderTest, RecordBeforeChromLineNamesTheLine) {
  TempDir dir;
  WriteFile(dir.File("b.vcf"), "##fileformat=VCFv4.2\n1\t10\t.\tA\tG\t.\t.\t.\n");
  auto reader = VariantReader::Open(dir.File("b.vcf"));
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("line 2"), std::string::npos) << reader.status().message();
}

TEST(VariantReaderTest, DirectoryIsRefused) {
  TempDir dir;
  auto reader = VariantReader::Open(dir.path());
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("directory"), std::string::npos);
}

TEST(VariantReaderTest, NonReadableArchivesAreRefusedAsInvalidInput) {
  const auto dir = testing::CorpusPath(
      "vcf-validator/test/input_files/v4.3/compressed_files/non_readable");
  for (const auto* name : {"compressed.vcf.tar.Z", "compressed.vcf.tar.xz",
                           "compressed.vcf.tar.zip", "compressed.vcf.z"}) {
    auto kind = ProbeVariantFile(dir + "/" + name);
    ASSERT_FALSE(kind.ok()) << name;
    EXPECT_EQ(kind.status().exit_code(), 1) << kind.status().message();
    auto reader = VariantReader::Open(dir + "/" + name);
    ASSERT_FALSE(reader.ok()) << name;
  }
  auto xz = ProbeVariantFile(dir + "/compressed.vcf.tar.xz");
  EXPECT_NE(xz.status().message().find("xz"), std::string::npos) << xz.status().message();
}

}  // namespace
}  // namespace vcfagent::vcf

namespace vcfagent::vcf {
namespace {

TEST(VariantReaderTest, NonNumericPositionIsRefusedWithLineAndField) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("p.vcf"),
                     "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                     "1\t10\t.\tA\tG\t.\t.\t.\n1\t1x\t.\tA\tG\t.\t.\t.\n");
  auto reader = VariantReader::Open(dir.File("p.vcf"));
  ASSERT_TRUE(reader.ok());
  auto rec = NewRecord();
  ASSERT_TRUE((*reader)->Next(rec.get()).ok());
  auto more = (*reader)->Next(rec.get());
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().message(), dir.File("p.vcf") + ":4: POS: expected a non-negative integer, found '1x'");
}

}  // namespace
}  // namespace vcfagent::vcf
