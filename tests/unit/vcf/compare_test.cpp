// Unit tests of vcf-agent compare on small inline files whose answers can be checked by hand:
// every matching mode, normalisation (checked against bcftools norm run here), genotype
// confusion matrices, precision/recall/F1, sortedness errors, regions and the CLI contract.
#include "vcf/compare.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "support/test_support.h"
#include "vcf/region.h"
#include "vcf/site_pairing.h"

namespace vcfagent::vcf {
namespace {

using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;

// A VCF with GT (and AD) FORMAT fields; `rows` use single spaces between columns.
std::string Vcf(const std::vector<std::string>& samples, const std::vector<std::string>& rows,
                const std::vector<std::string>& contigs = {"1", "2"}) {
  std::string text = "##fileformat=VCFv4.2\n";
  for (const auto& c : contigs) text += "##contig=<ID=" + c + ",length=1000>\n";
  text += "##INFO=<ID=END,Number=1,Type=Integer,Description=\"End\">\n";
  text += "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n";
  text += "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Depths\">\n";
  text += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO";
  if (!samples.empty()) text += "\tFORMAT";
  for (const auto& s : samples) text += "\t" + s;
  text += "\n";
  for (std::string row : rows) {
    std::replace(row.begin(), row.end(), ' ', '\t');
    text += row + "\n";
  }
  return text;
}

std::string Write(const TempDir& dir, const std::string& name, const std::string& content) {
  const std::string path = dir.File(name);
  testing::WriteFile(path, content);
  return path;
}

CompareResult MustCompare(const std::string& a, const std::string& b, const CompareOptions& options) {
  auto result = CompareFiles(a, b, options);
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? *result : CompareResult{};
}

struct Sites {
  std::vector<int64_t> a_only, b_only, shared;  // POS of each site, in output order
};

Sites SitesOf(const std::string& a, const std::string& b, MatchMode mode) {
  Sites sites;
  CompareOptions options;
  options.match = mode;
  options.on_site = [&](const bcf_hdr_t*, bcf1_t* ra, const bcf_hdr_t*, bcf1_t* rb) {
    if (ra && rb) sites.shared.push_back(ra->pos + 1);
    else if (ra) sites.a_only.push_back(ra->pos + 1);
    else sites.b_only.push_back(rb->pos + 1);
  };
  MustCompare(a, b, options);
  return sites;
}

using Positions = std::vector<int64_t>;

// ---- matching modes ---------------------------------------------------------------------------

class MatchModes : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = Write(dir_, "a.vcf", Vcf({}, {
        "1 100 rs1 A C . . .",       // identical in B
        "1 200 . A G . . .",         // B: another SNV
        "1 300 . AT A . . .",        // B: another deletion
        "1 400 . A C,G . . .",       // B: one of the two ALTs
        "1 500 . A C . . .",         // B: an indel
        "1 700 rs7 A C . . .",       // B: same alleles, another ID
    }));
    b_ = Write(dir_, "b.vcf", Vcf({}, {
        "1 100 rs1 A C . . .",
        "1 200 . A T . . .",
        "1 300 . ATT A . . .",
        "1 400 . A G . . .",
        "1 500 . AT A . . .",
        "1 700 rs8 A C . . .",
    }));
  }
  TempDir dir_;
  std::string a_, b_;
};

TEST_F(MatchModes, NoneRequiresIdenticalAlleles) {
  const Sites s = SitesOf(a_, b_, MatchMode::kNone);
  EXPECT_EQ(s.shared, (Positions{100, 700}));
  EXPECT_EQ(s.a_only, (Positions{200, 300, 400, 500}));
  EXPECT_EQ(s.b_only, (Positions{200, 300, 400, 500}));
}

TEST_F(MatchModes, SomeNeedsOneCommonAllele) {
  EXPECT_EQ(SitesOf(a_, b_, MatchMode::kSome).shared, (Positions{100, 400, 700}));
}

TEST_F(MatchModes, SnpsPairAnySnvs) {
  EXPECT_EQ(SitesOf(a_, b_, MatchMode::kSnps).shared, (Positions{100, 200, 400, 700}));
}

TEST_F(MatchModes, IndelsPairAnyIndels) {
  // 400 still pairs: a common allele is always enough outside the exact modes.
  EXPECT_EQ(SitesOf(a_, b_, MatchMode::kIndels).shared, (Positions{100, 300, 400, 700}));
}

