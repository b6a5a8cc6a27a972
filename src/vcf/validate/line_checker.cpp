// LineChecker: line dispatch between sections, end-of-input checks and the shared Number/Type
// checks used by INFO and FORMAT values.
#include "vcf/validate/line_checker.h"

#include "fmt/format.h"
#include "vcf/validate/lexical.h"

namespace vcfagent::vcf::validate {

LineChecker::LineChecker(const ValidationOptions& options, FindingSink& sink)
    : options_(options), sink_(sink) {}

std::string LineChecker::version() const { return version_known_ ? fmt::format("4.{}", minor_) : ""; }

void LineChecker::Line(std::string_view line, int64_t n) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  switch (section_) {
    case Section::kFileformat:
      section_ = Section::kMeta;
      CheckFileformat(line, n);
      return;
    case Section::kMeta:
      if (line.size() >= 2 && line[0] == '#' && line[1] == '#') {
        CheckMetaLine(line, n);
      } else if (!line.empty() && line[0] == '#') {
        EndOfMeta(n);
        CheckHeaderLine(line, n);
      } else {
        sink_.Error("meta-syntax", n, "meta",
                    line.empty() ? "Empty line in the meta-information section"
                                 : "Line is neither a meta-information line (##) nor the #CHROM header line",
                    "Put the meta-information lines, then the #CHROM header line, before the data lines");
      }
      return;
    case Section::kBody:
      if (line.empty()) {
        if (first_blank_line_ == 0) first_blank_line_ = n;
        return;
      }
      if (first_blank_line_ != 0) {
        sink_.Error("blank-line", first_blank_line_, "line", "Empty line between data lines",
                    "Remove empty lines; only the end of the file may have them");
        first_blank_line_ = 0;
      }
      CheckRecord(line, n);
      return;
  }
}

void LineChecker::Finish(int64_t last_line, bool ended_with_newline) {
  if (section_ == Section::kFileformat) {
    sink_.Error("fileformat-invalid", 1, "fileformat", "The file is empty: no ##fileformat line",
                "Start the file with ##fileformat=VCFv4.x");
    return;
  }
  if (!header_seen_) {
    EndOfMeta(last_line);
    sink_.Error("header-missing", last_line, "header", "The #CHROM header line is missing",
                "Add the #CHROM header line after the meta-information lines");
  }
  // VCF 4.1/4.2 grammars of vcf-validator accept a last line without newline; 4.3+ do not.
  if (!ended_with_newline && minor_ >= 3) {
    sink_.Error("missing-final-newline", last_line, "line", "There is no newline at the end of the file",
                "End the last line with a newline character");
  }
}

bool LineChecker::CheckCardinality(const FieldDefinition& def, size_t values, bool single_missing,
                                   size_t ploidy, long* expected) const {
  const size_t n_alt = alts_.size();
  switch (def.number) {
    case NumberKind::kA: *expected = static_cast<long>(n_alt); break;
    case NumberKind::kR: *expected = static_cast<long>(n_alt + 1); break;
    case NumberKind::kP: *expected = static_cast<long>(ploidy); break;
    case NumberKind::kUnbounded: *expected = -1; break;
    case NumberKind::kFixed: *expected = def.count; break;
    case NumberKind::kG: {
      // Number of genotypes: C(n_alt + ploidy, ploidy), as vcf-validator computes it (the ALT
      // "." counts as one allele there).
      double c = 1;
      for (size_t k = 1; k <= ploidy; k++) c = c * static_cast<double>(n_alt + k) / static_cast<double>(k);
      *expected = c > 1e9 ? 1000000000L : static_cast<long>(c + 0.5);
      break;
    }
  }
  if (single_missing) return true;
  if (*expected > 0) return values == static_cast<size_t>(*expected);
  if (*expected == 0) return values <= 1;
  return true;
}

bool LineChecker::CheckType(ValueType type, std::string_view value, const char** reason) {
  switch (type) {
    case ValueType::kInteger:
      if (!ParseStoiWhole(value)) {
        *reason = " (not in integer format)";
        return false;
      }
      return true;
    case ValueType::kFloat: {
      // Fast path: a digit (or ".digit") after an optional sign is always a float prefix.
      size_t i = 0;
      if (i < value.size() && (value[i] == '-' || value[i] == '+')) i++;
      if (i < value.size() && (IsDigit(value[i]) || (value[i] == '.' && i + 1 < value.size() && IsDigit(value[i + 1])))) {
        return true;
      }
      if (!ParseStofPrefix(value)) {
        *reason = "";
        return false;
      }
      return true;
    }
    case ValueType::kFlag: {
      long long v = 0;
      if (!ParseStoiWhole(value, &v) || value.size() > 1 || (v != 0 && v != 1)) {
        *reason = " (a flag value must be \"0, 1 or none\")";
        return false;
      }
      return true;
    }
    case ValueType::kCharacter:
      if (value.size() > 1) {
        *reason = " (there can be only one character)";
        return false;
      }
      return true;
    case ValueType::kString:
    case ValueType::kAny:
      return true;
  }
  return true;
}

}  // namespace vcfagent::vcf::validate
