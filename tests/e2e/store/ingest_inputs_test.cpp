// `ingest` checks every input before it creates or locks a store: a missing file, standard input,
// a file that is not VCF/BCF and one whose header is broken are each refused with one message and
// exit 2 or 1, and the store directory is not created.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(IngestInputsTest, ABadInputLeavesNoTrace) {
  TempDir dir;
  WriteFile(dir.File("text.vcf"), "this is not a VCF file\n");
  // A VCF whose header line is broken (a meta line without '##', then no #CHROM line).
  WriteFile(dir.File("broken-header.vcf"),
            "##fileformat=VCFv4.2\n#INFO=<ID=DP,Number=1>\n1\t100\t.\tA\tC\t.\tPASS\t.\n");
  WriteFile(dir.File("truncated-header.vcf"), "##fileformat=VCFv4.2\n##INFO=<ID=DP,Number=1,Type=Integer\n");
  struct Case {
    std::string name;
    std::vector<std::string> files;
  };
  const std::vector<Case> cases = {
      {"missing", {dir.File("nope.vcf")}},
      {"stdin", {"-"}},
      {"not a VCF", {dir.File("text.vcf")}},
      {"broken header", {dir.File("broken-header.vcf")}},
      {"truncated header", {dir.File("truncated-header.vcf")}},
      {"good then broken", {ExamplePath("giab-ashk-trio-slice.vcf.gz"), dir.File("broken-header.vcf")}},
  };
  for (const Case& c : cases) {
    const std::string db = dir.File("store-" + std::to_string(&c - cases.data()));
    std::vector<std::string> args = {"ingest"};
    args.insert(args.end(), c.files.begin(), c.files.end());
    args.insert(args.end(), {"--db", db, "--no-index"});
    auto r = RunVcfAgent(args);
    EXPECT_NE(r.exit_code, 0) << c.name;
    EXPECT_THAT(r.err, HasSubstr("vcf-agent ingest:")) << c.name;
    EXPECT_FALSE(fs::exists(db)) << c.name << ": the store directory was created: " << r.err;
  }
}

}  // namespace
}  // namespace vcfagent::testing
