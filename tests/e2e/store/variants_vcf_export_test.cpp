// `variants -f vcf` from a store of several files whose headers define the same tags differently:
// the export's header must hold every file's values, so that our own validate accepts it and
// bcftools reads it without a warning, and the values must come out as they went in.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A: AF Number=A Float, TAG Integer, FL a Flag, DP as everyone has it, FORMAT DP/GQ Integer.
// B: AF Number=R Float (REF and ALT frequencies), TAG Float, FL a String, FORMAT DP/GQ Float (GQ
// values whole: ingest refuses a fractional GQ).
// The variant at 100 is in both (introduced by A); 300 is multiallelic in A (split on ingest).
// ZZ and the filter lowq are used by B's records without a header line (htslib accepts that).
const char* const kFileA =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=10000>\n"
    "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "##INFO=<ID=TAG,Number=1,Type=Integer,Description=\"A tag\">\n"
    "##INFO=<ID=FL,Number=0,Type=Flag,Description=\"A flag\">\n"
    "##FILTER=<ID=q10,Description=\"Quality below 10\">\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    "1\t100\trs1\tA\tC\t50\tPASS\tAF=0.25;DP=10;TAG=3;FL\tGT:DP:GQ\t0/1:10:30\n"
    "1\t300\t.\tA\tG,T\t40\tq10\tAF=0.1,0.2;TAG=5\tGT:DP:GQ\t1/2:12:20\n";

const char* const kFileB =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=10000>\n"
    "##INFO=<ID=AF,Number=R,Type=Float,Description=\"Allele frequencies, REF first\">\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "##INFO=<ID=TAG,Number=1,Type=Float,Description=\"A tag, as a float\">\n"
    "##INFO=<ID=FL,Number=1,Type=String,Description=\"A flag, as a word\">\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "##FORMAT=<ID=DP,Number=1,Type=Float,Description=\"Depth\">\n"
    "##FORMAT=<ID=GQ,Number=1,Type=Float,Description=\"Genotype quality\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    "1\t100\trs1\tA\tC\t50\tPASS\tAF=0.75,0.25;DP=10\tGT:DP:GQ\t0/1:10.5:30\n"
    "1\t200\t.\tA\tC\t60\tlowq\tAF=0.6,0.4;TAG=2.5;FL=yes;ZZ=x\tGT:DP:GQ\t1/1:8.5:7\n";

class VariantsVcfExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = tmp_.File("store");
    WriteFile(tmp_.File("a.vcf"), kFileA);
    WriteFile(tmp_.File("b.vcf"), kFileB);
    for (const char* name : {"a.vcf", "b.vcf"}) {
      auto r = RunVcfAgent({"ingest", tmp_.File(name), "--db", db_, "--no-index"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  // Exports the store, checks it with validate and bcftools view, and returns its header.
  std::string ExportAndCheck(const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"variants", "--db", db_, "-n", "0", "-f", "vcf", "-o", out};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunVcfAgent(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto valid = RunVcfAgent({"validate", out});
    EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
    auto view = RunProgram("bcftools", {"view", out});
    EXPECT_EQ(view.exit_code, 0) << view.err;
    EXPECT_EQ(view.err, "") << "bcftools view warns on " << ReadFile(out);
    auto header = RunProgram("bcftools", {"view", "-h", out});
    return header.out;
  }

  TempDir tmp_;
  std::string db_;
};

TEST_F(VariantsVcfExportTest, ConflictingInfoDefinitionsAreMergedSoEveryValueIsValid) {
  const std::string out = tmp_.File("all.vcf");
  const std::string header = ExportAndCheck(out);
  // A tag the specification reserves gets its definition (AF: Number=A, Float); others get the
  // common Number, else '.', and Integer+Float is Float, anything else with a String or a Flag is
  // String. Each merge is explained in a header line.
  EXPECT_THAT(header, HasSubstr("##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">"));
  EXPECT_THAT(header, HasSubstr("##INFO=<ID=TAG,Number=1,Type=Float,Description=\"A tag, as a float\">"));
  EXPECT_THAT(header, HasSubstr("##INFO=<ID=FL,Number=.,Type=String,Description=\"A flag\">"));
  EXPECT_THAT(header, HasSubstr("##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">"));
  EXPECT_THAT(header, HasSubstr("##vcf-agent_header_merge=INFO/AF is Number=A,Type=Float in " +
                                tmp_.File("a.vcf") + "; Number=R,Type=Float in " + tmp_.File("b.vcf") +
                                "; written as Number=A,Type=Float, as the VCF specification reserves it"));
  EXPECT_THAT(header, HasSubstr("##vcf-agent_header_merge=INFO/FL is Number=0,Type=Flag in"));
  EXPECT_THAT(header, HasSubstr("##vcf-agent_header_merge=INFO/TAG is Number=1,Type=Integer in"));
  EXPECT_THAT(header, Not(HasSubstr("##vcf-agent_header_merge=INFO/DP")));
  // Used without a definition in its file: defined here so that readers do not guess.
  EXPECT_THAT(header, HasSubstr("##INFO=<ID=ZZ,Number=.,Type=String,"));
  EXPECT_THAT(header, HasSubstr("##FILTER=<ID=lowq,"));
  EXPECT_THAT(header, HasSubstr("##FILTER=<ID=q10,Description=\"Quality below 10\">"));

  // The values, each under the definition of the file that introduced the variant: B's Number=R
  // AF keeps its ALT value; the multiallelic record of A was split with its Number=A values.
  auto values = RunProgram("bcftools", {"query", "-f", "%POS %REF %ALT %FILTER %INFO/AF %INFO/TAG %INFO/FL %INFO/ZZ\n", out});
  ASSERT_EQ(values.exit_code, 0) << values.err;
  EXPECT_EQ(values.out,
            "100 A C PASS 0.25 3 1 .\n"     // a flag reads as present (1)
            "200 A C lowq 0.4 2.5 yes x\n"
            "300 A G q10 0.1 5 . .\n"
            "300 A T q10 0.2 5 . .\n");
}

TEST_F(VariantsVcfExportTest, WithASampleColumnToo) {
  const std::string out = tmp_.File("s1.vcf");
  ExportAndCheck(out, {"-s", "S1"});
  auto values = RunProgram("bcftools", {"query", "-f", "%POS %ALT %INFO/AF [%GT %DP %GQ]\n", out});
  ASSERT_EQ(values.exit_code, 0) << values.err;
  EXPECT_THAT(values.out, HasSubstr("100 C 0.25 0/1 10 30\n"));
  EXPECT_THAT(values.out, HasSubstr("300 G 0.1 1/0 12 20\n"));
}

// A call from a file that numbers the ALT differently from the file that introduced the variant
// (T is A's allele 2 at 300, C's only ALT), and a multiallelic record without INFO (stored as
// "=" by the allele split): the export keeps the call a carrier and writes no empty INFO key.
TEST_F(VariantsVcfExportTest, CallsFromAnotherFileAndRecordsWithoutInfo) {
  WriteFile(tmp_.File("c.vcf"),
            "##fileformat=VCFv4.2\n"
            "##contig=<ID=1,length=10000>\n"
            "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS3\n"
            "1\t300\t.\tA\tT\t.\t.\t.\tGT\t0|1\n"
            "1\t400\t.\tA\tC,G\t.\t.\t.\tGT\t1|2\n");
  ASSERT_EQ(RunVcfAgent({"ingest", tmp_.File("c.vcf"), "--db", db_, "--no-index"}).exit_code, 0);
  const std::string out = tmp_.File("s3.vcf");
  ExportAndCheck(out, {"-s", "S3"});
  auto values = RunProgram("bcftools", {"query", "-f", "%POS %ALT %INFO [%GT]\n", out});
  ASSERT_EQ(values.exit_code, 0) << values.err;
  EXPECT_EQ(values.out,
            "300 T AF=0.2;TAG=5 0/1\n"  // A's record, S3's call from C: phase unknown there
            "400 C . 1|0\n"
            "400 G . 0|1\n");
}

TEST_F(VariantsVcfExportTest, FilesThatAgreeKeepTheirLinesUnchanged) {
  TempDir other;
  const std::string db = other.File("store");
  ASSERT_EQ(RunVcfAgent({"ingest", tmp_.File("a.vcf"), "--db", db, "--no-index"}).exit_code, 0);
  const std::string out = other.File("a-only.vcf");
  auto r = RunVcfAgent({"variants", "--db", db, "-n", "0", "-f", "vcf", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadFile(out);
  EXPECT_THAT(text, HasSubstr("##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n"));
  EXPECT_THAT(text, HasSubstr("##INFO=<ID=FL,Number=0,Type=Flag,Description=\"A flag\">\n"));
  EXPECT_THAT(text, Not(HasSubstr("vcf-agent_header_merge")));
  EXPECT_EQ(RunVcfAgent({"validate", out}).exit_code, 0);
}

}  // namespace
}  // namespace vcfagent::testing
