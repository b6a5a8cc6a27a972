// The analyze report's facts against independent oracles run in the test:
//   * QC numbers (SN, TSTV, PSC per sample) against `bcftools stats -s -` on the bundled 1000
//     Genomes slice (2,504 samples) and the GIAB trio slice;
//   * kinship counts against an awk computation of KING-robust over `bcftools view -m2 -M2 -v snps`,
//     and the trio's relationships against its PED (HG002 is the son of HG003 and HG004);
//   * notable variants against bcftools: ClinVar pathogenic from `bcftools query %CLNSIG` on
//     slivar's ClinVar slice, high-impact alleles from `bcftools +split-vep` (VEP CSQ, bcftools'
//     split-vep.vcf) and from `bcftools query %BCSQ` (the trio slice), carriers from the genotypes.
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ai/report/report_facts.h"
#include "support/king_oracle.h"
#include "support/test_support.h"

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;
using testing::CorpusPath;
using testing::ExamplePath;
using testing::RunProgram;

json Analyze(const std::string& path, const std::string& ped = "") {
  AnalyzeOptions options;
  options.ped_path = ped;
  auto facts = AnalyzeFile(path, options);
  EXPECT_TRUE(facts.ok()) << facts.status().message();
  return facts.ok() ? *facts : json::object();
}

std::vector<std::vector<std::string>> BcftoolsRows(const std::string& command, const std::string& path) {
  const auto r = RunProgram("sh", {"-c", command, path});
  EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : testing::Lines(r.out)) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    std::string f;
    while (std::getline(in, f, '\t')) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

void ExpectQcEqualsBcftools(const std::string& path) {
  SCOPED_TRACE(path);
  const json facts = Analyze(path);
  const json& qc = facts["qc"];
  std::map<std::string, uint64_t> sn;
  json samples = json::object();
  for (const auto& row : BcftoolsRows("bcftools stats -s - \"$0\" | grep -E '^(SN|TSTV|PSC)'", path)) {
    if (row[0] == "SN") sn[row[2]] = std::stoull(row[3]);
    if (row[0] == "TSTV") {
      EXPECT_EQ(qc["tstv"]["ts"].get<uint64_t>(), std::stoull(row[2]));
      EXPECT_EQ(qc["tstv"]["tv"].get<uint64_t>(), std::stoull(row[3]));
      EXPECT_NEAR(qc["tstv"]["ts_tv"].get<double>(), std::stod(row[4]), 0.005);
      EXPECT_NEAR(qc["tstv"]["ts_tv_1st_alt"].get<double>(), std::stod(row[7]), 0.005);
    }
    if (row[0] == "PSC") samples[row[2]] = row;
  }
  EXPECT_EQ(qc["summary"]["records"].get<uint64_t>(), sn["number of records:"]);
  EXPECT_EQ(qc["summary"]["samples"].get<uint64_t>(), sn["number of samples:"]);
  EXPECT_EQ(qc["summary"]["snps"].get<uint64_t>(), sn["number of SNPs:"]);
  EXPECT_EQ(qc["summary"]["indels"].get<uint64_t>(), sn["number of indels:"]);
  EXPECT_EQ(qc["summary"]["mnps"].get<uint64_t>(), sn["number of MNPs:"]);
  EXPECT_EQ(qc["summary"]["others"].get<uint64_t>(), sn["number of others:"]);
  EXPECT_EQ(qc["summary"]["multiallelic_sites"].get<uint64_t>(), sn["number of multiallelic sites:"]);
  ASSERT_EQ(qc["samples"].size(), samples.size());
  const double records = static_cast<double>(sn["number of records:"]);
  for (const auto& s : qc["samples"]) {
    const auto& row = samples[s["sample"].get<std::string>()];
    ASSERT_FALSE(row.is_null()) << s["sample"];
    // PSC: id sample nRefHom nNonRefHom nHets nTs nTv nIndels depth nSingletons hapRef hapAlt nMissing
    const uint64_t hom_alt = std::stoull(row[4].get<std::string>());
    const uint64_t het = std::stoull(row[5].get<std::string>());
    const uint64_t missing = std::stoull(row[13].get<std::string>());
    EXPECT_EQ(s["hom_ref"].get<uint64_t>(), std::stoull(row[3].get<std::string>()));
    EXPECT_EQ(s["hom_alt"].get<uint64_t>(), hom_alt);
    EXPECT_EQ(s["het"].get<uint64_t>(), het);
    EXPECT_EQ(s["singletons"].get<uint64_t>(), std::stoull(row[10].get<std::string>()));
    EXPECT_EQ(s["missing"].get<uint64_t>(), missing);
    EXPECT_NEAR(s["mean_depth"].get<double>(), std::stod(row[9].get<std::string>()), 0.051);
    if (hom_alt > 0) {
      EXPECT_NEAR(s["het_hom_ratio"].get<double>(), static_cast<double>(het) / hom_alt, 0.0006);
    }
    EXPECT_NEAR(s["missing_rate"].get<double>(), missing / records, 1e-6);
  }
}

