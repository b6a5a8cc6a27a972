// vcf-agent compare against `bcftools isec` (Debian's 1.16, run here) and the upstream isec
// expected outputs: the private and shared site sets must be the ones isec writes to 0000.vcf,
// 0001.vcf and 0002.vcf/0003.vcf, for every -c mode. On a real 1000 Genomes slice against a
// perturbed copy, the genotype confusion matrices must equal those computed here from
// `bcftools query` output.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "support/test_support.h"
#include "vcf/compare.h"

namespace vcfagent {
namespace {

using testing::CorpusPath;
using testing::Lines;
using testing::RunProgram;
using testing::TempDir;

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, sep)) fields.push_back(field);
  return fields;
}

// Runs a program and fails the test if it does not succeed.
std::string RunTool(const std::string& program, const std::vector<std::string>& args) {
  auto result = RunProgram(program, args);
  EXPECT_EQ(result.exit_code, 0) << program << " failed: " << result.err;
  return result.out;
}

// Sorted "CHROM POS REF ALT" (plus ID when asked) of every record of a VCF/BCF.
std::vector<std::string> Sites(const std::string& path, bool with_id = false) {
  auto sites = Lines(RunTool("bcftools", {"query", "-f",
                                      with_id ? "%CHROM %POS %ID %REF %ALT\n" : "%CHROM %POS %REF %ALT\n",
                                      path}));
  std::sort(sites.begin(), sites.end());
  return sites;
}

// The same listing read directly from a plain-text VCF (isec -p writes plain VCF); saves a
// process per file, which matters under the sanitizers.
std::vector<std::string> PlainVcfSites(const std::string& path, bool with_id = false) {
  std::vector<std::string> sites;
  for (const auto& line : Lines(testing::ReadFile(path))) {
    if (line[0] == '#') continue;
    const auto f = Split(line, '\t');
    if (f.size() < 5) {
      ADD_FAILURE() << path << ": short line " << line;
      continue;
    }
    sites.push_back(f[0] + " " + f[1] + (with_id ? " " + f[2] : "") + " " + f[3] + " " + f[4]);
  }
  std::sort(sites.begin(), sites.end());
  return sites;
}

// bgzip + index a copy of a plain VCF, as isec needs.
std::string Indexed(const TempDir& dir, const std::string& vcf, const std::string& name) {
  const std::string gz = dir.File(name + ".vcf.gz");
  // bgzip rather than bcftools view: some upstream inputs (isec-miss.2.3) declare samples but
  // have no sample columns, which bcftools cannot write back.
  testing::WriteFile(gz, RunTool("bgzip", {"-c", vcf}));
  RunTool("tabix", {"-f", "-p", "vcf", gz});
  return gz;
}

struct Partition {
  std::vector<std::string> a_only, b_only, shared;  // shared: listed with A's record
};

void SortPartition(Partition& p) {
  std::sort(p.a_only.begin(), p.a_only.end());
  std::sort(p.b_only.begin(), p.b_only.end());
  std::sort(p.shared.begin(), p.shared.end());
}

// isec's sites listing (no -p): CHROM POS REF ALT FLAGS, with the alleles of the first file that
// has the site. Works for every input, including records isec cannot write back.
Partition IsecListing(const std::string& a_gz, const std::string& b_gz, const std::string& mode) {
  Partition p;
  for (const auto& line : Lines(RunTool("bcftools", {"isec", "-n", "+1", "-c", mode, a_gz, b_gz}))) {
    const auto f = Split(line, '\t');
    if (f.size() != 5) {
      ADD_FAILURE() << "unexpected isec line: " << line;
      continue;
    }
    const std::string site = f[0] + " " + f[1] + " " + f[2] + " " + f[3];
    (f[4] == "11" ? p.shared : f[4] == "10" ? p.a_only : p.b_only).push_back(site);
  }
  SortPartition(p);
  return p;
}

// isec -p DIR: 0000.vcf A only, 0001.vcf B only, 0002.vcf/0003.vcf A's/B's records of shared
// sites. Returns false when isec cannot write the records (then the listing is the oracle).
bool IsecFiles(const TempDir& dir, const std::string& a_gz, const std::string& b_gz,
               const std::string& mode, Partition& p, size_t& shared_b, bool with_id = false) {
  const std::string out = dir.File("isec-" + mode);
  if (RunProgram("bcftools", {"isec", "-c", mode, "-p", out, a_gz, b_gz}).exit_code != 0) return false;
  p = {PlainVcfSites(out + "/0000.vcf", with_id), PlainVcfSites(out + "/0001.vcf", with_id),
       PlainVcfSites(out + "/0002.vcf", with_id)};
  shared_b = PlainVcfSites(out + "/0003.vcf").size();
  return true;
}

