// `vcf-agent view` region queries against htslib's expected outputs, bcftools 1.16's oracles and
// bcftools/tabix run on real corpus files. Every input is indexed in a temporary directory by the
// real tools (bgzip, tabix, bcftools index), as htslib's own test suite does.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::CorpusPath;
using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;

std::string RecordsOnly(const std::string& vcf) {
  std::istringstream in(vcf);
  std::string line, out;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') out += line + "\n";
  }
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// bgzip -c SRC > DIR/NAME, then tabix (TBI, or CSI when `csi`).
std::string BgzipAndIndex(const TempDir& dir, const std::string& src, const std::string& name,
                          bool csi) {
  const std::string path = dir.File(name);
  auto zipped = RunProgram("bgzip", {"-c", src});
  EXPECT_EQ(zipped.exit_code, 0) << zipped.err;
  testing::WriteFile(path, zipped.out);
  std::vector<std::string> args = {"-f", "-p", "vcf"};
  if (csi) args.push_back("-C");
  args.push_back(path);
  auto indexed = RunProgram("tabix", args);
  EXPECT_EQ(indexed.exit_code, 0) << indexed.err;
  return path;
}

// bcftools view -Ob SRC > DIR/NAME and a CSI index.
std::string ToIndexedBcf(const TempDir& dir, const std::string& src, const std::string& name) {
  const std::string path = dir.File(name);
  auto converted = RunProgram("bcftools", {"view", "--no-version", "-Ob", "-o", path, src});
  EXPECT_EQ(converted.exit_code, 0) << converted.err;
  auto indexed = RunProgram("bcftools", {"index", "-f", path});
  EXPECT_EQ(indexed.exit_code, 0) << indexed.err;
  return path;
}

// htslib test/tabix/tabix.tst: tabix on vcf_file.vcf with TBI and CSI, and the BCF with CSI.
TEST(ViewRegionsTest, HtslibTabixExpectedOutputs) {
  TempDir dir;
  const std::string vcf = CorpusPath("htslib/test/tabix/vcf_file.vcf");
  const std::string tbi = BgzipAndIndex(dir, vcf, "tbi.vcf.gz", false);
  const std::string csi = BgzipAndIndex(dir, vcf, "csi.vcf.gz", true);
  const std::string bcf = ToIndexedBcf(dir, vcf, "csi.bcf");
  testing::WriteFile(dir.File("noindex.bcf"), Slurp(bcf));
  testing::WriteFile(dir.File("noindex.vcf.gz"), Slurp(csi));
  const std::vector<std::string> inputs = {
      tbi,
      csi,
      bcf,
      vcf,                         // plain text: streamed
      dir.File("noindex.bcf"),     // BCF without an index: streamed
      dir.File("noindex.vcf.gz"),  // BGZF without an index: streamed
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1:3000151-3000151", "htslib/test/tabix/vcf_file.1.3000151.out"},
      {"2:3199812-3199812", "htslib/test/tabix/vcf_file.2.3199812.out"},
  };
  int passed = 0;
  for (const auto& input : inputs) {
    for (const auto& [region, expected] : cases) {
      auto r = RunVcfAgent({"view", "-H", "-r", region, input});
      ASSERT_EQ(r.exit_code, 0) << input << " " << region << ": " << r.err;
      EXPECT_EQ(r.out, Slurp(CorpusPath(expected))) << input << " " << region;
      passed += r.out == Slurp(CorpusPath(expected));
    }
  }
  EXPECT_EQ(passed, 12);
}

