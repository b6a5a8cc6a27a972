// LineChecker: the streaming core of the validator. It receives the lines of one VCF text (without
// their newline) and reports every finding to a FindingSink. Holds the header declarations, the
// sorting state and a bounded window of recent variants for duplicate detection; nothing else
// grows with the input.
#pragma once

#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vcf/validate/field_definitions.h"
#include "vcf/validate/findings.h"
#include "vcf/validate/validator.h"

namespace vcfagent::vcf::validate {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

class LineChecker {
 public:
  LineChecker(const ValidationOptions& options, FindingSink& sink);
  ~LineChecker();
  LineChecker(const LineChecker&) = delete;
  LineChecker& operator=(const LineChecker&) = delete;

  // One line of input, without its '\n' (a trailing '\r' is accepted as part of CRLF).
  void Line(std::string_view line, int64_t number);
  // After the last line: `ended_with_newline` is false if the input's last byte was not '\n'.
  void Finish(int64_t last_line, bool ended_with_newline);

  // A BCF record (bcf_sample_rules.cpp): `site` is its VCF text from CHROM to the FORMAT column (as
  // vcf_format writes it, without newline), `rec` the decoded record with its sample columns.
  // The sample columns are judged from the decoded values; only when one may break a rule is the
  // record formatted as text (vcf_format) and its samples checked as text, so the findings are
  // those of Line() on the whole formatted line. Returns false, having checked nothing, when the
  // record cannot be checked this way (the caller then gives Line() the whole line).
  bool DecodedRecord(std::string_view site, const bcf_hdr_t* header, bcf1_t* rec, int64_t number);

  std::string version() const;
  int64_t records() const { return records_; }

 private:
  enum class Section { kFileformat, kMeta, kBody };

  // meta_rules.cpp
  void CheckFileformat(std::string_view line, int64_t n);
  void CheckMetaLine(std::string_view line, int64_t n);
  void CheckInfoOrFormatMeta(std::string_view body, int64_t n, bool is_info);
  void CheckHeaderLine(std::string_view line, int64_t n);
  void EndOfMeta(int64_t n);

  // record_rules.cpp
  void CheckRecord(std::string_view line, int64_t n);
  bool CheckRecordSyntax(int64_t n);
  bool CheckAlleles(int64_t n);
  bool CheckInfo(int64_t n);
  bool CheckEvidence(int64_t n);
  struct InfoKeyInfo {
    std::string key;
    const FieldDefinition* declared = nullptr;
    const FieldDefinition* reserved = nullptr;
  };
  bool CheckInfoValues(std::string_view key, std::string_view value, bool has_value, const InfoKeyInfo& cached, bool fresh,
                       int64_t n);
  bool CheckInfoStrict(std::string_view key, std::string_view value, int64_t n);
  bool CheckInfoV44(std::string_view key, std::string_view value, int64_t n);
  void CheckOrderAndDuplicates(int64_t n);
  void CheckRecordWarnings(int64_t n);

  // sample_rules.cpp
  void UpdateFormatCache(std::string_view format);
  bool CheckFormatColumn(int64_t n);
  bool CheckSamples(int64_t n);
  bool CheckCopyNumberFormat(int64_t n);
  bool CheckSample(size_t index, std::string_view sample, int64_t n);
  bool CheckGenotype(size_t index, std::string_view value, int64_t n, size_t* ploidy, std::string_view* gt, bool* gt_prefix,
                     char* prefix);


  // Shared value checks. CheckCardinality sets the expected count (-1: any) and says whether
  // `values` fits; CheckType sets `reason` (vcf-validator's words) when a value does not fit.
  bool CheckCardinality(const FieldDefinition& def, size_t values, bool single_missing, size_t ploidy,
                        long* expected) const;
  static bool CheckType(ValueType type, std::string_view value, const char** reason);

  int64_t first_blank_line_ = 0;

  const ValidationOptions& options_;
  FindingSink& sink_;
  Section section_ = Section::kFileformat;
  int minor_ = 4;  // VCF 4.x
  bool version_known_ = false;
  bool header_seen_ = false;
  bool meta_ended_ = false;
  int64_t records_ = 0;

  // Header declarations.
  StringMap<FieldDefinition> info_defs_;
  StringMap<FieldDefinition> format_defs_;
  StringSet filter_ids_;
  StringSet contig_ids_;
  StringSet alt_ids_;
  bool has_reference_ = false;
  size_t sample_count_ = 0;

  // Scratch for the current record (reused: no allocation per record once warm).
  std::vector<std::string_view> columns_;
  int64_t pos_ = 0;  // POS of the current record
  std::vector<std::string_view> alts_;
  std::vector<std::string_view> format_keys_;
  struct FormatKeyInfo {
    const FieldDefinition* def = nullptr;  // declared, else reserved, else none
    bool declared = false;
    bool probability = false;  // GP (and CNP in 4.3+) lie in [0,1]
  };
  std::vector<FormatKeyInfo> format_key_info_;

  // bcf_sample_rules.cpp: true when no sample of `decoded_` can break a sample rule.
  bool DecodedSamplesPass();
  bool DecodedGenotypesPass(const bcf_fmt_t& field, const FormatKeyInfo& info);
  bool DecodedValuesPass(const bcf_fmt_t& field, const FormatKeyInfo& info);
  // Replaces the placeholder sample columns by the record's formatted text; false if it cannot be formatted.
  bool FormatDecodedSamples();

  // The BCF record being checked by DecodedRecord (null otherwise), its header, its active FORMAT
  // fields in FORMAT-column order, each sample's ploidy, and its text when samples need the text rules.
  bcf1_t* decoded_ = nullptr;
  const bcf_hdr_t* decoded_header_ = nullptr;
  std::vector<const bcf_fmt_t*> decoded_fields_;
  std::vector<uint32_t> decoded_ploidy_;
  kstring_t decoded_text_ = {0, 0, nullptr};
  std::vector<std::pair<std::string_view, std::string_view>> info_entries_;
  std::string cached_format_;
  std::vector<InfoKeyInfo> info_key_cache_;
  std::string last_warning_contig_, last_warning_filter_;
  bool format_has_gt_first_ = false;
  int psl_index_ = -1, pso_index_ = -1, psq_index_ = -1;

  // Sorting and contiguity (vcf-validator's check_sorted).
  std::string current_contig_;
  StringSet finished_contigs_;
  int64_t previous_pos_ = 0;

  // Duplicate window: normalised variants whose position can still be matched.
  struct VariantKey {
    int64_t pos;
    std::string ref;
    std::string alt;
    bool symbolic;
    int64_t line;
    int seen;
  };
  std::vector<VariantKey> window_;
  std::string norm_ref_, norm_alt_;

  // Warnings reported once per name.
  StringSet warned_contigs_, warned_info_, warned_filters_, warned_formats_, warned_alts_;
};

}  // namespace vcfagent::vcf::validate