TEST_F(MatchModes, BothPairSnvsWithSnvsAndIndelsWithIndels) {
  const Sites s = SitesOf(a_, b_, MatchMode::kBoth);
  EXPECT_EQ(s.shared, (Positions{100, 200, 300, 400, 700}));
  EXPECT_EQ(s.a_only, (Positions{500}));
}

TEST_F(MatchModes, AllPairsAnyRecordsAtOnePosition) {
  const Sites s = SitesOf(a_, b_, MatchMode::kAll);
  EXPECT_EQ(s.shared, (Positions{100, 200, 300, 400, 500, 700}));
  EXPECT_TRUE(s.a_only.empty());
  EXPECT_TRUE(s.b_only.empty());
}

TEST_F(MatchModes, IdRequiresTheSameIdToo) {
  const Sites s = SitesOf(a_, b_, MatchMode::kId);
  EXPECT_EQ(s.shared, (Positions{100}));
  EXPECT_EQ(s.a_only, (Positions{200, 300, 400, 500, 700}));
}

TEST_F(MatchModes, ClassCounts) {
  CompareOptions options;
  const CompareResult r = MustCompare(a_, b_, options);
  EXPECT_EQ(r.shared.snv, 2u);
  EXPECT_EQ(r.a_only.snv, 3u);    // 200, 400 (C,G), 500
  EXPECT_EQ(r.a_only.indel, 1u);  // 300
  EXPECT_EQ(r.b_only.snv, 2u);
  EXPECT_EQ(r.b_only.indel, 2u);
  EXPECT_EQ(r.records_a, 6u);
  EXPECT_EQ(r.records_b, 6u);
}

TEST(MatchModeNames, ParseAndName) {
  MatchMode mode;
  for (const char* name : {"none", "some", "all", "snps", "indels", "both", "id"}) {
    ASSERT_TRUE(ParseMatchMode(name, mode)) << name;
    EXPECT_EQ(MatchModeName(mode), name);
  }
  ASSERT_TRUE(ParseMatchMode("any", mode));
  EXPECT_EQ(mode, MatchMode::kAll);
  EXPECT_FALSE(ParseMatchMode("exact", mode));
}

TEST(Matching, DuplicateRecordsPairOneToOne) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 100 . A C . . .", "1 100 . A C . . .", "2 5 . G T . . ."}));
  const auto b = Write(dir, "b.vcf", Vcf({}, {"1 100 . A C . . .", "2 5 . G T . . ."}));
  const Sites s = SitesOf(a, b, MatchMode::kNone);
  EXPECT_EQ(s.shared, (Positions{100, 5}));
  EXPECT_EQ(s.a_only, (Positions{100}));
}

TEST(Matching, SymbolicAllelesDifferByEnd) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 10 . A <DEL> . . END=20", "1 10 . A <DEL> . . END=30"}));
  const auto b = Write(dir, "b.vcf", Vcf({}, {"1 10 . A <DEL> . . END=30"}));
  const Sites s = SitesOf(a, b, MatchMode::kNone);
  EXPECT_EQ(s.shared.size(), 1u);
  EXPECT_EQ(s.a_only.size(), 1u);
}

// ---- normalisation ----------------------------------------------------------------------------

constexpr const char* kReference = "ACGTACGTTTTTTGCAGGCATCGATCGAAGGCCTTAACCGGTTAAC";