struct Compared {
  vcf::CompareResult result;
  Partition sites;    // from the on_site observer
  Partition written;  // from the --write-* files, when asked
};

std::string SiteText(bcf1_t* rec, const bcf_hdr_t* header, bool with_id) {
  std::string text = std::string(bcf_seqname_safe(header, rec)) + " " + std::to_string(rec->pos + 1);
  if (with_id) text += std::string(" ") + rec->d.id;
  text += std::string(" ") + rec->d.allele[0] + " ";
  for (int i = 1; i < rec->n_allele; ++i) text += std::string(i > 1 ? "," : "") + rec->d.allele[i];
  if (rec->n_allele == 1) text += ".";
  return text;
}

Compared Compare(const TempDir& dir, const std::string& a, const std::string& b, vcf::MatchMode mode,
                 bool write = false, bool with_id = false, vcf::CompareOptions options = {}) {
  Compared out;
  options.match = mode;
  options.on_site = [&](const bcf_hdr_t* ha, bcf1_t* ra, const bcf_hdr_t* hb, bcf1_t* rb) {
    if (ra && rb) out.sites.shared.push_back(SiteText(ra, ha, with_id));
    else if (ra) out.sites.a_only.push_back(SiteText(ra, ha, with_id));
    else out.sites.b_only.push_back(SiteText(rb, hb, with_id));
  };
  const std::string tag = std::string(vcf::MatchModeName(mode));
  if (write) {
    // One of each output kind: plain VCF, bgzipped VCF, BCF.
    options.write_private_a = dir.File("ours-" + tag + "-a.vcf");
    options.write_private_b = dir.File("ours-" + tag + "-b.vcf.gz");
    options.write_shared = dir.File("ours-" + tag + "-shared.bcf");
  }
  auto result = vcf::CompareFiles(a, b, options);
  EXPECT_TRUE(result.ok()) << result.status().message();
  if (!result.ok()) return out;
  out.result = *result;
  SortPartition(out.sites);
  if (write) {
    out.written = {PlainVcfSites(options.write_private_a, with_id), Sites(options.write_private_b, with_id),
                   Sites(options.write_shared, with_id)};
  }
  return out;
}

void ExpectSamePartition(const Partition& ours, const Partition& isec, const std::string& what) {
  EXPECT_EQ(ours.a_only, isec.a_only) << what << ": A-only sites";
  EXPECT_EQ(ours.b_only, isec.b_only) << what << ": B-only sites";
  EXPECT_EQ(ours.shared, isec.shared) << what << ": shared sites";
}

void ExpectCounts(const Compared& ours, const Partition& isec, const std::string& what) {
  EXPECT_EQ(ours.result.a_only.total(), isec.a_only.size()) << what;
  EXPECT_EQ(ours.result.b_only.total(), isec.b_only.size()) << what;
  EXPECT_EQ(ours.result.shared.total(), isec.shared.size()) << what;
}

std::string TestVcf(const std::string& name) { return CorpusPath("bcftools/test/" + name + ".vcf"); }

// ---- the bcftools isec test cases, every pair and every mode -----------------------------------

const char* const kModes[] = {"none", "some", "all", "any", "snps", "indels", "both"};

class IsecCorpusTest : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

// For one pair of isec test inputs, every -c mode.
TEST_P(IsecCorpusTest, SiteSetsEqualBcftoolsIsecInEveryMode) {
  const auto& pair = GetParam();
  TempDir dir;
  const std::string a_gz = Indexed(dir, TestVcf(pair.first), "a");
  const std::string b_gz = Indexed(dir, TestVcf(pair.second), "b");
  for (const char* mode_name : kModes) {
    const std::string what = pair.first + " vs " + pair.second + " -c " + mode_name;
    SCOPED_TRACE(what);
    vcf::MatchMode mode;
    ASSERT_TRUE(vcf::ParseMatchMode(mode_name, mode));
    const Partition listing = IsecListing(a_gz, b_gz, mode_name);
    // Plain, unindexed text input (streamed) and the bgzipped copies must give the same answer.
    const Compared plain = Compare(dir, TestVcf(pair.first), TestVcf(pair.second), mode);
    ExpectSamePartition(plain.sites, listing, what + " (isec listing)");
    ExpectCounts(plain, listing, what);
    Partition files;
    size_t shared_b = 0;
    if (IsecFiles(dir, a_gz, b_gz, mode_name, files, shared_b)) {
      const Compared gz = Compare(dir, a_gz, b_gz, mode, /*write=*/true);
      ExpectSamePartition(gz.sites, files, what + " (isec -p files)");
      ExpectSamePartition(gz.written, files, what + " (our --write-* files vs isec -p files)");
      ExpectCounts(gz, files, what);
      EXPECT_EQ(gz.result.shared.total(), shared_b) << what << ": isec 0003.vcf";
    } else {
      // isec cannot write these records (samples declared, no sample columns): the listing is
      // the oracle.
      ExpectSamePartition(Compare(dir, a_gz, b_gz, mode).sites, listing, what + " (bgzipped)");
    }
  }
}

