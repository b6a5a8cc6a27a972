// The validator against EBI vcf-validator 0.10.2 (oracles/vcf-validator-0.10.2/results.tsv): the
// same verdict on every file of its conformance suite (with and without --require-evidence), the
// same verdict on the rest of the corpus (bcftools, htslib, vcflib, slivar, vcfanno test files)
// except for the documented differences below, and the same first error line where the oracle's
// first error is a kind of check we can name.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "vcf/validate/validator.h"

namespace vcfagent::vcf {
namespace {

struct OracleRow {
  std::string path;
  bool require_evidence = false;
  bool valid = false;
  std::string first_error;  // "Error: <message>. This occurs N time(s), first time in line L."
};

std::vector<OracleRow> ReadOracle() {
  std::ifstream in(testing::CorpusPath("oracles/vcf-validator-0.10.2/results.tsv"));
  std::vector<OracleRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("path\t", 0) == 0) continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 4) continue;
    OracleRow row;
    row.path = cols[0];
    row.require_evidence = cols[1] == "1";
    row.valid = cols[3] == "1";
    if (cols.size() > 6) row.first_error = cols[6];
    rows.push_back(row);
  }
  return rows;
}

const std::vector<OracleRow>& Oracle() {
  static const std::vector<OracleRow> rows = ReadOracle();
  return rows;
}

bool InSuite(const OracleRow& row) { return row.path.rfind("vcf-validator/", 0) == 0; }

// Files outside the vcf-validator suite where our verdict may differ, with the reason. (None
// today: every corpus file agrees. Add entries here, never silence a test otherwise.)
const std::map<std::string, std::string>& KnownDifferences() {
  static const std::map<std::string, std::string> known = {};
  return known;
}

Result<ValidationReport> Validate(const OracleRow& row) {
  ValidationOptions options;
  options.require_evidence = row.require_evidence;
  options.max_findings = 5;
  return ValidateFile(testing::CorpusPath(row.path), options);
}

std::string Describe(const ValidationReport& report) {
  std::string out;
  for (const auto& s : report.summary) {
    if (s.severity != Severity::kError) continue;
    out += "\n      " + s.rule + " at line " + std::to_string(s.first_line) + ": " + s.first_message;
    if (out.size() > 600) break;
  }
  return out.empty() ? " (no errors)" : out;
}

void CheckVerdicts(bool suite) {
  int checked = 0, agreed = 0;
  std::string mismatches;
  for (const auto& row : Oracle()) {
    if (InSuite(row) != suite) continue;
    checked++;
    auto report = Validate(row);
    if (!report.ok()) {
      mismatches += "\n  " + row.path + ": I/O error: " + report.status().message();
      continue;
    }
    bool known = KnownDifferences().count(row.path) > 0;
    if (report->valid == row.valid || known) {
      agreed++;
      continue;
    }
    mismatches += "\n  " + row.path + (row.require_evidence ? " (--require-evidence)" : "") + ": oracle says " +
                  (row.valid ? "valid" : "invalid: " + row.first_error.substr(0, 160)) + "; we found" +
                  Describe(*report);
  }
  EXPECT_GT(checked, suite ? 900 : 400) << "the oracle table looks truncated";
  EXPECT_EQ(agreed, checked) << agreed << " of " << checked << " verdicts agree; mismatches:" << mismatches;
}

TEST(ValidatorConformanceTest, SameVerdictAsVcfValidatorOnItsSuite) { CheckVerdicts(true); }

TEST(ValidatorConformanceTest, SameVerdictAsVcfValidatorOnOtherCorpusFiles) { CheckVerdicts(false); }

// Files whose first error differs from the oracle's on purpose, with the reason.
const std::map<std::string, std::string>& FirstErrorLineDifferences() {
  static const std::map<std::string, std::string> known = {
      {"vcfanno/tests/notbgz/notbgz.vcf.gz",
       "plain (non-BGZF) gzip: vcf-validator cannot decompress it and reports line 1; we read it and find a real error "
       "further down (the verdict agrees)"},
  };
  return known;
}

// The oracle's first error message, mapped to our rule id when it names one of our checks.
struct RuleMapping {
  const char* oracle_pattern;  // ECMAScript regex on the message
  const char* rule;
};

