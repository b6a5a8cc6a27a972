// Every corpus VCF that htslib can store as BCF, validated as that BCF, gives exactly the findings
// of its decoded VCF text (what the validator checked before it judged BCF samples from their
// decoded values), and those of the original file where the BCF decodes to the same text.
#include <gtest/gtest.h>
#include <htslib/hts_log.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "support/bcf_validation.h"
#include "support/test_support.h"
#include "vcf/validate/validator.h"

namespace vcfagent::vcf {
namespace {

std::set<std::string> CorpusVcfFiles() {
  std::ifstream in(testing::CorpusPath("oracles/vcf-validator-0.10.2/results.tsv"));
  std::set<std::string> paths;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("path\t", 0) == 0) continue;
    paths.insert(line.substr(0, line.find('\t')));
  }
  return paths;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ValidatorBcfCorpusTest, BcfFindingsEqualThoseOfItsText) {
  hts_set_log_level(HTS_LOG_OFF);
  testing::TempDir dir;
  ValidationOptions options;
  options.max_findings = 100000;
  int files = 0, converted = 0, same_text = 0;
  std::string mismatches;
  for (const std::string& relative : CorpusVcfFiles()) {
    ++files;
    const std::string vcf = testing::CorpusPath(relative);
    const std::string bcf = dir.File("x.bcf");
    if (!testing::ConvertToBcf(vcf, bcf)) continue;
    std::string decoded;
    if (!testing::DecodedText(bcf, &decoded)) continue;
    ++converted;
    auto from_bcf = ValidateFile(bcf, options);
    if (!from_bcf.ok()) {
      mismatches += "\n" + relative + ": " + from_bcf.status().message();
      continue;
    }
    const std::string differences = testing::ReportDifferences(*from_bcf, ValidateText(decoded, options, bcf));
    if (!differences.empty()) mismatches += "\n" + relative + " (BCF vs its text):" + differences;
    if (relative.size() > 4 && relative.substr(relative.size() - 4) == ".vcf" && decoded == ReadAll(vcf)) {
      ++same_text;
      auto from_vcf = ValidateFile(vcf, options);
      if (from_vcf.ok()) {
        const std::string d = testing::ReportDifferences(*from_bcf, *from_vcf);
        if (!d.empty()) mismatches += "\n" + relative + " (BCF vs VCF):" + d;
      }
    }
  }
  EXPECT_GT(files, 1000) << "the oracle table looks truncated";
  EXPECT_GT(converted, 300);
  EXPECT_EQ(mismatches, "") << converted << " of " << files << " corpus files converted to BCF";
  std::printf("%d corpus files, %d stored as BCF, %d of them decode to their own text\n", files, converted,
              same_text);
}

}  // namespace
}  // namespace vcfagent::vcf