const std::pair<std::string, std::string> kIsecPairs[] = {
    {"isec.a", "isec.b"},               {"isec.b", "isec.a"},
    {"isec-miss.1.1", "isec-miss.1.2"}, {"isec-miss.1.2", "isec-miss.1.3"},
    {"isec-miss.1.3", "isec-miss.1.1"}, {"isec-miss.2.1", "isec-miss.2.2"},
    {"isec-miss.2.2", "isec-miss.2.3"}, {"isec-miss.2.3", "isec-miss.2.1"},
    {"isec-miss.1.3", "isec-miss.2.3"}, {"isec.match-id.1.1", "isec.match-id.1.2"},
};

INSTANTIATE_TEST_SUITE_P(IsecCases, IsecCorpusTest, ::testing::ValuesIn(kIsecPairs));

// --normalize equals normalising both files with bcftools norm -m -any, then bcftools isec.
TEST(IsecAfterNorm, NormalizeEqualsBcftoolsNormThenIsec) {
  TempDir dir;
  std::string normalized[2];
  const char* names[2] = {"isec.a", "isec.b"};
  for (int i = 0; i < 2; ++i) {
    normalized[i] = dir.File(std::string(names[i]) + ".norm.vcf.gz");
    RunTool("bcftools", {"norm", "--no-version", "-m", "-any", "-Oz", "-o", normalized[i], TestVcf(names[i])});
    RunTool("bcftools", {"index", "-f", normalized[i]});
  }
  vcf::CompareOptions options;
  options.normalize = true;
  for (const char* mode_name : kModes) {
    SCOPED_TRACE(mode_name);
    vcf::MatchMode mode;
    ASSERT_TRUE(vcf::ParseMatchMode(mode_name, mode));
    const Partition listing = IsecListing(normalized[0], normalized[1], mode_name);
    const Compared ours = Compare(dir, TestVcf(names[0]), TestVcf(names[1]), mode, false, false, options);
    ExpectSamePartition(ours.sites, listing, std::string("normalised -c ") + mode_name);
    EXPECT_GT(ours.result.records_a, 12u);  // the multiallelic records were split
  }
}

// The pangenome VCF (complex multiallelic records) against its `bcftools norm -m-` split from the
// corpus: after --normalize every record is shared, and our split records carry the same
// genotypes as bcftools'.
TEST(NormalizeRealData, PangenomeSplitEqualsBcftoolsNorm) {
  TempDir dir;
  const std::string original = CorpusPath("vcflib/samples/grch38#chr8_36353854-36453166.vcf");
  const std::string split = CorpusPath("vcflib/samples/grch38#chr8_36353854-36453166-bcftools-normalised.vcf");
  vcf::CompareOptions options;
  options.normalize = true;
  options.write_shared = dir.File("shared.vcf");
  auto result = vcf::CompareFiles(original, split, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->records_a, 990u);
  EXPECT_EQ(result->shared.total(), 990u);
  EXPECT_EQ(result->a_only.total() + result->b_only.total(), 0u);
  const auto& m = result->all_samples.matrix;
  EXPECT_EQ(result->all_samples.called_in_both(), m[0][0] + m[1][1] + m[2][2]);
  const std::string format = "%CHROM %POS %REF %ALT [ %GT]\n";
  EXPECT_EQ(RunTool("bcftools", {"query", "-f", format, options.write_shared}),
            RunTool("bcftools", {"query", "-f", format, split}));
  // Without normalisation the multiallelic records do not match.
  const Compared plain = Compare(dir, original, split, vcf::MatchMode::kNone);
  EXPECT_LT(plain.result.shared.total(), 990u);
}