std::string Query(const std::string& path, const std::string& format) {
  auto r = RunProgram("bcftools", {"query", "-f", format, path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(Normalize, SplitMultiallelicMatchesBiallelicRecords) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({"S1"}, {"1 3 . G T,C . . . GT:AD 1/2:1,2,3"}));
  const auto b = Write(dir, "b.vcf", Vcf({"S1"}, {"1 3 . G T . . . GT:AD 0/1:1,2", "1 3 . G C . . . GT:AD 0/1:1,3"}));
  CompareOptions options;
  CompareResult plain = MustCompare(a, b, options);
  EXPECT_EQ(plain.shared.total(), 0u);
  EXPECT_EQ(plain.a_only.total(), 1u);
  options.normalize = true;
  CompareResult split = MustCompare(a, b, options);
  EXPECT_EQ(split.shared.total(), 2u);
  EXPECT_EQ(split.a_only.total(), 0u);
  EXPECT_EQ(split.b_only.total(), 0u);
  ASSERT_EQ(split.samples.size(), 1u);
  EXPECT_EQ(split.samples[0].matrix[kHet][kHet], 2u);  // 1/2 -> 1/0 and 0/1
}

// Split and left-aligned records must be the ones bcftools norm -m -any -f writes.
TEST(Normalize, SameRecordsAsBcftoolsNorm) {
  TempDir dir;
  const auto fasta = Write(dir, "ref.fa", std::string(">1\n") + kReference + "\n");
  const auto input = Write(dir, "in.vcf", Vcf({"S1", "S2"}, {
      "1 3 . G T,C . . . GT:AD 1/2:1,2,3 0|2:4,5,6",
      "1 12 . TT T . . . GT:AD 0/1:1,2 1/1:3,4",
      "1 21 . TCGATCGA TCGA . . . GT:AD 0/1:1,2 1/1:3,4",
      "1 27 . GAA GAAA,G . . . GT:AD 1/2:1,2,3 ./.:.",
  }, {"1"}));
  auto norm = RunProgram("bcftools", {"norm", "-m", "-any", "-f", fasta, "-o", dir.File("norm.vcf"), input});
  ASSERT_EQ(norm.exit_code, 0) << norm.err;
  CompareOptions options;
  options.normalize = true;
  options.fasta = fasta;
  options.write_shared = dir.File("ours.vcf");
  const CompareResult r = MustCompare(input, input, options);
  EXPECT_EQ(r.shared.total(), 6u);
  EXPECT_TRUE(r.left_aligned);
  const std::string format = "%CHROM %POS %REF %ALT [ %GT:%AD]\n";
  const std::string expected = Query(dir.File("norm.vcf"), format);
  EXPECT_EQ(Query(options.write_shared, format), expected);
  EXPECT_NE(expected.find("1 7 GT G"), std::string::npos);  // the oracle did left-align
}

TEST(Normalize, LeftAlignMatchesShiftedIndel) {
  TempDir dir;
  const auto fasta = Write(dir, "ref.fa", std::string(">1\n") + kReference + "\n");
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 12 . TT T . . ."}, {"1"}));
  const auto b = Write(dir, "b.vcf", Vcf({}, {"1 7 . GT G . . ."}, {"1"}));
  CompareOptions options;
  options.normalize = true;
  EXPECT_EQ(MustCompare(a, b, options).shared.total(), 0u);
  options.fasta = fasta;
  const CompareResult r = MustCompare(a, b, options);
  EXPECT_EQ(r.shared.indel, 1u);
  EXPECT_EQ(r.a_only.total() + r.b_only.total(), 0u);
}

TEST(Normalize, ReferenceMismatchIsInvalidInput) {
  TempDir dir;
  const auto fasta = Write(dir, "ref.fa", std::string(">1\n") + kReference + "\n");
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 12 . GT G . . ."}, {"1"}));
  CompareOptions options;
  options.normalize = true;
  options.fasta = fasta;
  auto r = CompareFiles(a, a, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(r.status().message().find("a.vcf:"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("does not match the reference"), std::string::npos);
}

// ---- genotypes and accuracy -------------------------------------------------------------------

TEST(Concordance, ConfusionMatrixPerSampleByName) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({"S1", "S2"}, {
      "1 100 . A C . . . GT 0/0 0/1",
      "1 200 . A G . . . GT 1/1 ./.",
      "1 300 . A T . . . GT 0|1 1|1",
      "1 400 . A T . . . GT 0/1 0/0",  // only in A
  }));
  const auto b = Write(dir, "b.vcf", Vcf({"S2", "S1", "S3"}, {
      "1 100 . A C . . . GT 0/1 0/1 1/1",
      "1 200 . A G . . . GT 0/0 1/1 0/0",
      "1 300 . A T . . . GT 1/1 1/0 0/0",
  }));
  CompareOptions options;
  CompareResult r = MustCompare(a, b, options);
  ASSERT_EQ(r.samples.size(), 2u);
  const GenotypeConfusion& s1 = r.samples[0];
  const GenotypeConfusion& s2 = r.samples[1];
  EXPECT_EQ(s1.sample, "S1");
  EXPECT_EQ(s2.sample, "S2");
  EXPECT_EQ(s1.matrix[kHomRef][kHet], 1u);
  EXPECT_EQ(s1.matrix[kHomAlt][kHomAlt], 1u);
  EXPECT_EQ(s1.matrix[kHet][kHet], 1u);
  EXPECT_EQ(s1.called_in_both(), 3u);
  EXPECT_DOUBLE_EQ(*s1.concordance(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*s1.non_ref_concordance(), 2.0 / 3.0);
  EXPECT_EQ(s2.matrix[kHet][kHet], 1u);
  EXPECT_EQ(s2.matrix[kMissingGenotype][kHomRef], 1u);
  EXPECT_EQ(s2.matrix[kHomAlt][kHomAlt], 1u);
  EXPECT_DOUBLE_EQ(*s2.concordance(), 1.0);
  EXPECT_EQ(r.all_samples.called_in_both(), 5u);
  // Private sites enter the matrices only on request.
  options.absent_as_missing = true;
  r = MustCompare(a, b, options);
  EXPECT_EQ(r.samples[0].matrix[kHet][kMissingGenotype], 1u);
  EXPECT_EQ(r.samples[1].matrix[kHomRef][kMissingGenotype], 1u);
  EXPECT_EQ(r.samples[0].called_in_both(), 3u);
}

TEST(Concordance, NonRefConcordanceIgnoresRefRef) {
  GenotypeConfusion g;
  g.matrix[kHomRef][kHomRef] = 90;
  g.matrix[kHet][kHet] = 6;
  g.matrix[kHet][kHomRef] = 2;
  g.matrix[kHomAlt][kHet] = 2;
  EXPECT_DOUBLE_EQ(*g.concordance(), 0.96);
  EXPECT_DOUBLE_EQ(*g.non_ref_concordance(), 0.6);
  EXPECT_FALSE(GenotypeConfusion{}.concordance().has_value());
}

TEST(Accuracy, PrecisionRecallF1PerClass) {
  TempDir dir;
  // Truth: 4 SNVs, 2 indels. Query: 2 true SNVs + 1 false, 1 true indel + 1 false.
  const auto truth = Write(dir, "truth.vcf", Vcf({}, {
      "1 10 . A C . . .", "1 20 . A C . . .", "1 30 . A C . . .", "1 40 . A C . . .",
      "1 50 . AT A . . .", "1 60 . A AT . . ."}));
  const auto query = Write(dir, "query.vcf", Vcf({}, {
      "1 10 . A C . . .", "1 20 . A C . . .", "1 35 . A G . . .",
      "1 50 . AT A . . .", "1 65 . AG A . . ."}));
  CompareOptions options;
  options.truth = TruthFile::kA;
  CompareResult r = MustCompare(truth, query, options);
  EXPECT_EQ(r.snv.tp_truth, 2u);
  EXPECT_EQ(r.snv.fp, 1u);
  EXPECT_EQ(r.snv.fn, 2u);
  EXPECT_DOUBLE_EQ(*r.snv.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*r.snv.recall(), 0.5);
  EXPECT_NEAR(*r.snv.f1(), 4.0 / 7.0, 1e-12);
  EXPECT_DOUBLE_EQ(*r.indel.precision(), 0.5);
  EXPECT_DOUBLE_EQ(*r.indel.recall(), 0.5);
  EXPECT_DOUBLE_EQ(*r.indel.f1(), 0.5);
  // The same files with the truth on the other side swap FP and FN.
  options.truth = TruthFile::kB;
  r = MustCompare(query, truth, options);
  EXPECT_EQ(r.snv.fp, 1u);
  EXPECT_EQ(r.snv.fn, 2u);
  EXPECT_DOUBLE_EQ(*r.snv.recall(), 0.5);
}

// ---- input order --------------------------------------------------------------------------------

TEST(InputOrder, UnsortedPositionNamesFileAndLine) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 100 . A C . . ."}));
  const auto b = Write(dir, "b.vcf", Vcf({}, {"1 200 . A C . . .", "1 100 . A C . . ."}));
  auto r = CompareFiles(a, b, CompareOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidInput);
  // The header has 7 lines, so the second record is line 9.
  EXPECT_NE(r.status().message().find("b.vcf:9: the file is not sorted"), std::string::npos)
      << r.status().message();
}

TEST(InputOrder, ContigSplitIntoTwoBlocks) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 100 . A C . . .", "2 5 . A C . . .", "1 300 . A C . . ."}));
  auto r = CompareFiles(a, a, CompareOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("a.vcf:10"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("contig '1' appears again"), std::string::npos);
}

TEST(InputOrder, IncompatibleContigOrderBetweenFiles) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 100 . A C . . .", "2 5 . A C . . ."}));
  const auto b = Write(dir, "b.vcf", Vcf({}, {"2 5 . A C . . .", "1 100 . A C . . ."}, {"2", "1"}));
  // Both orders name the two contigs in conflict and the file that has them the other way round.
  for (const auto& [first, second, x, y] : {std::tuple(a, b, "1", "2"), std::tuple(b, a, "2", "1")}) {
    auto r = CompareFiles(first, second, CompareOptions{});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(r.status().message().find(first + ":8: contig '" + x + "' comes before contig '" + y +
                                         "' in this file, and after it in " + second),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("order their contigs differently"), std::string::npos);
  }
}