// htslib test/test.pl test_bcf_sr_range: contig names containing ':' and '-'.
TEST(ViewRegionsTest, HtslibWeirdContigNames) {
  TempDir dir;
  const std::string vcf = CorpusPath("htslib/test/bcf-sr/weird-chr-names.vcf");
  const std::vector<std::string> inputs = {
      ToIndexedBcf(dir, vcf, "weird.bcf"),            // as test.pl: BCF with CSI
      BgzipAndIndex(dir, vcf, "weird.vcf.gz", false),  // tabix
      vcf,                                             // streamed
  };
  const std::vector<std::pair<std::string, int>> cases = {
      {"1", 1},         {"1:1-2", 1},           {"1:1,1:2", 1},        {"1:1-1", 2},
      {"{1:1}", 3},     {"{1:1}:1-2", 3},       {"{1:1}:1,{1:1}:2", 3}, {"{1:1}:1-1", 4},
      {"{1:1-1}", 5},   {"{1:1-1}:1-2", 5},     {"{1:1-1}:1,{1:1-1}:2", 5},
      {"{1:1-1}:1-1", 6},
  };
  int passed = 0;
  for (const auto& input : inputs) {
    for (const auto& [region, n] : cases) {
      const std::string expected =
          Slurp(CorpusPath("htslib/test/bcf-sr/weird-chr-names." + std::to_string(n) + ".out"));
      auto r = RunVcfAgent({"view", "-r", region, input});
      ASSERT_EQ(r.exit_code, 0) << input << " " << region << ": " << r.err;
      EXPECT_EQ(r.out, expected) << input << " -r " << region;
      passed += r.out == expected;
    }
    // test.pl's expected failure: a malformed region is a usage error, with no output.
    auto bad = RunVcfAgent({"view", "-r", "{1:1-1}-2", input});
    EXPECT_EQ(bad.exit_code, 2) << bad.out;
    EXPECT_EQ(bad.out, "");
    EXPECT_NE(bad.err.find("{1:1-1}-2"), std::string::npos) << bad.err;
  }
  EXPECT_EQ(passed, 36);
}

// htslib test/test.pl large positions: a 10 Gbp contig needs CSI; END extends a <DEL> record.
// BCF cannot hold these positions, and htslib 1.16's VCF parser sets an INFO/END beyond 2^31 to
// missing (bcftools 1.16 then misses the <DEL>), so the END case runs on the tabix path with
// --verbatim, which uses tabix's 64-bit span and copies lines as stored, as tabix does.
TEST(ViewRegionsTest, HtslibLongReferences) {
  TempDir dir;
  const std::string vcf = CorpusPath("htslib/test/longrefs/index.vcf");
  const std::string indexed = BgzipAndIndex(dir, vcf, "long.vcf.gz", true);
  const std::string expected1 = RecordsOnly(Slurp(CorpusPath("htslib/test/longrefs/index.expected1.vcf")));
  const std::string expected2 = RecordsOnly(Slurp(CorpusPath("htslib/test/longrefs/index.expected2.vcf")));
  for (const std::string& input : {indexed, vcf}) {
    auto r = RunVcfAgent({"view", "-H", "-r", "1:10010000100-10010000105", input});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected1) << input;
  }
  auto r = RunVcfAgent({"view", "-H", "--verbatim", "-r", "1:10010000120-10010000130", indexed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected2);
}