// --normalize --fasta gives the records `bcftools norm -m -any -f` gives, on bcftools' own norm
// test input (split, left-aligned and trimmed indels, trimmed MNPs, REF-only records). Its one
// record whose REF disagrees with norm.fa is left out here: both tools stop on it by default.
TEST(NormalizeRealData, LeftAlignEqualsBcftoolsNormOnItsTestInput) {
  TempDir dir;
  std::string kept;
  for (const auto& line : Lines(testing::ReadFile(TestVcf("norm")))) {
    if (line.rfind("1\t60\t", 0) == 0) continue;
    kept += line + "\n";
  }
  const std::string input = dir.File("norm.vcf");
  testing::WriteFile(input, kept);
  const std::string fasta = CorpusPath("bcftools/test/norm.fa");
  // -c w: bcftools would otherwise stop at the ALT 'I' that both tools leave as it is.
  RunTool("bcftools", {"norm", "--no-version", "-c", "w", "-m", "-any", "-f", fasta, "-o", dir.File("bcftools.vcf"), input});
  vcf::CompareOptions options;
  options.normalize = true;
  options.fasta = fasta;
  options.write_shared = dir.File("ours.vcf");
  auto result = vcf::CompareFiles(input, input, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const std::string format = "%CHROM %POS %REF %ALT [ %GT]\n";
  const std::string expected = RunTool("bcftools", {"query", "-f", format, dir.File("bcftools.vcf")});
  EXPECT_EQ(RunTool("bcftools", {"query", "-f", format, options.write_shared}), expected);
  EXPECT_EQ(result->shared.total(), Lines(expected).size());
  EXPECT_EQ(result->a_only.total() + result->b_only.total(), 0u);

  // The record left out: REF 'A' where norm.fa has 'C'.
  auto mismatch = vcf::CompareFiles(TestVcf("norm"), TestVcf("norm"), options);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(mismatch.status().message().find("norm.vcf:38: REF 'A' at 1:60 does not match"), std::string::npos)
      << mismatch.status().message();
}

// ---- the upstream expected outputs (MANIFEST.tsv test_vcf_isec rows) ---------------------------

// Columns 1-4 of an isec sites listing (CHROM POS REF ALT), sorted.
std::vector<std::string> ExpectedSites(const std::string& out_name) {
  std::vector<std::string> sites;
  for (const auto& line : Lines(testing::ReadFile(CorpusPath("bcftools/test/" + out_name)))) {
    const auto f = Split(line, '\t');
    if (f.size() >= 4) sites.push_back(f[0] + " " + f[1] + " " + f[2] + " " + f[3]);
  }
  std::sort(sites.begin(), sites.end());
  return sites;
}

TEST(IsecUpstreamOutputs, SharedAndPrivateSitesOfIsecAB) {
  TempDir dir;
  const std::string a = TestVcf("isec.a"), b = TestVcf("isec.b");
  // isec -n =2 (exact), -n =2 -c both, -n =2 -c any: sites in both files, listed with A's alleles.
  EXPECT_EQ(Compare(dir, a, b, vcf::MatchMode::kNone).sites.shared, ExpectedSites("isec.ab.out"));
  EXPECT_EQ(Compare(dir, a, b, vcf::MatchMode::kBoth).sites.shared, ExpectedSites("isec.ab.both.out"));
  EXPECT_EQ(Compare(dir, a, b, vcf::MatchMode::kAll).sites.shared, ExpectedSites("isec.ab.any.out"));
  // isec -C -c any: sites only in A.
  EXPECT_EQ(Compare(dir, a, b, vcf::MatchMode::kAll).sites.a_only, ExpectedSites("isec.ab.C.out"));
}

// isec-miss.N.1.out lists the sites of three files (-n +1 -r 20:100,20:140,12:55,20:140,20:100)
// with a presence flag per file; projected onto each pair of files it gives the expected A-only,
// B-only and shared sites of that pair under the same regions.
TEST(IsecUpstreamOutputs, IsecMissProjectedOntoEachPair) {
  TempDir dir;
  for (const std::string set : {"1", "2"}) {
    std::vector<std::pair<std::string, std::string>> rows;  // site, flags
    for (const auto& line : Lines(testing::ReadFile(CorpusPath("bcftools/test/isec-miss." + set + ".1.out")))) {
      const auto f = Split(line, '\t');
      ASSERT_EQ(f.size(), 5u) << line;
      rows.emplace_back(f[0] + " " + f[1] + " " + f[2] + " " + f[3], f[4]);
    }
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        if (i == j) continue;
        const std::string a = TestVcf("isec-miss." + set + "." + std::to_string(i + 1));
        const std::string b = TestVcf("isec-miss." + set + "." + std::to_string(j + 1));
        Partition expected;
        for (const auto& [site, flags] : rows) {
          if (flags[i] == '1' && flags[j] == '1') expected.shared.push_back(site);
          else if (flags[i] == '1') expected.a_only.push_back(site);
          else if (flags[j] == '1') expected.b_only.push_back(site);
        }
        SortPartition(expected);
        vcf::CompareOptions options;
        options.regions = {"20:100,20:140,12:55,20:140,20:100"};
        const Compared ours = Compare(dir, a, b, vcf::MatchMode::kNone, false, false, options);
        ExpectSamePartition(ours.sites, expected, a + " vs " + b);
      }
    }
  }
}