// Records on each contig: POS 100 in both files, POS 200 only in this file (ALT G in A, T in B).
// ##contig lines: none, or `header_contigs` if given, else the file's own.
std::string ContigsVcf(const std::vector<std::string>& contigs, bool is_a, bool contig_lines,
                       const std::vector<std::string>& header_contigs = {}) {
  std::vector<std::string> rows;
  for (const auto& c : contigs) {
    rows.push_back(c + " 100 . A C . . .");
    rows.push_back(c + " 200 . A " + (is_a ? "G" : "T") + " . . .");
  }
  return Vcf({}, rows, !contig_lines ? std::vector<std::string>{} : header_contigs.empty() ? contigs : header_contigs);
}

// The case and its relatives: files on different sets of contigs compare in both argument
// orders, with or without ##contig lines, and the answers are mirror images. Only the contig
// order the files share has to agree.
TEST(InputOrder, DifferentContigSetsCompareInBothOrders) {
  struct Case {
    std::vector<std::string> a, b;
    uint64_t shared_contigs;
  };
  const Case cases[] = {
      {{"chr1", "chr2", "chr3"}, {"chr1", "chr3", "chr4"}, 2},
      {{"chr1", "chr2"}, {"chr2", "chr3"}, 1},           // one contig in common
      {{"chrX", "chr2"}, {"chr2", "chrY"}, 1},
      {{"chr5", "chr1", "chr9"}, {"chr7", "chr1", "chr2"}, 1},
      {{"chr1", "chr5", "chr2", "chr6"}, {"chr7", "chr1", "chr2", "chr8"}, 2},
      {{"chr1"}, {"chr2"}, 0},
  };
  TempDir dir;
  for (const Case& c : cases) {
    for (bool contig_lines : {false, true}) {
      const auto a = Write(dir, "a.vcf", ContigsVcf(c.a, true, contig_lines));
      const auto b = Write(dir, "b.vcf", ContigsVcf(c.b, false, contig_lines));
      SCOPED_TRACE(testing::ReadFile(a) + testing::ReadFile(b));
      const CompareResult ab = MustCompare(a, b, CompareOptions{});
      const CompareResult ba = MustCompare(b, a, CompareOptions{});
      EXPECT_EQ(ab.shared.total(), c.shared_contigs);
      EXPECT_EQ(ab.a_only.total(), 2 * c.a.size() - c.shared_contigs);
      EXPECT_EQ(ab.b_only.total(), 2 * c.b.size() - c.shared_contigs);
      EXPECT_EQ(ba.shared.total(), ab.shared.total());
      EXPECT_EQ(ba.a_only.total(), ab.b_only.total());
      EXPECT_EQ(ba.b_only.total(), ab.a_only.total());
    }
  }
}

