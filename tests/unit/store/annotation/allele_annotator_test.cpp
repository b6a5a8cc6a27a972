// AlleleAnnotator against bcftools: every allele bcftools query lists in the ClinVar slice (and in
// its multiallelic merge, and in a Number=A database split by bcftools norm) must be found with
// the values bcftools prints, however the allele is padded or the chromosome named.
#include "store/annotation/allele_annotator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "support/test_support.h"

namespace vcfagent::store {
namespace {

using testing::CorpusPath;
using testing::RunProgram;
using testing::TempDir;

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

// bcftools query rows: CHROM POS REF ALT then the fields.
std::vector<std::vector<std::string>> Query(const std::string& path,
                                            const std::vector<std::string>& fields,
                                            const std::string& pre = "") {
  std::string format = "%CHROM\\t%POS\\t%REF\\t%ALT";
  for (const auto& f : fields) format += "\\t%" + f;
  format += "\\n";
  const std::string command = pre.empty() ? "bcftools query -f '" + format + "' '" + path + "'"
                                          : pre + " | bcftools query -f '" + format + "'";
  auto result = RunProgram("sh", {"-c", command});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : Split(result.out, '\n')) rows.push_back(Split(line, '\t'));
  return rows;
}

std::map<std::string, std::string> AsMap(const AnnotationFields& fields) {
  return {fields.begin(), fields.end()};
}

void ExpectFields(const std::optional<AnnotationFields>& found, const std::vector<std::string>& row,
                  const std::vector<std::string>& names, const std::string& where) {
  ASSERT_TRUE(found.has_value()) << where;
  const auto map = AsMap(*found);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& expected = row[4 + i];
    auto it = map.find(names[i]);
    if (expected == ".") {
      EXPECT_EQ(it, map.end()) << where << " " << names[i];
    } else {
      ASSERT_NE(it, map.end()) << where << " " << names[i];
      EXPECT_EQ(it->second, expected) << where << " " << names[i];
    }
  }
}

const std::string kClinVar = "slivar/tests/clinvar_20191007.vcf.gz";

TEST(AlleleAnnotator, ClinVarAllelesMatchBcftoolsQueryHoweverPadded) {
  const std::string path = CorpusPath(kClinVar);
  auto annotator = AlleleAnnotator::Open(path);
  ASSERT_TRUE(annotator.ok()) << annotator.status().message();
  EXPECT_EQ(annotator->source_name(), "clinvar_20191007");
  EXPECT_EQ(annotator->fields(), kDefaultClinVarFields);
  const auto rows = Query(path, kDefaultClinVarFields);
  ASSERT_GT(rows.size(), 50u);
  EXPECT_EQ(annotator->allele_count(), rows.size());
  size_t indels = 0;
  for (const auto& row : rows) {
    const std::string& chrom = row[0];
    const int64_t pos = std::stoll(row[1]);
    const std::string &ref = row[2], &alt = row[3];
    const std::string where = chrom + ":" + row[1] + " " + ref + ">" + alt;
    ExpectFields(annotator->Lookup(chrom, pos, ref, alt), row, kDefaultClinVarFields, where);
    ExpectFields(annotator->Lookup("chr" + chrom, pos, ref, alt), row, kDefaultClinVarFields,
                 where + " chr");
    ExpectFields(annotator->Lookup(chrom, pos - 1, "C" + ref, "C" + alt), row,
                 kDefaultClinVarFields, where + " left-padded");
    ExpectFields(annotator->Lookup(chrom, pos, ref + "GA", alt + "GA"), row, kDefaultClinVarFields,
                 where + " right-padded");
    indels += ref.size() != alt.size();
    // A different ALT at the same place is not this allele.
    EXPECT_FALSE(annotator->Lookup(chrom, pos, ref, alt + "T").has_value()) << where;
  }
  EXPECT_GE(indels, 3u);
  EXPECT_FALSE(annotator->Lookup("22", 1, "A", "C").has_value());
}