// isec -n =2 -w 2 [-c id]: all three records are shared either way; with -c id each pairs with the
// record of the same ID (bcftools >= 1.19 writes B's records in A's ID order, ID1 ID2 ID3).
TEST(IsecUpstreamOutputs, MatchById) {
  TempDir dir;
  const std::string a = TestVcf("isec.match-id.1.1"), b = TestVcf("isec.match-id.1.2");
  std::vector<std::string> expected;
  for (const auto& line : Lines(testing::ReadFile(CorpusPath("bcftools/test/isec.match-id.2.out")))) {
    if (line[0] == '#') continue;
    const auto f = Split(line, '\t');
    expected.push_back(f[0] + " " + f[1] + " " + f[2] + " " + f[3] + " " + f[4]);
  }
  std::sort(expected.begin(), expected.end());
  const Compared by_id = Compare(dir, a, b, vcf::MatchMode::kId, /*write=*/false, /*with_id=*/true);
  EXPECT_EQ(by_id.sites.shared, expected);
  EXPECT_TRUE(by_id.sites.a_only.empty());
  EXPECT_TRUE(by_id.sites.b_only.empty());
  // The records, written in pairing order, follow A's IDs as in the upstream output.
  vcf::CompareOptions options;
  options.match = vcf::MatchMode::kId;
  options.write_shared = dir.File("shared-id.vcf");
  ASSERT_TRUE(vcf::CompareFiles(a, b, options).ok());
  const auto ids = Lines(RunTool("bcftools", {"query", "-f", "%ID\n", options.write_shared}));
  EXPECT_EQ(ids, (std::vector<std::string>{"ID1", "ID2", "ID3"}));
}

// ---- files on different contigs -----------------------------------------------------------------

// A VCF of `records` ("CHROM POS REF ALT") with ##contig lines for `header_contigs` (none: htslib
// learns the names from the records).
std::string ContigTestVcf(const std::vector<std::string>& header_contigs,
                          const std::vector<std::string>& records) {
  std::string text = "##fileformat=VCFv4.2\n";
  for (const auto& c : header_contigs) text += "##contig=<ID=" + c + ">\n";
  text += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";
  for (const auto& r : records) {
    const auto f = Split(r, ' ');
    text += f[0] + "\t" + f[1] + "\t.\t" + f[2] + "\t" + f[3] + "\t.\t.\t.\n";
  }
  return text;
}

Partition Mirrored(const Partition& p) { return {p.b_only, p.a_only, p.shared}; }