TEST(AnalyzeCorpusTest, QcEqualsBcftoolsStatsOn1000GenomesSlice) {
  ExpectQcEqualsBcftools(ExamplePath("1kg-chr22-slice.vcf.gz"));
}

TEST(AnalyzeCorpusTest, QcEqualsBcftoolsStatsOnTrio) { ExpectQcEqualsBcftools(ExamplePath("giab-ashk-trio-slice.vcf.gz")); }

TEST(AnalyzeCorpusTest, LargeCohortSkipsKinshipWithAReasonAndChr22HasNoSex) {
  const json facts = Analyze(ExamplePath("1kg-chr22-slice.vcf.gz"));
  EXPECT_FALSE(facts["relatedness"]["computed"].get<bool>());
  EXPECT_NE(facts["relatedness"]["reason"].get<std::string>().find("2504 samples"), std::string::npos)
      << facts["relatedness"]["reason"];
  EXPECT_FALSE(facts["sex"]["computed"].get<bool>());
  EXPECT_TRUE(facts["qc"]["outliers"]["computed"].get<bool>());
}

TEST(AnalyzeCorpusTest, TrioRelatednessMatchesKingOracleAndPedigree) {
  const std::string vcf = ExamplePath("giab-ashk-trio-slice.vcf.gz");
  const json facts = Analyze(vcf, ExamplePath("giab-ashk-trio.ped"));
  const json& rel = facts["relatedness"];
  ASSERT_TRUE(rel["computed"].get<bool>()) << rel.dump();
  EXPECT_EQ(rel["thinning"], "none");
  EXPECT_EQ(rel["pairs_total"], 3);

  const std::vector<std::string> names = {"HG002", "HG003", "HG004"};
  std::map<std::set<std::string>, std::pair<int64_t, double>> oracle;
  for (const auto& pair : testing::KingOracle(vcf)) oracle[{names[pair.i], names[pair.j]}] = {pair.n, pair.kinship};
  const auto sites = RunProgram("sh", {"-c", "bcftools view -H -m2 -M2 -v snps \"$0\" | wc -l", vcf});
  EXPECT_EQ(rel["sites_used"].get<int64_t>(), std::stoll(sites.out));
  // Listed pairs are the related ones; both parent-child pairs must be there with the oracle's numbers.
  ASSERT_EQ(rel["related_pairs"].size(), 2u) << rel.dump();
  for (const auto& p : rel["related_pairs"]) {
    const std::set<std::string> key = {p["sample1"].get<std::string>(), p["sample2"].get<std::string>()};
    EXPECT_TRUE(key.count("HG002")) << p.dump();
    EXPECT_EQ(p["relationship"], "parent-child");
    EXPECT_EQ(p["sites"].get<int64_t>(), oracle[key].first);
    EXPECT_NEAR(p["kinship"].get<double>(), oracle[key].second, 0.00006);
  }
  EXPECT_EQ(rel["by_relationship"]["unrelated"], 1);
  // The pedigree agrees on both parent-child pairs.
  const json& ped = facts["pedigree"];
  ASSERT_EQ(ped["expected_pairs"].size(), 2u);
  for (const auto& p : ped["expected_pairs"]) {
    EXPECT_EQ(p["expected"], "parent-child");
    EXPECT_EQ(p["inferred"], "parent-child");
    EXPECT_TRUE(p["agrees"].get<bool>());
  }
  EXPECT_EQ(ped["relationship_disagreements"], 0);
  // The slice is chromosome 1 only: sex cannot be inferred, and the report says why.
  EXPECT_FALSE(facts["sex"]["computed"].get<bool>());
  EXPECT_NE(facts["sex"]["reason"].get<std::string>().find("chrX"), std::string::npos);
  // The build comes from the header (contig 1 has GRCh37's length).
  EXPECT_EQ(facts["sex"]["build"], "GRCh37");
}

std::set<std::string> Ids(const json& list) {
  std::set<std::string> ids;
  for (const auto& v : list["items"]) ids.insert(v["variant"].get<std::string>());
  return ids;
}