const RuleMapping kMappings[] = {
    {"^Duplicated variant", "duplicate-variant"},
    {"^Contig is not sorted by position", "pos-unsorted"},
    {"^Variant is not contiguous", "contig-not-contiguous"},
    {"^There is no newline at the end of the file", "missing-final-newline"},
    {"^Alternate is not a single dot", "alt-invalid"},
    {"^Reference is not a string of bases", "ref-invalid"},
    {"^Position is not a positive number", "pos-invalid"},
    {"^Chromosome is not a string", "chrom-invalid"},
    {"^ID is not a single dot", "id-invalid"},
    {"^Filter is not a single dot", "filter-invalid"},
    {"^Quality is not a single dot", "qual-invalid"},
    {"^Quality is not equal or greater than zero", "qual-negative"},
    {"^The fileformat declaration is not valid", "fileformat-invalid"},
    {"^Info field value is not a comma-separated list of valid strings", "info-value-invalid"},
    {"^INFO \\w+ does not match the (meta )?specification Number", "info-number-mismatch"},
    {"^INFO \\w+ does not match the (meta )?specification Type", "info-type-mismatch"},
    {"^Sample #\\d+, (field )?\\w+ does not match the (meta )?specification Number", "format-number-mismatch"},
    {"^Sample #\\d+, (field )?\\w+ does not match the (meta )?specification Type", "format-type-mismatch"},
    {"^Allele is greater than the maximum allowed", "gt-allele-out-of-range"},
    {"^Allele index must not be empty", "gt-allele-empty"},
    {"^Allele must be a non-negative integer", "gt-allele-invalid"},
    // vcf-validator attributes a malformed meta line to one of several syntax errors depending on
    // where its grammar stops; any meta-* rule on the same line is the same kind of finding.
    {"^Metadata description string is not valid", "meta-*"},
    {"^Metadata URL is not valid", "meta-*"},
    {"^Metadata ID contains a character", "meta-*"},
    {"^Error in (ALT|contig|INFO|FORMAT|FILTER|SAMPLE|PEDIGREE|META|pedigreeDB) metadata", "meta-*"},
    {"^Error in meta-data section", "meta-*"},
    {"^INFO \\w+ metadata Number is not", "info-reserved-number"},
    {"^INFO \\w+ metadata Type is not", "info-reserved-type"},
    {"^FORMAT \\w+ metadata Number is not", "format-reserved-number"},
    {"^FORMAT \\w+ metadata Type is not", "format-reserved-type"},
    {"^Requested evidence presence", "evidence-missing"},
    {"^GT must be the first field", "format-gt-not-first"},
    {"^The number of samples must match", "sample-count"},
    {"^Sample #\\d+ has more fields than specified", "sample-too-many-fields"},
    {"^INFO AF value does not lie in the interval", "info-af-range"},
    {"^INFO CIGAR value is not", "info-cigar-invalid"},
    {"^FILTER string must not be 0", "filter-zero"},
};

// Where the oracle's first error is one of the mapped kinds, we report that rule and its first
// occurrence is on the same line.
TEST(ValidatorConformanceTest, FirstErrorLineMatchesVcfValidator) {
  static const std::regex kFirstError("^Error: (.*)\\. This occurs \\d+ time\\(s\\), first time in line (\\d+)\\.$");
  std::vector<std::pair<std::regex, std::string>> mappings;
  for (const auto& m : kMappings) mappings.emplace_back(std::regex(m.oracle_pattern), m.rule);
  int compared = 0;
  std::string mismatches;
  for (const auto& row : Oracle()) {
    std::smatch match;
    if (row.first_error.empty() || !std::regex_match(row.first_error, match, kFirstError)) continue;
    const std::string message = match[1];
    const int64_t line = std::stoll(match[2]);
    std::string rule;
    for (const auto& [pattern, id] : mappings) {
      if (std::regex_search(message, pattern)) {
        rule = id;
        break;
      }
    }
    if (rule.empty() || FirstErrorLineDifferences().count(row.path)) continue;
    auto report = Validate(row);
    ASSERT_TRUE(report.ok()) << row.path << ": " << report.status().message();
    compared++;
    const bool prefix = rule.back() == '*';
    const std::string stem = prefix ? rule.substr(0, rule.size() - 1) : rule;
    const RuleSummary* found = nullptr;
    for (const auto& s : report->summary) {
      bool same_kind = prefix ? s.rule.rfind(stem, 0) == 0 : s.rule == rule;
      if (same_kind && s.severity == Severity::kError && (found == nullptr || s.first_line < found->first_line)) found = &s;
    }
    if (found == nullptr) {
      mismatches += "\n  " + row.path + ": oracle's first error (" + message.substr(0, 100) + ", line " +
                    std::to_string(line) + ") maps to rule " + rule + ", which we did not report;" + Describe(*report);
    } else if (found->first_line != line) {
      mismatches += "\n  " + row.path + ": rule " + rule + " first at line " + std::to_string(found->first_line) +
                    ", oracle at line " + std::to_string(line);
    }
  }
  RecordProperty("compared_first_errors", compared);
  EXPECT_GT(compared, 700) << "too few oracle first errors were comparable";
  EXPECT_TRUE(mismatches.empty()) << "first-error lines differ on " << compared << " compared files:" << mismatches;
}

}  // namespace
}  // namespace vcfagent::vcf