// Files on different sets of contigs whose orders agree on the contigs they share (the rest may
// be anywhere): compare gives isec's partition in both argument orders, as plain text (which a
// second pass reads ahead) and bgzipped with a tabix index (which tells the contigs), with no
// ##contig lines, with the file's own contigs, and with every contig listed in an order the
// records do not follow. Random cases from a fixed seed, plus the ones issue 12 reported.
TEST(IsecContigSets, DifferentContigsCompareInBothOrdersAsIsec) {
  TempDir dir;
  std::mt19937 rng(12);
  const std::vector<std::string> pool = {"chr1", "chr2", "chr3", "chr4", "chr5", "chr6", "chr7", "chrX"};
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> orders = {
      {{"chr1", "chr2", "chr3"}, {"chr1", "chr3", "chr4"}},  // the issue's files
      {{"chr1", "chr2"}, {"chr2", "chr3"}},                  // one contig in common
      {{"chr5", "chr2"}, {"chr2", "chr1"}},
      {{"chr1"}, {"chr2"}},                                  // none in common
  };
  for (int k = 0; k < 16; ++k) {
    std::vector<std::string> contigs = pool;
    std::shuffle(contigs.begin(), contigs.end(), rng);
    const size_t n_shared = rng() % 4, n_a = rng() % 3, n_b = rng() % 3;
    std::vector<std::string> a(contigs.begin(), contigs.begin() + n_shared), b = a;
    for (size_t i = 0; i < n_a + n_b; ++i) {
      auto& file = i < n_a ? a : b;
      file.insert(file.begin() + rng() % (file.size() + 1), contigs[n_shared + i]);
    }
    if (a.empty() || b.empty()) continue;
    orders.emplace_back(a, b);
  }
  const char* const alts[] = {"C", "G", "T"};
  int case_number = 0;
  for (const auto& [order_a, order_b] : orders) {
    // Records at 10 positions per contig, each in A, B or both, with an ALT that may differ.
    std::vector<std::string> records[2];
    for (int f = 0; f < 2; ++f) {
      for (const auto& c : f == 0 ? order_a : order_b) {
        for (int pos = 100; pos <= 1000; pos += 100) {
          const uint32_t roll = std::hash<std::string>()(c + std::to_string(pos)) % 6;
          if (roll == 0 && f == 1) continue;  // A only (where B has the contig)
          if (roll == 1 && f == 0) continue;  // B only
          const char* alt = roll == 2 ? alts[f] : alts[2];  // roll 2: both, another ALT
          records[f].push_back(c + " " + std::to_string(pos) + " A " + alt);
        }
      }
    }
    for (int header_mode = 0; header_mode < 3; ++header_mode) {
      std::string files[2], indexed[2];
      for (int f = 0; f < 2; ++f) {
        const auto& own = f == 0 ? order_a : order_b;
        const std::vector<std::string> header = header_mode == 0 ? std::vector<std::string>{}
                                                : header_mode == 1 ? own
                                                                   : pool;
        const std::string name = "case" + std::to_string(case_number) + "-" + std::to_string(header_mode) +
                                 (f == 0 ? "-a" : "-b");
        files[f] = dir.File(name + ".vcf");
        testing::WriteFile(files[f], ContigTestVcf(header, records[f]));
        indexed[f] = Indexed(dir, files[f], name);
      }
      std::string what = "A:";
      for (const auto& c : order_a) what += " " + c;
      what += "; B:";
      for (const auto& c : order_b) what += " " + c;
      what += header_mode == 0 ? " (no ##contig)" : header_mode == 1 ? " (own ##contig)" : " (all ##contig)";
      SCOPED_TRACE(what);
      const Partition isec = IsecListing(indexed[0], indexed[1], "none");
      ASSERT_FALSE(isec.a_only.empty() && isec.b_only.empty() && isec.shared.empty());
      for (const auto& [a, b, kind] : {std::tuple(files[0], files[1], "plain"),
                                       std::tuple(indexed[0], indexed[1], "indexed"),
                                       std::tuple(files[0], indexed[1], "plain and indexed")}) {
        ExpectSamePartition(Compare(dir, a, b, vcf::MatchMode::kNone).sites, isec,
                            what + ", A B, " + kind);
        ExpectSamePartition(Compare(dir, b, a, vcf::MatchMode::kNone).sites, Mirrored(isec),
                            what + ", B A, " + kind);
      }
    }
    ++case_number;
  }
}