// Every bcftools-1.16 `query` oracle: the CHROM POS REF ALT listing of the whole file.
TEST(ViewRegionsTest, QueryListingMatchesBcftoolsOracles) {
  std::ifstream manifest(CorpusPath("oracles/bcftools-1.16/MANIFEST.tsv"));
  ASSERT_TRUE(manifest) << "missing MANIFEST.tsv";
  std::string line;
  int cases = 0, passed = 0;
  while (std::getline(manifest, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    if (cols.size() < 4 || cols[2] != "query") continue;
    ++cases;
    const std::string input = CorpusPath(cols[1]);
    auto expected = RunProgram("gzip", {"-dc", CorpusPath("oracles/bcftools-1.16/" + cols[3])});
    ASSERT_EQ(expected.exit_code, 0) << expected.err;
    auto r = RunVcfAgent({"view", "-O", "t", "-f", "CHROM,POS,REF,ALT", "-H", input});
    ASSERT_EQ(r.exit_code, 0) << cols[0] << ": " << r.err;
    EXPECT_EQ(r.out, expected.out) << cols[0];
    passed += r.out == expected.out;
  }
  EXPECT_EQ(cases, 9);
  EXPECT_EQ(passed, cases);
}

struct Site {
  std::string chrom;
  int64_t pos;
};

std::vector<Site> SitesOf(const std::string& path) {
  auto r = RunProgram("bcftools", {"query", "-f", "%CHROM\t%POS\n", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Site> sites;
  std::istringstream in(r.out);
  std::string chrom;
  int64_t pos;
  while (in >> chrom >> pos) sites.push_back({chrom, pos});
  return sites;
}

// A random region list around real sites: points, short and long spans, open ends, overlaps.
std::string RandomRegionList(const std::vector<Site>& sites, std::mt19937& rng) {
  std::uniform_int_distribution<size_t> pick(0, sites.size() - 1);
  std::uniform_int_distribution<int> shape(0, 5), count(1, 4);
  std::uniform_int_distribution<int64_t> offset(-300, 300);
  std::vector<std::pair<Site, std::string>> items;
  const int n = count(rng);
  for (int i = 0; i < n; ++i) {
    const Site& s = sites[pick(rng)];
    const int64_t start = std::max<int64_t>(1, s.pos + offset(rng));
    std::string item;
    switch (shape(rng)) {
      case 0: item = s.chrom + ":" + std::to_string(s.pos); break;
      case 1: item = s.chrom + ":" + std::to_string(start) + "-" + std::to_string(start + 50); break;
      case 2: item = s.chrom + ":" + std::to_string(start) + "-" + std::to_string(start + 5000); break;
      case 3: item = s.chrom + ":" + std::to_string(start) + "-" + std::to_string(start + 200000); break;
      case 4: item = s.chrom + ":" + std::to_string(sites.back().pos - 2000) + "-"; break;
      default: item = s.chrom + ":" + std::to_string(start) + "-" + std::to_string(start + 1); break;
    }
    items.push_back({Site{s.chrom, start}, item});
  }
  // bcftools visits contigs in the order first named; sort by contig so file order is the same.
  std::stable_sort(items.begin(), items.end(), [&](const auto& a, const auto& b) {
    auto rank = [&](const std::string& c) {
      return std::find_if(sites.begin(), sites.end(), [&](const Site& x) { return x.chrom == c; }) -
             sites.begin();
    };
    return rank(a.first.chrom) < rank(b.first.chrom);
  });
  std::string list;
  for (const auto& [site, item] : items) list += (list.empty() ? "" : ",") + item;
  return list;
}

void CompareWithBcftools(const std::string& indexed, int lists, int streamed_lists, unsigned seed) {
  const auto sites = SitesOf(indexed);
  ASSERT_FALSE(sites.empty());
  TempDir dir;
  // The same bytes without an index: vcf-agent must stream and still agree.
  const std::string unindexed = dir.File("copy.vcf.gz");
  testing::WriteFile(unindexed, Slurp(indexed));
  std::mt19937 rng(seed);
  int nonempty = 0;
  for (int i = 0; i < lists; ++i) {
    const std::string regions = RandomRegionList(sites, rng);
    auto expected = RunProgram("bcftools", {"view", "-H", "-r", regions, indexed});
    ASSERT_EQ(expected.exit_code, 0) << expected.err;
    auto ours = RunVcfAgent({"view", "-H", "-r", regions, indexed});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(ours.out, expected.out) << indexed << " -r " << regions;
    nonempty += !expected.out.empty();
    if (i < streamed_lists) {
      auto streamed = RunVcfAgent({"view", "-H", "-r", regions, unindexed});
      ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
      EXPECT_EQ(streamed.out, expected.out) << "streamed -r " << regions;
    }
  }
  EXPECT_GT(nonempty, lists / 2) << "the random regions should mostly hit records";
}

TEST(ViewRegionsTest, RandomRegionsMatchBcftools1000Genomes) {
  CompareWithBcftools(
      CorpusPath("vcflib/samples/1kg-phaseIII-v5a.20130502.genotypes.chr22-16-16.5mb.vcf.gz"), 25, 2,
      1);
}

TEST(ViewRegionsTest, RandomRegionsMatchBcftoolsStructuralVariants) {
  CompareWithBcftools(CorpusPath("vcflib/samples/1kGP_high_coverage_Illumina.chr1.filtered."
                                 "SNV_INDEL_SV_phased_panel-head-1000.vcf.gz"),
                      25, 2, 2);
}

TEST(ViewRegionsTest, RandomRegionsMatchBcftoolsTwoContigsCsi) {
  CompareWithBcftools(CorpusPath("slivar/tests/ashk-trio.vcf.gz"), 40, 5, 3);
}

// -R files: bcftools' 1-based CHROM POS END and 0-based BED give the same records as bcftools -R.
TEST(ViewRegionsTest, RegionsFilesMatchBcftools) {
  TempDir dir;
  const std::string input = CorpusPath("slivar/tests/ashk-trio.vcf.gz");
  const auto sites = SitesOf(input);
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pick(0, sites.size() - 1);
  std::vector<Site> chosen;
  for (int i = 0; i < 60; ++i) chosen.push_back(sites[pick(rng)]);
  std::sort(chosen.begin(), chosen.end(), [](const Site& a, const Site& b) {
    return a.chrom != b.chrom ? a.chrom < b.chrom : a.pos < b.pos;
  });
  std::string tab = "# CHROM\tPOS\tEND\n", bed;
  for (const Site& s : chosen) {
    tab += s.chrom + "\t" + std::to_string(s.pos - 100) + "\t" + std::to_string(s.pos + 2000) + "\n";
    bed += s.chrom + "\t" + std::to_string(s.pos - 101) + "\t" + std::to_string(s.pos + 2000) + "\n";
  }
  testing::WriteFile(dir.File("regions.tsv"), tab);
  testing::WriteFile(dir.File("regions.bed"), bed);
  for (const std::string& file : {dir.File("regions.tsv"), dir.File("regions.bed")}) {
    auto expected = RunProgram("bcftools", {"view", "-H", "-R", file, input});
    ASSERT_EQ(expected.exit_code, 0) << expected.err;
    ASSERT_FALSE(expected.out.empty());
    auto ours = RunVcfAgent({"view", "-H", "-R", file, input});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(ours.out, expected.out) << file;
  }
}

// tabix on the same file and regions (tabix prints records as stored, one region at a time).
TEST(ViewRegionsTest, SingleRegionsMatchTabix) {
  const std::string input =
      CorpusPath("vcflib/samples/1kGP_high_coverage_Illumina.chr1.filtered.SNV_INDEL_SV_phased_panel-head-1000.vcf.gz");
  const auto sites = SitesOf(input);
  std::mt19937 rng(11);
  std::uniform_int_distribution<size_t> pick(0, sites.size() - 1);
  for (int i = 0; i < 15; ++i) {
    const Site& s = sites[pick(rng)];
    const std::string region = s.chrom + ":" + std::to_string(s.pos) + "-" + std::to_string(s.pos + 3000);
    auto expected = RunProgram("tabix", {input, region});
    ASSERT_EQ(expected.exit_code, 0) << expected.err;
    auto ours = RunVcfAgent({"view", "-H", "-r", region, input});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(ours.out, expected.out) << region;
  }
}

TEST(ViewRegionsTest, UnknownContigWarnsAndSelectsNothing) {
  const std::string input = CorpusPath("slivar/tests/ashk-trio.vcf.gz");
  auto r = RunVcfAgent({"view", "-H", "-r", "chrNope:1-100", input});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("chrNope"), std::string::npos) << r.err;
  auto expected = RunProgram("bcftools", {"view", "-H", "-r", "chrNope:1-100", input});
  EXPECT_EQ(expected.out, "");
}

}  // namespace
}  // namespace vcfagent