TEST(AnalyzeCorpusTest, ClinVarPathogenicMatchesBcftoolsQuery) {
  const std::string vcf = CorpusPath("slivar/tests/clinvar_20191007.vcf.gz");
  const json facts = Analyze(vcf);
  std::set<std::string> expected;
  std::map<std::string, std::string> genes;
  for (const auto& row : BcftoolsRows("bcftools query -f '%CHROM:%POS:%REF:%ALT\\t%CLNSIG\\t%GENEINFO\\n' \"$0\"", vcf)) {
    const std::string first = row[1].substr(0, row[1].find_first_of("/|,"));
    if (first == "Pathogenic" || first == "Likely_pathogenic") {
      expected.insert(row[0]);
      genes[row[0]] = row[2].substr(0, row[2].find(':'));
    }
  }
  ASSERT_FALSE(expected.empty());
  const json& list = facts["notable_variants"]["clinvar_pathogenic"];
  EXPECT_EQ(list["total"].get<size_t>(), expected.size());
  EXPECT_EQ(Ids(list), expected);
  for (const auto& v : list["items"]) {
    EXPECT_EQ(v["gene"], genes[v["variant"].get<std::string>()]);
    EXPECT_EQ(v["clinvar"], "pathogenic");
  }
  EXPECT_TRUE(facts["notable_variants"]["annotations"]["clinvar_clnsig"].get<bool>());
}

// VEP's HIGH-impact terms (Ensembl's calculated consequences table).
constexpr const char* kVepHighRegex =
    "(transcript_ablation|splice_acceptor_variant|splice_donor_variant|stop_gained|frameshift_variant|stop_lost|"
    "start_lost|transcript_amplification|feature_elongation|feature_truncation)";

TEST(AnalyzeCorpusTest, HighImpactFromVepCsqMatchesSplitVep) {
  const std::string vcf = CorpusPath("bcftools/test/split-vep.vcf");
  const json facts = Analyze(vcf);
  std::set<std::string> expected;
  for (const auto& row :
       BcftoolsRows(std::string("bcftools +split-vep -a CSQ -d -f '%CHROM:%POS:%REF:%ALT\\t%Consequence\\n' \"$0\" | awk -F'\\t' '$2 ~ /") +
                        kVepHighRegex + "/'",
                    vcf)) {
    expected.insert(row[0]);
  }
  ASSERT_FALSE(expected.empty());
  const json& list = facts["notable_variants"]["high_impact"];
  EXPECT_EQ(list["total"].get<size_t>(), expected.size());
  EXPECT_EQ(Ids(list), expected);
  EXPECT_EQ(facts["notable_variants"]["annotations"]["consequence_tag"], "CSQ");
}

TEST(AnalyzeCorpusTest, HighImpactFromBcsqAndCarriersMatchBcftools) {
  const std::string vcf = ExamplePath("giab-ashk-trio-slice.vcf.gz");
  const json facts = Analyze(vcf);
  // BCSQ entries: consequence|gene|...; '@' (pointer) and '*' (downstream of a stop) entries skipped.
  std::set<std::string> expected;
  for (const auto& row : BcftoolsRows(
           "bcftools query -i 'INFO/BCSQ!=\".\"' -f '%CHROM:%POS:%REF:%ALT\\t%BCSQ\\n' \"$0\" | awk -F'\\t' '{ n = split($2, e, \",\"); "
           "for (i = 1; i <= n; i++) { if (e[i] ~ /^[@*]/) continue; split(e[i], f, \"|\"); "
           "if (f[1] ~ /(^|&)(transcript_ablation|splice_acceptor|splice_donor|stop_gained|frameshift|stop_lost|start_lost)(&|$)/) "
           "{ print $1; break } } }'",
           vcf)) {
    expected.insert(row[0]);
  }
  ASSERT_FALSE(expected.empty());
  const json& list = facts["notable_variants"]["high_impact"];
  EXPECT_EQ(Ids(list), expected);
  EXPECT_EQ(list["total"].get<size_t>(), expected.size());
  // Carriers: samples whose GT holds the ALT (all sites here are biallelic).
  std::map<std::string, std::set<std::string>> carriers;
  for (const auto& row : BcftoolsRows(
           "bcftools query -f '%CHROM:%POS:%REF:%ALT[\\t%SAMPLE=%GT]\\n' \"$0\"", vcf)) {
    if (!expected.count(row[0])) continue;
    for (size_t i = 1; i < row.size(); ++i) {
      const std::string gt = row[i].substr(row[i].find('=') + 1);
      if (gt.find('1') != std::string::npos) carriers[row[0]].insert(row[i].substr(0, row[i].find('=')));
    }
  }
  for (const auto& v : list["items"]) {
    std::set<std::string> got;
    for (const auto& c : v["carriers"]) got.insert(c["sample"].get<std::string>());
    EXPECT_EQ(got, carriers[v["variant"].get<std::string>()]) << v.dump();
    EXPECT_EQ(v["carrier_count"].get<size_t>(), got.size());
    EXPECT_EQ(v["af_source"], "INFO/AF");
  }
  EXPECT_EQ(facts["notable_variants"]["annotations"]["consequence_tag"], "BCSQ");
}

}  // namespace
}  // namespace vcfagent::ai::report