// One input on standard input cannot be read ahead; the file beside it can, which is enough.
TEST(InputOrder, DifferentContigSetsWithOneInputOnStdin) {
  TempDir dir;
  const std::string a_text = ContigsVcf({"chr1", "chr2", "chr3"}, true, false);
  const auto a = Write(dir, "a.vcf", a_text);
  const auto b = Write(dir, "b.vcf", ContigsVcf({"chr1", "chr3", "chr4"}, false, false));
  for (const auto& args : {std::vector<std::string>{"compare", "-", b, "--format", "json"},
                           std::vector<std::string>{"compare", b, "-", "--format", "json"}}) {
    auto run = RunVcfAgent(args, a_text);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_EQ(j["sites"]["shared"]["total"], 2);
    EXPECT_EQ(j["sites"][args[1] == "-" ? "a_only" : "b_only"]["total"], 4);
    EXPECT_EQ(j["sites"][args[1] == "-" ? "b_only" : "a_only"]["total"], 4);
  }
}

// Two pipes: neither can be read ahead, so the ##contig order decides: right when both files
// list the contigs in their common order, and when it cannot tell, an error that says so.
TEST(InputOrder, TwoPipesFallBackToTheHeaderOrder) {
  TempDir dir;
  const std::vector<std::string> all = {"chr1", "chr2", "chr3", "chr4"};
  const auto a = Write(dir, "a.vcf", ContigsVcf({"chr1", "chr2", "chr3"}, true, true, all));
  const auto b = Write(dir, "b.vcf", ContigsVcf({"chr1", "chr3", "chr4"}, false, true, all));
  const std::string binary = testing::BinaryPath();
  auto piped = [&](const std::string& x, const std::string& y) {
    return RunProgram("bash", {"-c", binary + " compare --format json <(cat " + x + ") <(cat " + y + ")"});
  };
  for (const auto& [x, y] : {std::pair(a, b), std::pair(b, a)}) {
    auto ok = piped(x, y);
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(nlohmann::json::parse(ok.out)["sites"]["shared"]["total"], 2);
  }
  // Each header lists only its own contigs: B's order puts chr3 before A's chr2, wrongly.
  const auto a2 = Write(dir, "a2.vcf", ContigsVcf({"chr1", "chr2", "chr3"}, true, true));
  const auto b2 = Write(dir, "b2.vcf", ContigsVcf({"chr1", "chr3", "chr4"}, false, true));
  auto guessed = piped(b2, a2);
  EXPECT_EQ(guessed.exit_code, 1);
  EXPECT_NE(guessed.err.find("contig 'chr3' comes after contigs that"), std::string::npos) << guessed.err;
  EXPECT_NE(guessed.err.find("neither input can be read twice (standard input or a pipe)"), std::string::npos);
  // The same files given by name compare.
  EXPECT_EQ(RunVcfAgent({"compare", b2, a2}).exit_code, 0);
}

