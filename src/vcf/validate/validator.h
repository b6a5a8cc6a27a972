// Validator: checks VCF files against the VCF specification (versions 4.1 to 4.4, as declared by
// ##fileformat), with the decisions of EBI vcf-validator 0.10.2 where the specification is vague.
//
// Contract:
// - Every check has a stable rule id (documented in docs/validate.md), a severity and a line.
//   Errors make a file invalid; warnings never do.
// - Validation streams: memory does not grow with the input (duplicate detection keeps only a
//   window of nearby records).
// - ValidateFile reads plain, gzip, BGZF and bzip2 VCF and BCF (decoded with htslib; the findings
//   are those of the record formatted as VCF text, though the sample columns are judged from their
//   decoded values and formatted only when they may break a rule). Archives that are not a VCF stream (tar.xz, zip, .Z, zlib .z) give one finding
//   (rule `unreadable-compression`) and an invalid verdict. A missing or unreadable file is an
//   I/O error Status, not a report.
#pragma once

#include <htslib/vcf.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vcfagent::vcf {

enum class Severity { kError, kWarning };

std::string_view SeverityName(Severity severity);

struct ValidationFinding {
  Severity severity = Severity::kError;
  std::string rule;        // stable id, e.g. "info-number-mismatch"
  int64_t line = 0;        // 1-based line (0: the file as a whole)
  std::string field;       // column or key, e.g. "INFO/AC", "POS", "header"
  std::string message;     // what is wrong
  std::string suggestion;  // how to fix it
};

// Every finding of one rule, folded: how often it fired and where first.
struct RuleSummary {
  std::string rule;
  Severity severity = Severity::kError;
  int64_t count = 0;
  int64_t first_line = 0;
  std::string first_message;
};

struct ValidationOptions {
  bool require_evidence = false;  // vcf-validator's --require-evidence: GT, AF or AC+AN per record
  size_t max_findings = 100;      // individual findings kept in the report (summaries count all)
  int threads = 0;                // extra BGZF decompression threads (bgzip-compressed VCF, BCF)
};

struct ValidationReport {
  std::string path;
  bool valid = true;
  std::string vcf_version;  // "4.1".."4.4", empty if the file declares none we know
  int64_t errors = 0;
  int64_t warnings = 0;
  int64_t records = 0;
  int64_t lines = 0;
  std::vector<RuleSummary> summary;        // per rule, in order of first occurrence
  std::vector<ValidationFinding> findings;  // the first max_findings findings, in input order
};

// Validates VCF text held in memory (the whole file, newlines included).
ValidationReport ValidateText(std::string_view text, const ValidationOptions& options = {},
                              const std::string& path = "<memory>");

// Why validate finds one record line wrong: "FIELD: reason" of its first error (as validate
// reports it), or empty when it finds none. `header_text` is the file's header (bcf_hdr_format);
// its #CHROM line is rebuilt to the line's number of columns, so a header whose samples a reader
// dropped still fits. For readers' messages: a record htslib cannot parse is explained once, here.
std::string DiagnoseRecordLine(std::string_view header_text, std::string_view line);

// Validates a file ("-" for standard input). I/O failures (missing file, read error) are a
// Status; everything about the content is in the report.
Result<ValidationReport> ValidateFile(const std::string& path, const ValidationOptions& options = {});

// What a caller that reads the file once for several purposes (analyze) receives from
// ValidateFile as it reads, beside the report. The callbacks run on the validating thread, each
// after the validator has seen what it is given; an error returned by one stops the reading, and
// ValidateFile returns that error.
struct ValidationTaps {
  // Text VCF: every line after the first `skip_lines` (the header, as the caller's own reader
  // counted it) with its 1-based number, as read (a '\r' before the newline included). A line
  // longer than the line limit is not held: it comes empty, with `too_long` set.
  std::function<Status(std::string_view line, int64_t number, bool too_long)> text_line;
  int64_t skip_lines = 0;
  // BCF: each record after its validation (decoded with ValidateFile's own header, which is gone
  // when it returns; the caller reads the records with its own header of the same file).
  std::function<Status(bcf1_t* record)> bcf_record;
};
Result<ValidationReport> ValidateFile(const std::string& path, const ValidationOptions& options,
                                      const ValidationTaps& taps);

}  // namespace vcfagent::vcf
