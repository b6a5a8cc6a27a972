// The benchmark data generator (bench/gen/synthetic_vcf.h): deterministic, parseable by htslib,
// sorted, internally consistent, and with the statistical model bcftools stats measures.
//
// The generator is header-only, so this test includes it directly and runs in every build, not
// only with -DVCFAGENT_BENCH=ON (which builds the vcf-agent-gen program around it).
#include "../../../bench/gen/synthetic_vcf.h"

#include <htslib/vcf.h>
#include <htslib/vcfutils.h>

#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"
#include "vcf/variant_reader.h"

namespace vcfagent::bench {
namespace {

using vcfagent::testing::RunProgram;
using vcfagent::testing::TempDir;
using vcfagent::testing::WriteFile;

SyntheticVcfOptions Options(uint64_t sites, int samples, uint64_t seed) {
  SyntheticVcfOptions options;
  options.sites = sites;
  options.samples = samples;
  options.seed = seed;
  return options;
}

TEST(SyntheticVcfTest, SameSeedGivesByteIdenticalOutputAndOtherSeedsDiffer) {
  const std::string first = SyntheticVcfText(Options(3000, 20, 5));
  const std::string second = SyntheticVcfText(Options(3000, 20, 5));
  const std::string other = SyntheticVcfText(Options(3000, 20, 6));
  EXPECT_GT(first.size(), 100000u);
  EXPECT_TRUE(first == second) << "two runs with one seed differ";
  EXPECT_NE(first, other);
}

// Per-file facts gathered through htslib, independent of the generator's own code.
struct ParsedFile {
  int64_t records = 0;
  int samples = 0;
  int contigs = 0;
  int64_t genotypes = 0;
  int64_t missing_genotypes = 0;
  int64_t phased_genotypes = 0;
  int64_t ac_mismatches = 0;
  std::map<std::pair<int, int64_t>, std::string> by_position;  // (rid, pos) -> REF,ALT,GTs
};

ParsedFile ParseWithHtslib(const std::string& path) {
  ParsedFile parsed;
  auto reader = vcf::VariantReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return parsed;
  bcf_hdr_t* hdr = (*reader)->header();
  parsed.samples = bcf_hdr_nsamples(hdr);
  parsed.contigs = hdr->n[BCF_DT_CTG];
  auto rec = vcf::NewRecord();
  int last_rid = -1;
  int64_t last_pos = -1;
  int32_t* gt = nullptr;
  int n_gt = 0;
  std::vector<int> ac_info, ac_fmt;
  for (;;) {
    auto next = (*reader)->Next(rec.get());
    EXPECT_TRUE(next.ok()) << next.status().message();
    if (!next.ok() || !*next) break;
    ++parsed.records;
    bcf_unpack(rec.get(), BCF_UN_ALL);
    EXPECT_GE(rec->rid, last_rid) << "contigs out of order at " << (*reader)->Where();
    if (rec->rid == last_rid) {
      EXPECT_GT(rec->pos, last_pos) << "positions not sorted and distinct at " << (*reader)->Where();
    }
    last_rid = rec->rid;
    last_pos = rec->pos;
    std::ostringstream key;
    for (int a = 0; a < rec->n_allele; ++a) key << rec->d.allele[a] << ',';
    if (parsed.samples > 0) {
      const int n = bcf_get_genotypes(hdr, rec.get(), &gt, &n_gt);
      EXPECT_EQ(n, 2 * parsed.samples);
      for (int i = 0; i < n; ++i) {
        key << gt[i] << ' ';
        if (i % 2 == 0) {
          ++parsed.genotypes;
          if (bcf_gt_is_missing(gt[i])) ++parsed.missing_genotypes;
        } else if (bcf_gt_is_phased(gt[i])) {
          ++parsed.phased_genotypes;
        }
      }
      // INFO AC/AN must equal the counts htslib derives from the genotypes.
      ac_info.assign(rec->n_allele, 0);
      ac_fmt.assign(rec->n_allele, 0);
      EXPECT_GT(bcf_calc_ac(hdr, rec.get(), ac_info.data(), BCF_UN_INFO), 0);
      EXPECT_GT(bcf_calc_ac(hdr, rec.get(), ac_fmt.data(), BCF_UN_FMT), 0);
      if (ac_info != ac_fmt) ++parsed.ac_mismatches;
    }
    parsed.by_position[{rec->rid, rec->pos}] = key.str();
  }
  free(gt);
  return parsed;
}

TEST(SyntheticVcfTest, OutputParsesWithHtslibIsSortedAndConsistent) {
  TempDir dir;
  SyntheticVcfOptions options = Options(4000, 30, 11);
  options.phased_frac = 0.5;
  WriteFile(dir.File("a.vcf"), SyntheticVcfText(options));
  const ParsedFile parsed = ParseWithHtslib(dir.File("a.vcf"));
  EXPECT_EQ(parsed.records, 4000);
  EXPECT_EQ(parsed.samples, 30);
  EXPECT_EQ(parsed.contigs, 23);
  EXPECT_EQ(parsed.ac_mismatches, 0);
  const double missing = static_cast<double>(parsed.missing_genotypes) / parsed.genotypes;
  EXPECT_GT(missing, 0.015);
  EXPECT_LT(missing, 0.025);
  // Half of the sites phased: the phased share of called genotypes is near 0.5.
  const double phased = static_cast<double>(parsed.phased_genotypes) /
                        (parsed.genotypes - parsed.missing_genotypes);
  EXPECT_GT(phased, 0.4);
  EXPECT_LT(phased, 0.6);
}

// Reads "SN 0 name: value" and TSTV lines from bcftools stats.
std::map<std::string, double> BcftoolsSummary(const std::string& path) {
  const auto result = RunProgram("bcftools", {"stats", path});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, double> summary;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    std::string field;
    while (std::getline(split, field, '\t')) fields.push_back(field);
    if (fields.size() == 4 && fields[0] == "SN") summary[fields[2]] = std::stod(fields[3]);
    if (fields.size() >= 5 && fields[0] == "TSTV") summary["ts/tv"] = std::stod(fields[4]);
  }
  return summary;
}

TEST(SyntheticVcfTest, VariantClassesMatchTheModelPerBcftoolsStats) {
  TempDir dir;
  WriteFile(dir.File("sites.vcf"), SyntheticVcfText(Options(40000, 0, 3)));
  auto summary = BcftoolsSummary(dir.File("sites.vcf"));
  const double records = summary["number of records:"];
  ASSERT_EQ(records, 40000);
  EXPECT_EQ(summary["number of samples:"], 0);
  // ~84% SNV + ~1.2% multiallelic SNV-only sites; ~13% indels; ~0.5% MNP; ~0.1% <DEL>.
  EXPECT_NEAR(summary["number of SNPs:"] / records, 0.86, 0.02);
  EXPECT_NEAR(summary["number of indels:"] / records, 0.142, 0.015);
  EXPECT_NEAR(summary["number of MNPs:"] / records, 0.005, 0.002);
  EXPECT_NEAR(summary["number of others:"] / records, 0.001, 0.001);
  EXPECT_NEAR(summary["number of multiallelic sites:"] / records, 0.024, 0.005);
  EXPECT_NEAR(summary["ts/tv"], 2.0, 0.15);
}

TEST(SyntheticVcfTest, PerturbedCopySharesMostRecordsAndDiffersInSome) {
  TempDir dir;
  SyntheticVcfOptions options = Options(5000, 10, 21);
  WriteFile(dir.File("base.vcf"), SyntheticVcfText(options));
  options.perturb_frac = 0.1;
  options.perturb_seed = 2;
  WriteFile(dir.File("perturbed.vcf"), SyntheticVcfText(options));
  const ParsedFile base = ParseWithHtslib(dir.File("base.vcf"));
  const ParsedFile perturbed = ParseWithHtslib(dir.File("perturbed.vcf"));
  EXPECT_EQ(perturbed.ac_mismatches, 0);
  int64_t only_base = 0, only_perturbed = 0, same = 0, changed = 0;
  for (const auto& [position, text] : base.by_position) {
    auto it = perturbed.by_position.find(position);
    if (it == perturbed.by_position.end()) {
      ++only_base;
    } else if (it->second == text) {
      ++same;
    } else {
      ++changed;
    }
  }
  for (const auto& [position, text] : perturbed.by_position) {
    if (!base.by_position.count(position)) ++only_perturbed;
  }
  // f = 0.1: ~4% dropped, ~6% altered, ~4% added.
  EXPECT_NEAR(only_base / 5000.0, 0.04, 0.015);
  EXPECT_NEAR(changed / 5000.0, 0.06, 0.02);
  EXPECT_NEAR(only_perturbed / 5000.0, 0.04, 0.015);
  EXPECT_EQ(same + changed + only_base, 5000);
}

}  // namespace
}  // namespace vcfagent::bench