TEST(Outputs, RecordWithoutItsSampleColumnsIsInvalidInput) {
  TempDir dir;
  // Samples declared, record without FORMAT/sample columns (as bcftools' isec-miss.2.3.vcf).
  const auto a = Write(dir, "a.vcf", Vcf({"S1"}, {"1 100 . A C . . ."}));
  CompareOptions options;
  options.write_shared = dir.File("shared.vcf");
  auto r = CompareFiles(a, a, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(r.status().message().find("has 0 sample column(s) but the header declares 1"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(std::filesystem::exists(options.write_shared));
  options.write_shared.clear();
  EXPECT_TRUE(CompareFiles(a, a, options).ok());  // comparing it is fine
}

// ---- regions ----------------------------------------------------------------------------------

// compare's -r uses the shared parser; record spans are 0-based half-open [pos, pos + rlen).
TEST(Regions, ParseAndOverlap) {
  auto regions = ParseRegionArguments({"1:100-200,2", "1:150-300", "3:50"});
  ASSERT_TRUE(regions.ok()) << regions.status().message();
  EXPECT_TRUE(regions->Overlaps("1", 99, 100));    // POS 100
  EXPECT_TRUE(regions->Overlaps("1", 299, 300));   // merged with 150-300
  EXPECT_FALSE(regions->Overlaps("1", 300, 301));
  EXPECT_TRUE(regions->Overlaps("1", 90, 101));    // a deletion reaching into the region
  EXPECT_TRUE(regions->Overlaps("2", 123456, 123457));
  EXPECT_TRUE(regions->Overlaps("3", 49, 50));
  EXPECT_FALSE(regions->Overlaps("3", 50, 51));
  EXPECT_FALSE(regions->Overlaps("4", 1, 2));
  for (const char* bad : {"1:0-5", "1:20-10", "1:x", ":5", "1:5-6,,2"}) {
    EXPECT_FALSE(ParseRegionArguments({bad}).ok()) << bad;
  }
}

TEST(Regions, RestrictTheComparison) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 95 . AAAAAAAA A . . .", "1 150 . A C . . .", "1 400 . A C . . ."}));
  const auto b = Write(dir, "b.vcf", Vcf({}, {"1 150 . A C . . .", "1 250 . A C . . .", "2 5 . A C . . ."}));
  CompareOptions options;
  options.regions = {"1:100-300"};
  const CompareResult r = MustCompare(a, b, options);
  EXPECT_EQ(r.shared.total(), 1u);
  EXPECT_EQ(r.a_only.total(), 1u);  // the deletion at 95 overlaps 100
  EXPECT_EQ(r.b_only.total(), 1u);  // 250
}

// ---- the command line -------------------------------------------------------------------------

TEST(CompareCommand, JsonReportAndOutputs) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({"S1"}, {"1 100 . A C . . . GT 0/1", "1 200 . A G . . . GT 1/1"}));
  const auto b = Write(dir, "b.vcf", Vcf({"S1"}, {"1 100 . A C . . . GT 1/1", "1 300 . AT A . . . GT 0/1"}));
  auto run = RunVcfAgent({"compare", a, b, "--format", "json", "--truth", "A", "-o", dir.File("report.json"),
                          "--write-private-a", dir.File("pa.vcf.gz"), "--write-private-b", dir.File("pb.vcf"),
                          "--write-shared", dir.File("shared.vcf")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(testing::ReadFile(dir.File("report.json")));
  EXPECT_EQ(j["match"], "none");
  EXPECT_EQ(j["sites"]["shared"]["total"], 1);
  EXPECT_EQ(j["sites"]["a_only"]["snv"], 1);
  EXPECT_EQ(j["sites"]["b_only"]["indel"], 1);
  EXPECT_EQ(j["genotypes"]["samples"][0]["sample"], "S1");
  EXPECT_EQ(j["genotypes"]["samples"][0]["matrix"]["het"]["hom_alt"], 1);
  EXPECT_EQ(j["genotypes"]["overall"]["concordance"], 0.0);
  EXPECT_EQ(j["metrics"]["snv"]["tp"], 1);
  EXPECT_EQ(j["metrics"]["snv"]["fn"], 1);
  EXPECT_EQ(j["metrics"]["indel"]["precision"], 0.0);
  EXPECT_EQ(Query(dir.File("pa.vcf.gz"), "%POS\n"), "200\n");
  EXPECT_EQ(Query(dir.File("pb.vcf"), "%POS\n"), "300\n");
  EXPECT_EQ(Query(dir.File("shared.vcf"), "%POS [%GT]\n"), "100 0/1\n");
  // bgzip for .gz
  const std::string gz = testing::ReadFile(dir.File("pa.vcf.gz"));
  ASSERT_GE(gz.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
}

TEST(CompareCommand, TextReport) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 100 . A C . . ."}));
  auto run = RunVcfAgent({"compare", a, a, "-c", "all"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("match: all"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("shared"), std::string::npos);
}

TEST(CompareCommand, ExitCodes) {
  TempDir dir;
  const auto a = Write(dir, "a.vcf", Vcf({}, {"1 100 . A C . . ."}));
  const auto unsorted = Write(dir, "u.vcf", Vcf({}, {"1 100 . A C . . .", "1 50 . A C . . ."}));
  EXPECT_EQ(RunVcfAgent({"compare", a, a, "--match", "exact"}).exit_code, 2);
  EXPECT_EQ(RunVcfAgent({"compare", a, a, "--truth", "C"}).exit_code, 2);
  EXPECT_EQ(RunVcfAgent({"compare", a, a, "--fasta", dir.File("x.fa")}).exit_code, 2);
  EXPECT_EQ(RunVcfAgent({"compare", a, dir.File("missing.vcf")}).exit_code, 2);
  auto bad = RunVcfAgent({"compare", a, unsorted, "--write-shared", dir.File("s.vcf"), "-o", dir.File("r.txt")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("vcf-agent compare: " + unsorted + ":9: the file is not sorted"), std::string::npos)
      << bad.err;
  // No partial outputs.
  EXPECT_FALSE(std::filesystem::exists(dir.File("s.vcf")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("r.txt")));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace vcfagent::vcf
