// ConsequenceParser: reads functional annotations (VEP CSQ, SnpEff ANN, bcftools BCSQ) from a
// record's INFO and reduces them to one AlleleConsequence per ALT allele for the variant store.
//
// Contract:
// - The annotation's field positions come from the tag's header Description ("Format: A|B|..."
//   for VEP and BCSQ, "Functional annotations: 'A | B | ...'" for SnpEff), never hard-coded.
// - Parse() returns exactly one entry per ALT (index aligned with ALT). An allele that no
//   annotation entry applies to gets an empty AlleleConsequence (impact kNone).
// - VEP entries go to their ALT by ALLELE_NUM when that column exists, else by the Allele column
//   in VEP's convention (shared first base trimmed from every allele for indels, "-" for an
//   empty allele), else (no allele column) to every ALT. SnpEff's Allele is the ALT itself.
//   BCSQ entries name no allele and apply to every ALT; BCSQ entries starting with '@' (a pointer
//   to the record holding a haplotype's consequence) or '*' (downstream of a stop) are skipped.
// - The most severe consequence is the entry term with the lowest SeverityRank (VEP's order of
//   consequence severity; for '&'-joined terms the entry's worst term counts). BCSQ's short terms
//   ("missense", "3_prime_utr") are reported as their SO terms ("missense_variant", ...).
// - Empty or malformed entries are skipped; parsing never fails.
//
// Thread-safe after construction (Parse is const and keeps no state).
#pragma once

#include <htslib/vcf.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/variant_types.h"
#include "util/status.h"

namespace vcfagent::store {

// The impact VEP assigns to a Sequence Ontology consequence term (SnpEff and bcftools terms are
// recognised too); kModifier for an unknown term, kNone for an empty one.
Impact ImpactOfConsequence(std::string_view so_term);

// Severity rank of a consequence term for sorting: 0 is the most severe (transcript_ablation),
// larger is milder; an unknown term ranks after every known one (kUnknownSeverityRank).
// Case-insensitive; bcftools' short terms rank as their SO term.
inline constexpr int kUnknownSeverityRank = 1000;
int SeverityRank(std::string_view so_term);

// The SO term for a consequence as written by VEP, SnpEff or bcftools/csq: SO terms are returned
// as given, bcftools' short terms are expanded ("missense" -> "missense_variant").
std::string CanonicalConsequence(std::string_view term);

// What the store keeps about one ALT allele.
struct AlleleConsequence {
  std::string consequence;         // most severe SO term; empty when nothing applies
  Impact impact = Impact::kNone;   // the annotation's IMPACT for that entry, else from the term
  std::string gene;                // gene symbol of the most severe entry (fallback: gene id)
  std::string feature;             // transcript/feature id of the most severe entry, if given
  std::vector<std::string> genes;  // every distinct gene named by this allele's entries (in order)
};

// Which program wrote the annotation; decides how alleles and terms are read.
enum class AnnotationStyle { kVep, kSnpEff, kBcsq };

class ConsequenceParser {
 public:
  // Detects the annotation in the header: CSQ, then ANN, then BCSQ. The style comes from each
  // tag's Description (bcftools' split-vep tests write VEP's format under ANN, for example).
  // nullopt when none of them is present with a recognisable format.
  static std::optional<ConsequenceParser> FromHeader(const bcf_hdr_t* header);
  // Uses the caller-chosen INFO tag; an error says why it cannot be used.
  static Result<ConsequenceParser> FromHeaderTag(const bcf_hdr_t* header, std::string_view tag);
  // From a Description text directly (tests, or a header not parsed by htslib).
  static Result<ConsequenceParser> FromDescription(std::string_view tag,
                                                   std::string_view description);

  // `info_value` is the tag's whole INFO value (comma-separated entries); `alleles` is REF then
  // the ALTs. Returns alleles.size() - 1 entries.
  std::vector<AlleleConsequence> Parse(std::string_view info_value,
                                       const std::vector<std::string_view>& alleles) const;
  // Reads the tag and alleles from a record (unpacks its INFO).
  std::vector<AlleleConsequence> ParseRecord(const bcf_hdr_t* header, bcf1_t* record) const;

  const std::string& tag() const { return tag_; }
  AnnotationStyle style() const { return style_; }
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  ConsequenceParser() = default;

  std::string tag_;
  AnnotationStyle style_ = AnnotationStyle::kVep;
  std::vector<std::string> columns_;
  int allele_col_ = -1;
  int allele_num_col_ = -1;
  int consequence_col_ = -1;
  int impact_col_ = -1;
  int symbol_col_ = -1;
  int gene_id_col_ = -1;
  int feature_col_ = -1;
};

// The Allele string VEP writes for each ALT of a record (index aligned with ALT): when any ALT
// differs in length from REF and all non-'*' alleles share their first base, that base is
// trimmed ("-" when nothing is left); otherwise the ALTs as given.
std::vector<std::string> VepAlleleStrings(const std::vector<std::string_view>& alleles);

}  // namespace vcfagent::store