// ClinVar records at the same position merged into multiallelic records by bcftools norm -m+any.
TEST(AlleleAnnotator, MultiallelicRecordsAreSplit) {
  TempDir dir;
  const std::string merged = dir.File("merged.vcf.gz");
  // The slice has no ##contig lines, which bcftools norm needs to write: add them first.
  const std::string in = "zcat '" + CorpusPath(kClinVar) + "'";
  auto norm = RunProgram(
      "sh", {"-c", "(" + in + " | grep '^##'; " + in +
                       " | grep -v '^#' | cut -f1 | sort -u | sed 's/.*/##contig=<ID=&>/'; " + in +
                       " | grep -v '^##') | bcftools norm -m+any -Oz -o '" + merged + "'"});
  ASSERT_EQ(norm.exit_code, 0) << norm.err;
  auto multi =
      RunProgram("sh", {"-c", "bcftools view -H '" + merged + "' | awk '$5 ~ /,/' | wc -l"});
  ASSERT_GT(std::stoi(multi.out), 0) << "the merge made no multiallelic record";
  auto annotator = AlleleAnnotator::Open(merged);
  ASSERT_TRUE(annotator.ok()) << annotator.status().message();
  const auto rows = Query(CorpusPath(kClinVar), {"CLNSIG", "GENEINFO"});
  for (const auto& row : rows) {
    const std::string where = row[0] + ":" + row[1] + " " + row[2] + ">" + row[3];
    auto found = annotator->Lookup(row[0], std::stoll(row[1]), row[2], row[3]);
    ASSERT_TRUE(found.has_value()) << where;
    const auto map = AsMap(*found);
    EXPECT_EQ(map.at("GENEINFO"), row[5]) << where;
  }
}

// Number=A fields keep each ALT's own value: compare with bcftools norm -m-any, which splits
// them the same way. The first record of a repeated allele wins.
TEST(AlleleAnnotator, NumberAFieldsFollowTheirAllele) {
  const std::string path = CorpusPath("vcfanno/tests/multiple-alts/ma-db.vcf.gz");
  auto annotator = AlleleAnnotator::Open(path, {"AF", "STR"});
  ASSERT_TRUE(annotator.ok()) << annotator.status().message();
  EXPECT_EQ(annotator->source_name(), "ma-db");
  const auto rows = Query("", {"AF", "STR"}, "bcftools norm -m-any '" + path + "' 2>/dev/null");
  ASSERT_GT(rows.size(), 8u);
  std::set<std::string> seen;
  size_t checked = 0;
  for (const auto& row : rows) {
    const std::string where = row[0] + ":" + row[1] + " " + row[2] + ">" + row[3];
    const MinimalAllele key = MinimalRepresentation(std::stoll(row[1]), row[2], row[3]);
    if (!seen.insert(row[0] + ":" + std::to_string(key.pos) + key.ref + ">" + key.alt).second)
      continue;
    auto found = annotator->Lookup(row[0], std::stoll(row[1]), row[2], row[3]);
    ASSERT_TRUE(found.has_value()) << where;
    const auto map = AsMap(*found);
    if (row[4] != ".") {
      ASSERT_TRUE(map.count("AF")) << where;
      EXPECT_NEAR(std::stod(map.at("AF")), std::stod(row[4]), 1e-6 * std::stod(row[4])) << where;
    }
    if (row[5] != ".") {
      ASSERT_TRUE(map.count("STR")) << where;
      EXPECT_EQ(map.at("STR"), row[5]) << where;
    }
    ++checked;
  }
  EXPECT_GT(checked, 8u);
}