// Shared contigs in opposite orders (e.g. one file sorted chr1, chr10, chr2 and the other chr1,
// chr2, chr10) cannot be paired in one pass front to back. Indexed files are then read contig by
// contig by their indexes, as isec reads them, and give isec's partition in both orders (bgzipped
// VCF with .tbi, BCF with .csi, and the switch happening after some contigs were compared);
// otherwise a clear error names both contigs.
TEST(IsecContigSets, ConflictingContigOrders) {
  TempDir dir;
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> orders = {
      {{"chr1", "chr2", "chr3"}, {"chr3", "chr9", "chr1"}},
      {{"chr1", "chr10", "chr2", "chr20"}, {"chr1", "chr2", "chr10", "chr11"}},
      {{"chr5", "chr1", "chr2", "chr3"}, {"chr3", "chr2", "chr1", "chr4"}},
  };
  int case_number = 0;
  for (const auto& [order_a, order_b] : orders) {
    std::vector<std::string> records[2];
    for (int f = 0; f < 2; ++f) {
      for (const auto& c : f == 0 ? order_a : order_b) {
        for (int pos = 100; pos <= 500; pos += 100) {
          records[f].push_back(c + " " + std::to_string(pos) + " A " + (pos == 300 ? (f ? "G" : "T") : "C"));
        }
      }
    }
    std::string plain[2], indexed[2], bcf[2];
    for (int f = 0; f < 2; ++f) {
      const std::string name = "conflict" + std::to_string(case_number) + (f ? "-b" : "-a");
      plain[f] = dir.File(name + ".vcf");
      testing::WriteFile(plain[f], ContigTestVcf(f == 0 ? order_a : order_b, records[f]));
      indexed[f] = Indexed(dir, plain[f], name);
      bcf[f] = dir.File(name + ".bcf");
      RunTool("bcftools", {"view", "--no-version", "-Ob", "-o", bcf[f], plain[f]});
      RunTool("bcftools", {"index", "-f", bcf[f]});
    }
    ++case_number;
    std::string what = "A:";
    for (const auto& c : order_a) what += " " + c;
    what += "; B:";
    for (const auto& c : order_b) what += " " + c;
    SCOPED_TRACE(what);
    const Partition isec = IsecListing(indexed[0], indexed[1], "none");
    for (const auto& [a, b, kind] : {std::tuple(indexed[0], indexed[1], "bgzipped, .tbi"),
                                     std::tuple(bcf[0], bcf[1], "BCF, .csi"),
                                     std::tuple(indexed[0], bcf[1], "both kinds")}) {
      const Compared ab = Compare(dir, a, b, vcf::MatchMode::kNone);
      ExpectSamePartition(ab.sites, isec, what + ", A B, " + kind);
      ExpectCounts(ab, isec, what + ", A B, " + kind);
      EXPECT_EQ(ab.result.records_a, records[0].size());
      EXPECT_EQ(ab.result.records_b, records[1].size());
      ExpectSamePartition(Compare(dir, b, a, vcf::MatchMode::kNone).sites, Mirrored(isec), what + ", B A, " + kind);
    }
    // One file without an index: an error naming the two contigs and the other file.
    for (const auto& [x, y] : {std::pair(plain[0], indexed[1]), std::pair(indexed[1], plain[0])}) {
      auto result = vcf::CompareFiles(x, y, vcf::CompareOptions{});
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.status().kind(), ErrorKind::kInvalidInput);
      EXPECT_NE(result.status().message().find("in this file, and after it in " + y), std::string::npos)
          << result.status().message();
      EXPECT_NE(result.status().message().find("bgzip and index both"), std::string::npos);
    }
  }
  // The first case by name: A has chr1 before chr3, B the other way round.
  auto result = vcf::CompareFiles(dir.File("conflict0-a.vcf"), dir.File("conflict0-b.vcf"), vcf::CompareOptions{});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("conflict0-a.vcf:6: contig 'chr1' comes before contig 'chr3' in "
                                           "this file, and after it in " + dir.File("conflict0-b.vcf")),
            std::string::npos)
      << result.status().message();
}

// ---- a real pair: the 1000 Genomes slice against a perturbed copy ------------------------------

vcf::GenotypeState StateOf(const std::string& gt) {
  std::vector<std::string> alleles;
  std::string allele;
  for (char c : gt) {
    if (c == '/' || c == '|') {
      alleles.push_back(allele);
      allele.clear();
    } else {
      allele += c;
    }
  }
  alleles.push_back(allele);
  for (const auto& a : alleles) {
    if (a == "." || a.empty()) return vcf::kMissingGenotype;
  }
  for (const auto& a : alleles) {
    if (a != alleles[0]) return vcf::kHet;
  }
  return alleles[0] == "0" ? vcf::kHomRef : vcf::kHomAlt;
}

// CHROM:POS:REF:ALT#occurrence -> GT per sample name, from `bcftools query`.
std::map<std::string, std::map<std::string, std::string>> Genotypes(const std::string& path) {
  const auto samples = Lines(RunTool("bcftools", {"query", "-l", path}));
  std::map<std::string, std::map<std::string, std::string>> by_site;
  std::map<std::string, int> seen;
  for (const auto& line : Lines(RunTool("bcftools", {"query", "-f", "%CHROM:%POS:%REF:%ALT[\t%GT]\n", path}))) {
    const auto f = Split(line, '\t');
    const std::string key = f[0] + "#" + std::to_string(seen[f[0]]++);
    auto& gts = by_site[key];
    for (size_t i = 0; i < samples.size() && i + 1 < f.size(); ++i) gts[samples[i]] = f[i + 1];
  }
  return by_site;
}

