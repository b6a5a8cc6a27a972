// GeneIntervals against tabix: the same BED, GFF3 and GTF files, bgzipped and indexed, queried
// for the same 1-based regions must name the same genes.
#include "store/annotation/gene_intervals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "support/test_support.h"

namespace vcfagent::store {
namespace {

using testing::RunProgram;
using testing::TempDir;
using testing::WriteFile;

struct Gene {
  std::string chrom;
  int64_t start1, end1;
  std::string name;
};

// Deterministic genes on two chromosomes: nested, overlapping, touching and single-base ones.
std::vector<Gene> MakeGenes() {
  std::vector<Gene> genes = {
      {"chr1", 100, 200, "G_A"},   {"chr1", 150, 160, "G_NESTED"},  {"chr1", 200, 300, "G_TOUCH"},
      {"chr1", 301, 301, "G_ONE"}, {"chr1", 5000, 90000, "G_LONG"}, {"chrM", 1, 500, "G_MITO"},
  };
  std::mt19937 rng(12345);
  for (int i = 0; i < 300; ++i) {
    const std::string chrom = i % 3 == 0 ? "chr2" : "chr1";
    const int64_t start = 1 + rng() % 100000;
    const int64_t length = (i % 17 == 0) ? 1 + rng() % 20000 : 1 + rng() % 800;
    genes.push_back({chrom, start, start + length - 1, "GENE" + std::to_string(i)});
  }
  std::sort(genes.begin(), genes.end(), [](const Gene& a, const Gene& b) {
    return std::tie(a.chrom, a.start1) < std::tie(b.chrom, b.start1);
  });
  return genes;
}

std::string Gff3Text(const std::vector<Gene>& genes) {
  std::ostringstream out;
  out << "##gff-version 3\n";
  for (const Gene& g : genes) {
    out << g.chrom << "\tsrc\tgene\t" << g.start1 << '\t' << g.end1
        << "\t.\t+\t.\tID=gene:" << g.name << ";Name=" << g.name << ";biotype=protein_coding\n";
    // Transcript and exon lines must not become genes.
    out << g.chrom << "\tsrc\tmRNA\t" << g.start1 << '\t' << g.end1 << "\t.\t+\t.\tID=tx:" << g.name
        << ";Parent=gene:" << g.name << ";Name=" << g.name << "-201\n";
  }
  return out.str();
}

std::string GtfText(const std::vector<Gene>& genes) {
  std::ostringstream out;
  out << "#!genome-build test\n";
  for (const Gene& g : genes) {
    out << g.chrom << "\tsrc\tgene\t" << g.start1 << '\t' << g.end1 << "\t.\t-\t.\tgene_id \"ID"
        << g.name << "\"; gene_name \"" << g.name << "\"; gene_biotype \"protein_coding\";\n";
    out << g.chrom << "\tsrc\texon\t" << g.start1 << '\t' << g.end1 << "\t.\t-\t.\tgene_id \"ID"
        << g.name << "\"; transcript_id \"T" << g.name << "\"; gene_name \"" << g.name << "X\";\n";
  }
  return out.str();
}

std::string BedText(const std::vector<Gene>& genes) {
  std::ostringstream out;
  out << "#chrom\tstart\tend\tname\n";
  for (const Gene& g : genes)
    out << g.chrom << '\t' << g.start1 - 1 << '\t' << g.end1 << '\t' << g.name << "\t0\t+\n";
  return out.str();
}

// bgzip + tabix index of `text`; returns the .gz path.
std::string Indexed(const TempDir& dir, const std::string& name, const std::string& text,
                    const std::string& preset) {
  const std::string path = dir.File(name);
  WriteFile(path, text);
  auto zipped = RunProgram("bgzip", {"-f", path});
  EXPECT_EQ(zipped.exit_code, 0) << zipped.err;
  auto indexed = RunProgram("tabix", {"-f", "-p", preset, path + ".gz"});
  EXPECT_EQ(indexed.exit_code, 0) << indexed.err;
  return path + ".gz";
}

// Gene names tabix reports for a 1-based region; `name_of` extracts the name from a line.
template <typename NameOf>
std::set<std::string> TabixNames(const std::string& path, const std::string& region,
                                 NameOf name_of) {
  auto result = RunProgram("tabix", {path, region});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::set<std::string> names;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::string name = name_of(line);
    if (!name.empty()) names.insert(name);
  }
  return names;
}

std::vector<std::string> Field(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  std::string f;
  while (std::getline(in, f, '\t')) fields.push_back(f);
  return fields;
}

// Regions at and around every boundary of the first genes, plus random ones.
std::vector<std::tuple<std::string, int64_t, int64_t>> Queries(const std::vector<Gene>& genes) {
  std::vector<std::tuple<std::string, int64_t, int64_t>> queries;
  for (size_t i = 0; i < genes.size(); i += 9) {
    const Gene& g = genes[i];
    for (int64_t b : {g.start1, g.end1}) {
      queries.emplace_back(g.chrom, b - 1, b - 1);
      queries.emplace_back(g.chrom, b, b);
      queries.emplace_back(g.chrom, b + 1, b + 1);
    }
  }
  std::mt19937 rng(99);
  for (int i = 0; i < 40; ++i) {
    const int64_t start = 1 + rng() % 100000;
    queries.emplace_back(i % 2 ? "chr1" : "chr2", start, start + rng() % 3000);
  }
  for (int64_t p : {99, 100, 160, 200, 201, 300, 301, 302}) queries.emplace_back("chr1", p, p);
  queries.emplace_back("chrM", 500, 501);
  return queries;
}

template <typename NameOf>
void ExpectSameAsTabix(const GeneIntervals& genes, const std::string& indexed,
                       const std::vector<Gene>& truth, NameOf name_of) {
  size_t non_empty = 0;
  for (const auto& [chrom, start, end] : Queries(truth)) {
    const std::string region = chrom + ":" + std::to_string(start) + "-" + std::to_string(end);
    const std::set<std::string> expected = TabixNames(indexed, region, name_of);
    // Ask with the other naming convention: "chr1" in the file, "1" in the query.
    const auto ours_views = genes.Overlapping(chrom == "chrM" ? "MT" : chrom.substr(3), start, end);
    const std::set<std::string> ours(ours_views.begin(), ours_views.end());
    EXPECT_EQ(ours.size(), ours_views.size()) << region << ": names repeated";
    EXPECT_EQ(ours, expected) << region;
    non_empty += !expected.empty();
  }
  EXPECT_GT(non_empty, 50u);
}

TEST(GeneIntervals, Gff3MatchesTabix) {
  TempDir dir;
  const auto truth = MakeGenes();
  const std::string indexed = Indexed(dir, "genes.gff3", Gff3Text(truth), "gff");
  auto genes = GeneIntervals::Load(indexed);
  ASSERT_TRUE(genes.ok()) << genes.status().message();
  EXPECT_EQ(genes->size(), truth.size());
  EXPECT_EQ(genes->format(), GeneFileFormat::kGff3);
  ExpectSameAsTabix(*genes, indexed, truth, [](const std::string& line) -> std::string {
    auto f = Field(line);
    if (f.size() < 9 || f[2] != "gene") return "";
    const size_t at = f[8].find("Name=");
    return f[8].substr(at + 5, f[8].find(';', at) - at - 5);
  });
}

TEST(GeneIntervals, GtfMatchesTabix) {
  TempDir dir;
  const auto truth = MakeGenes();
  const std::string indexed = Indexed(dir, "genes.gtf", GtfText(truth), "gff");
  auto genes = GeneIntervals::Load(indexed);
  ASSERT_TRUE(genes.ok()) << genes.status().message();
  EXPECT_EQ(genes->size(), truth.size());
  ExpectSameAsTabix(*genes, indexed, truth, [](const std::string& line) -> std::string {
    auto f = Field(line);
    if (f.size() < 9 || f[2] != "gene") return "";
    const size_t at = f[8].find("gene_name \"");
    return f[8].substr(at + 11, f[8].find('"', at + 11) - at - 11);
  });
}

TEST(GeneIntervals, BedMatchesTabix) {
  TempDir dir;
  const auto truth = MakeGenes();
  const std::string indexed = Indexed(dir, "genes.bed", BedText(truth), "bed");
  auto genes = GeneIntervals::Load(indexed);
  ASSERT_TRUE(genes.ok()) << genes.status().message();
  EXPECT_EQ(genes->size(), truth.size());
  ExpectSameAsTabix(*genes, indexed, truth,
                    [](const std::string& line) { return Field(line).at(3); });
}

TEST(GeneIntervals, BoundariesAndChromosomeNames) {
  TempDir dir;
  WriteFile(dir.File("g.bed"),
            "track name=genes\nbrowser position chr1:1-100\n1\t99\t200\tA\n1 199 200 "
            "B\nMT\t0\t10\tMITO\n");
  auto genes = GeneIntervals::Load(dir.File("g.bed"));
  ASSERT_TRUE(genes.ok()) << genes.status().message();
  using V = std::vector<std::string_view>;
  EXPECT_EQ(genes->Overlapping("chr1", 99, 99), V{});  // BED start 99 is base 100
  EXPECT_EQ(genes->Overlapping("chr1", 100, 100), V{"A"});
  EXPECT_EQ(genes->Overlapping("1", 200, 200), (V{"A", "B"}));
  EXPECT_EQ(genes->Overlapping("1", 201, 500), V{});
  EXPECT_EQ(genes->Overlapping("chrM", 10, 10), V{"MITO"});
  EXPECT_EQ(genes->Overlapping("M", 11, 11), V{});
  EXPECT_EQ(genes->Overlapping("chr9", 1, 1000000), V{});
}

TEST(GeneIntervals, Gff3NamesFallBackAndFastaEndsFeatures) {
  TempDir dir;
  WriteFile(dir.File("g.gff"),
            "##gff-version 3\n"
            "1\ts\tgene\t10\t20\t.\t+\t.\tID=gene:ENSG1;gene_name=GN1\n"
            "1\ts\tncRNA_gene\t30\t40\t.\t+\t.\tID=gene:ENSG2\n"
            "1\ts\tgene\t50\t60\t.\t+\t.\tID=g3;Name=A%2CB\n"
            "##FASTA\n>1\nACGT\n");
  auto genes = GeneIntervals::Load(dir.File("g.gff"));
  ASSERT_TRUE(genes.ok()) << genes.status().message();
  using V = std::vector<std::string_view>;
  EXPECT_EQ(genes->Overlapping("1", 1, 100), (V{"GN1", "ENSG2", "A,B"}));
}

TEST(GeneIntervals, GtfWithoutGeneLinesUsesTranscriptSpans) {
  TempDir dir;
  WriteFile(dir.File("g.gtf"),
            "1\ts\texon\t100\t200\t.\t+\t.\tgene_id \"E1\"; gene_name \"ONE\";\n"
            "1\ts\texon\t300\t400\t.\t+\t.\tgene_id \"E1\"; gene_name \"ONE\";\n"
            "1\ts\ttranscript\t1000\t1100\t.\t+\t.\tgene_id \"E2\";\n");
  // Plain gzip (not BGZF) must load too.
  ASSERT_EQ(RunProgram("gzip", {"-f", dir.File("g.gtf")}).exit_code, 0);
  auto genes = GeneIntervals::Load(dir.File("g.gtf.gz"));
  ASSERT_TRUE(genes.ok()) << genes.status().message();
  using V = std::vector<std::string_view>;
  EXPECT_EQ(genes->Overlapping("1", 250, 250), V{"ONE"});  // between the exons, inside the gene
  EXPECT_EQ(genes->Overlapping("1", 1100, 1200), V{"E2"});
}

// Real GENCODE-style GTF from bcftools' tests: its gene lines win over transcripts and exons.
TEST(GeneIntervals, LoadsBcftoolsTestGtf) {
  const std::string path = testing::CorpusPath("bcftools/test/ex1.gtf.gz");
  auto genes = GeneIntervals::Load(path);
  ASSERT_TRUE(genes.ok()) << genes.status().message();
  auto grep = RunProgram("sh", {"-c", "zcat '" + path + "' | awk -F'\\t' '$3==\"gene\"' | wc -l"});
  EXPECT_EQ(std::to_string(genes->size()) + "\n", grep.out);
  EXPECT_EQ(genes->Overlapping("1", 1737, 1737), std::vector<std::string_view>{"RP11-34P13.1"});
}

TEST(GeneIntervals, ErrorsNameFileLineAndColumn) {
  TempDir dir;
  auto expect_error = [&](const std::string& name, const std::string& text,
                          const std::string& part) {
    WriteFile(dir.File(name), text);
    auto genes = GeneIntervals::Load(dir.File(name));
    ASSERT_FALSE(genes.ok()) << name;
    EXPECT_NE(genes.status().message().find(part), std::string::npos) << genes.status().message();
  };
  expect_error("a.txt", "x", "unknown gene annotation format");
  expect_error("b.gff3", "##gff-version 3\n1\ts\tgene\t10\t20\t.\t+\t.\n",
               "b.gff3:2: expected 9 tab-separated columns, found 8");
  expect_error("c.gff3", "1\ts\tgene\tten\t20\t.\t+\t.\tID=x\n", "c.gff3:1: column 4 (start)");
  expect_error("d.gtf", "\n1\ts\tgene\t30\t20\t.\t+\t.\tgene_id \"x\";\n",
               "d.gtf:2: column 5 (end)");
  expect_error("e.bed", "1\t10\t20\n", "e.bed:1: expected at least 4 columns");
  expect_error("f.bed", "1\t-5\t20\tG\n", "f.bed:1: column 2 (start)");
  expect_error("g.gff3", "1\ts\tgene\t1\t2\t.\t+\t.\tbiotype=x\n", "g.gff3:1: column 9");
  auto missing = GeneIntervals::Load(dir.File("absent.bed"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kIo);
  EXPECT_NE(missing.status().message().find("absent.bed: cannot open file: No such file"),
            std::string::npos);
  std::filesystem::create_directory(dir.File("folder.bed"));
  auto directory = GeneIntervals::Load(dir.File("folder.bed"));
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.status().message().find("is a directory"), std::string::npos);
  EXPECT_EQ(GeneIntervals::Load(dir.File("a.txt")).status().kind(), ErrorKind::kUsage);
}

// Not a pass/fail gate (machines are shared); prints the lookup rate for the report.
TEST(GeneIntervals, LookupRate) {
  TempDir dir;
  std::ostringstream bed;
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int64_t start = rng() % 250000000;
    bed << "chr" << (1 + i % 22) << '\t' << start << '\t' << start + 1000 + rng() % 100000 << "\tG"
        << i << '\n';
  }
  WriteFile(dir.File("big.bed"), bed.str());
  auto genes = GeneIntervals::Load(dir.File("big.bed"));
  ASSERT_TRUE(genes.ok());
  const int lookups = 300000;
  size_t hits = 0;
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < lookups; ++i) {
    const int64_t pos = rng() % 250000000;
    hits += genes->Overlapping(std::to_string(1 + i % 22), pos, pos).size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::printf("GeneIntervals: %d lookups on 20,000 genes in %.3f s (%.0f lookups/s, %zu hits)\n",
              lookups, seconds, lookups / seconds, hits);
  EXPECT_GT(hits, 0u);
}

}  // namespace
}  // namespace vcfagent::store