TEST(AlleleAnnotator, MinimalRepresentation) {
  auto expect = [](int64_t pos, const char* ref, const char* alt, int64_t want_pos,
                   const char* want_ref, const char* want_alt) {
    const MinimalAllele m = MinimalRepresentation(pos, ref, alt);
    EXPECT_EQ(m.pos, want_pos) << ref << ">" << alt;
    EXPECT_EQ(m.ref, want_ref) << ref << ">" << alt;
    EXPECT_EQ(m.alt, want_alt) << ref << ">" << alt;
  };
  expect(100, "ATT", "A", 100, "ATT", "A");
  expect(100, "ATTG", "AG", 100, "ATT", "A");
  expect(99, "CATT", "CA", 100, "ATT", "A");
  expect(100, "ctg", "cag", 101, "T", "A");  // upper-cased, MNV trimmed to the SNV
  expect(100, "TATATA", "AATATA", 100, "T", "A");
  expect(100, "A", "<DEL>", 100, "A", "<DEL>");  // symbolic: as written
}

TEST(AlleleAnnotator, ClinicalSignificanceClasses) {
  EXPECT_EQ(ClinicalSignificanceClass("Pathogenic"), "pathogenic");
  EXPECT_EQ(ClinicalSignificanceClass("Pathogenic/Likely_pathogenic"), "pathogenic");
  EXPECT_EQ(ClinicalSignificanceClass("Pathogenic,_low_penetrance"), "pathogenic");
  EXPECT_EQ(ClinicalSignificanceClass("Likely_pathogenic"), "likely-pathogenic");
  EXPECT_EQ(ClinicalSignificanceClass("Uncertain_significance"), "uncertain");
  EXPECT_EQ(ClinicalSignificanceClass("Likely_benign"), "likely-benign");
  EXPECT_EQ(ClinicalSignificanceClass("Benign"), "benign");
  EXPECT_EQ(ClinicalSignificanceClass("Benign/Likely_benign"), "benign");
  EXPECT_EQ(ClinicalSignificanceClass("Conflicting_interpretations_of_pathogenicity"),
            "conflicting");
  EXPECT_EQ(ClinicalSignificanceClass("Conflicting_classifications_of_pathogenicity"),
            "conflicting");
  EXPECT_EQ(ClinicalSignificanceClass("risk_factor|Likely_pathogenic"), "likely-pathogenic");
  EXPECT_EQ(ClinicalSignificanceClass("Uncertain_significance,_risk_factor"), "uncertain");
  EXPECT_EQ(ClinicalSignificanceClass("drug_response"), "other");
  EXPECT_EQ(ClinicalSignificanceClass("not_provided"), "other");
  EXPECT_EQ(ClinicalSignificanceClass(""), "other");
}

TEST(AlleleAnnotator, ErrorsAreClear) {
  auto unknown = AlleleAnnotator::Open(CorpusPath(kClinVar), {"CLNSIG", "NOT_A_FIELD"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(unknown.status().message().find("INFO/NOT_A_FIELD is not defined"), std::string::npos);

  auto not_clinvar = AlleleAnnotator::Open(CorpusPath("vcfanno/tests/multiple-alts/ma-db.vcf.gz"));
  ASSERT_FALSE(not_clinvar.ok());
  EXPECT_NE(not_clinvar.status().message().find("none of the default ClinVar fields"),
            std::string::npos);

  auto missing = AlleleAnnotator::Open("/nonexistent/clinvar.vcf.gz");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("clinvar.vcf.gz"), std::string::npos);

  TempDir dir;
  testing::WriteFile(dir.File("bad.vcf"),
                     "##fileformat=VCFv4.2\n##contig=<ID=1>\n"
                     "##INFO=<ID=CLNSIG,Number=.,Type=String,Description=\"x\">\n"
                     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                     "1\t10\t.\tA\tG\t.\t.\tCLNSIG=Benign\n"
                     "1\tten\t.\tA\tG\t.\t.\tCLNSIG=Benign\n");
  auto bad = AlleleAnnotator::Open(dir.File("bad.vcf"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.vcf:6"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace vcfagent::store