TEST(CompareRealData, ThousandGenomesSliceAgainstPerturbedCopy) {
  TempDir dir;
  const std::string slice =
      CorpusPath("vcflib/samples/1kg-phaseIII-v5a.20130502.genotypes.chr22-16-16.5mb.vcf.gz");
  auto samples = Lines(RunTool("bcftools", {"query", "-l", slice}));
  ASSERT_GE(samples.size(), 40u);
  samples.resize(40);
  std::string forward, backward;
  for (size_t i = 0; i < samples.size(); ++i) {
    forward += (i ? "," : "") + samples[i];
    backward += (i ? "," : "") + samples[samples.size() - 1 - i];
  }
  // A: 40 samples. B: the same samples in reverse order (matched by name), every 9th record
  // removed, every 50th with a different ALT, and genotypes of two samples changed on every 4th.
  const std::string a = dir.File("a.vcf.gz");
  RunTool("bcftools", {"view", "--no-version", "-s", forward, "-Oz", "-o", a, slice});
  RunTool("bcftools", {"index", "-f", a});
  const std::string b_text = RunTool("bcftools", {"view", "--no-version", "-s", backward, slice});
  std::string modified;
  int record = 0;
  for (const auto& line : Lines(b_text)) {
    if (line[0] == '#') {
      modified += line + "\n";
      continue;
    }
    ++record;
    if (record % 9 == 0) continue;
    auto f = Split(line, '\t');
    if (record % 50 == 0 && f[4].size() == 1 && f[3].size() == 1) {
      const std::string bases = "ACGT";
      for (char c : bases) {
        if (c != f[3][0] && c != f[4][0]) {
          f[4] = std::string(1, c);
          break;
        }
      }
    }
    if (record % 4 == 0) {
      for (size_t col : {9u, 12u}) {
        std::string& gt = f[col];
        gt = gt == "0|0" ? "0|1" : gt == "0|1" ? "1|1" : gt == "1|1" ? "./." : "0|0";
      }
    }
    std::string joined;
    for (size_t i = 0; i < f.size(); ++i) joined += (i ? "\t" : "") + f[i];
    modified += joined + "\n";
  }
  testing::WriteFile(dir.File("b.vcf"), modified);
  const std::string b = Indexed(dir, dir.File("b.vcf"), "b");

  for (const std::string mode_name : {"none", "some", "all"}) {
    vcf::MatchMode mode;
    ASSERT_TRUE(vcf::ParseMatchMode(mode_name, mode));
    Partition isec;
    size_t shared_b = 0;
    ASSERT_TRUE(IsecFiles(dir, a, b, mode_name, isec, shared_b));
    const Compared ours = Compare(dir, a, b, mode, /*write=*/true);
    ExpectSamePartition(ours.sites, isec, "1kg slice -c " + mode_name);
    ExpectSamePartition(ours.written, isec, "1kg slice -c " + mode_name + " (written)");
    ExpectCounts(ours, isec, "1kg slice -c " + mode_name);
    EXPECT_GT(isec.shared.size(), 5000u);
    EXPECT_GT(isec.a_only.size(), 500u);
  }

  // -r equals isec -r (records overlapping the regions).
  {
    const std::string regions = "22:16050000-16100000,22:16200000-16250000";
    const std::string out = dir.File("isec-regions");
    RunTool("bcftools", {"isec", "-r", regions, "-p", out, a, b});
    const Partition isec_r = {PlainVcfSites(out + "/0000.vcf"), PlainVcfSites(out + "/0001.vcf"),
                              PlainVcfSites(out + "/0002.vcf")};
    vcf::CompareOptions options;
    options.regions = {regions};
    const Compared ours = Compare(dir, a, b, vcf::MatchMode::kNone, false, false, options);
    ExpectSamePartition(ours.sites, isec_r, "1kg slice -r " + regions);
    EXPECT_GT(isec_r.shared.size(), 100u);
    EXPECT_LT(ours.result.records_a, 3000u);
  }

  // Concordance matrices computed independently from bcftools query output (exact matching).
  vcf::CompareOptions options;
  options.truth = vcf::TruthFile::kA;
  auto result = vcf::CompareFiles(a, b, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const auto ga = Genotypes(a), gb = Genotypes(b);
  std::map<std::string, std::array<std::array<uint64_t, 4>, 4>> expected;
  uint64_t shared = 0;
  for (const auto& [site, gts_a] : ga) {
    auto it = gb.find(site);
    if (it == gb.end()) continue;
    ++shared;
    for (const auto& [sample, gt] : gts_a) ++expected[sample][StateOf(gt)][StateOf(it->second.at(sample))];
  }
  EXPECT_EQ(result->shared.total(), shared);
  ASSERT_EQ(result->samples.size(), 40u);
  uint64_t discordant = 0;
  for (const auto& s : result->samples) {
    EXPECT_EQ(s.matrix, expected[s.sample]) << "sample " << s.sample;
    discordant += s.called_in_both() - (s.matrix[0][0] + s.matrix[1][1] + s.matrix[2][2]);
  }
  EXPECT_GT(discordant, 0u);  // the perturbation is visible
  // Truth A: every B record is in A or has a changed ALT, so precision counts the changed ALTs.
  EXPECT_EQ(result->snv.fp + result->indel.fp + result->b_only.other, result->b_only.total());
  EXPECT_EQ(result->snv.tp_truth + result->indel.tp_truth + result->shared.other, shared);
  EXPECT_LT(*result->snv.recall(), 0.95);
  EXPECT_GT(*result->snv.recall(), 0.8);
}

}  // namespace
}  // namespace vcfagent
