#include "store/annotation/consequence.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <string>
#include <unordered_map>

#include "store/annotation/text_util.h"

namespace vcfagent::store {
namespace {

struct TermInfo {
  std::string_view term;
  Impact impact;
};

// VEP's consequence table, most severe first (Ensembl "Calculated variant consequences"), with
// SnpEff's own terms and VEP's older names placed beside their nearest VEP term.
constexpr std::array kTerms = {
    TermInfo{"transcript_ablation", Impact::kHigh},
    TermInfo{"chromosome_number_variation", Impact::kHigh},  // SnpEff
    TermInfo{"exon_loss_variant", Impact::kHigh},            // SnpEff
    TermInfo{"gene_fusion", Impact::kHigh},                  // SnpEff
    TermInfo{"bidirectional_gene_fusion", Impact::kHigh},    // SnpEff
    TermInfo{"splice_acceptor_variant", Impact::kHigh},
    TermInfo{"splice_donor_variant", Impact::kHigh},
    TermInfo{"stop_gained", Impact::kHigh},
    TermInfo{"frameshift_variant", Impact::kHigh},
    TermInfo{"stop_lost", Impact::kHigh},
    TermInfo{"start_lost", Impact::kHigh},
    TermInfo{"transcript_amplification", Impact::kHigh},
    TermInfo{"feature_elongation", Impact::kHigh},
    TermInfo{"feature_truncation", Impact::kHigh},
    TermInfo{"feature_ablation", Impact::kHigh},                // SnpEff
    TermInfo{"rare_amino_acid_variant", Impact::kHigh},         // SnpEff
    TermInfo{"protein_protein_contact", Impact::kHigh},         // SnpEff
    TermInfo{"structural_interaction_variant", Impact::kHigh},  // SnpEff
    TermInfo{"inframe_insertion", Impact::kModerate},
    TermInfo{"disruptive_inframe_insertion", Impact::kModerate},    // SnpEff
    TermInfo{"conservative_inframe_insertion", Impact::kModerate},  // SnpEff
    TermInfo{"inframe_deletion", Impact::kModerate},
    TermInfo{"disruptive_inframe_deletion", Impact::kModerate},    // SnpEff
    TermInfo{"conservative_inframe_deletion", Impact::kModerate},  // SnpEff
    TermInfo{"missense_variant", Impact::kModerate},
    TermInfo{"protein_altering_variant", Impact::kModerate},
    TermInfo{"splice_donor_5th_base_variant", Impact::kLow},
    TermInfo{"splice_region_variant", Impact::kLow},
    TermInfo{"splice_donor_region_variant", Impact::kLow},
    TermInfo{"splice_polypyrimidine_tract_variant", Impact::kLow},
    TermInfo{"incomplete_terminal_codon_variant", Impact::kLow},
    TermInfo{"initiator_codon_variant", Impact::kLow},  // SnpEff, older VEP
    TermInfo{"start_retained_variant", Impact::kLow},
    TermInfo{"stop_retained_variant", Impact::kLow},
    TermInfo{"synonymous_variant", Impact::kLow},
    TermInfo{"5_prime_UTR_premature_start_codon_gain_variant", Impact::kLow},  // SnpEff
    TermInfo{"non_canonical_start_codon", Impact::kLow},                       // SnpEff
    TermInfo{"sequence_feature", Impact::kLow},                                // SnpEff
    TermInfo{"coding_sequence_variant", Impact::kModifier},
    TermInfo{"mature_miRNA_variant", Impact::kModifier},
    TermInfo{"miRNA", Impact::kModifier},  // SnpEff
    TermInfo{"5_prime_UTR_variant", Impact::kModifier},
    TermInfo{"3_prime_UTR_variant", Impact::kModifier},
    TermInfo{"non_coding_transcript_exon_variant", Impact::kModifier},
    TermInfo{"non_coding_exon_variant", Impact::kModifier},  // older VEP
    TermInfo{"exon_variant", Impact::kModifier},             // SnpEff
    TermInfo{"intron_variant", Impact::kModifier},
    TermInfo{"conserved_intron_variant", Impact::kModifier},  // SnpEff
    TermInfo{"NMD_transcript_variant", Impact::kModifier},
    TermInfo{"non_coding_transcript_variant", Impact::kModifier},
    TermInfo{"nc_transcript_variant", Impact::kModifier},  // older VEP
    TermInfo{"coding_transcript_variant", Impact::kModifier},
    TermInfo{"intragenic_variant", Impact::kModifier},  // SnpEff
    TermInfo{"gene_variant", Impact::kModifier},
    TermInfo{"transcript_variant", Impact::kModifier},
    TermInfo{"upstream_gene_variant", Impact::kModifier},
    TermInfo{"downstream_gene_variant", Impact::kModifier},
    TermInfo{"TFBS_ablation", Impact::kModifier},
    TermInfo{"TFBS_amplification", Impact::kModifier},
    TermInfo{"TF_binding_site_variant", Impact::kModifier},
    TermInfo{"regulatory_region_ablation", Impact::kModerate},
    TermInfo{"regulatory_region_amplification", Impact::kModifier},
    TermInfo{"regulatory_region_variant", Impact::kModifier},
    TermInfo{"conserved_intergenic_variant", Impact::kModifier},  // SnpEff
    TermInfo{"intergenic_variant", Impact::kModifier},
    TermInfo{"intergenic_region", Impact::kModifier},  // SnpEff
    TermInfo{"sequence_variant", Impact::kModifier},
};

// bcftools/csq's short names (and its severity scale's words) for the SO terms above.
constexpr std::array<std::pair<std::string_view, std::string_view>, 23> kBcftoolsTerms = {{
    {"missense", "missense_variant"},
    {"synonymous", "synonymous_variant"},
    {"frameshift", "frameshift_variant"},
    {"splice_acceptor", "splice_acceptor_variant"},
    {"splice_donor", "splice_donor_variant"},
    {"splice_region", "splice_region_variant"},
    {"stop_retained", "stop_retained_variant"},
    {"start_retained", "start_retained_variant"},
    {"5_prime_utr", "5_prime_UTR_variant"},
    {"3_prime_utr", "3_prime_UTR_variant"},
    {"non_coding", "non_coding_transcript_variant"},
    {"non_coding_transcript", "non_coding_transcript_variant"},
    {"non_coding_transcript_exon", "non_coding_transcript_exon_variant"},
    {"coding_sequence", "coding_sequence_variant"},
    {"intron", "intron_variant"},
    {"intergenic", "intergenic_variant"},
    {"inframe_altering", "protein_altering_variant"},
    {"exon_loss", "exon_loss_variant"},
    {"upstream", "upstream_gene_variant"},
    {"downstream", "downstream_gene_variant"},
    {"regulatory", "regulatory_region_variant"},
    {"NMD_transcript", "NMD_transcript_variant"},
    {"incomplete_terminal_codon", "incomplete_terminal_codon_variant"},
}};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using TermMap = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;

// Lower-cased term (SO or bcftools short name) -> index into kTerms.
const TermMap& TermIndex() {
  static const auto* index = [] {
    auto* map = new TermMap();
    for (size_t i = 0; i < kTerms.size(); ++i)
      map->emplace(ToLower(kTerms[i].term), static_cast<int>(i));
    for (const auto& [alias, so] : kBcftoolsTerms) {
      auto it = map->find(ToLower(so));
      if (it != map->end()) map->emplace(ToLower(alias), it->second);
    }
    return map;
  }();
  return *index;
}

// Called for every term of every entry: lower-cases into a stack buffer, looks up without
// allocating.
int TermIndexOf(std::string_view term) {
  std::array<char, 64> lower;
  if (term.empty() || term.size() > lower.size()) return -1;
  for (size_t i = 0; i < term.size(); ++i) lower[i] = AsciiLower(term[i]);
  const auto& index = TermIndex();
  auto it = index.find(std::string_view(lower.data(), term.size()));
  return it == index.end() ? -1 : it->second;
}

int RankOfAnchor(std::string_view term) { return TermIndexOf(term); }

// Comparable severity of one term: known terms by table position; an unknown term sorts just
// after the mildest term of the impact the annotation gave it, or after everything.
int SortKey(std::string_view term, Impact annotated) {
  const int index = TermIndexOf(term);
  if (index >= 0) return index * 2;
  static const int kHighEnd = RankOfAnchor("structural_interaction_variant");
  static const int kModerateEnd = RankOfAnchor("protein_altering_variant");
  static const int kLowEnd = RankOfAnchor("sequence_feature");
  static const int kModifierEnd = RankOfAnchor("sequence_variant");
  switch (annotated) {
    case Impact::kHigh:
      return kHighEnd * 2 + 1;
    case Impact::kModerate:
      return kModerateEnd * 2 + 1;
    case Impact::kLow:
      return kLowEnd * 2 + 1;
    case Impact::kModifier:
      return kModifierEnd * 2 + 1;
    case Impact::kNone:
      break;
  }
  return kUnknownSeverityRank * 2;
}

bool IsIntergenic(std::string_view so_term) {
  return so_term == "intergenic_variant" || so_term == "intergenic_region" ||
         so_term == "conserved_intergenic_variant";
}

// Per-allele trimming of VEP's --minimal mode: shared suffix, then shared prefix; "-" if empty.
std::string MinimalVepAllele(std::string_view ref, std::string_view alt) {
  size_t suffix = 0;
  while (suffix < ref.size() && suffix < alt.size() &&
         ref[ref.size() - 1 - suffix] == alt[alt.size() - 1 - suffix]) {
    ++suffix;
  }
  ref.remove_suffix(suffix);
  alt.remove_suffix(suffix);
  size_t prefix = 0;
  while (prefix < ref.size() && prefix < alt.size() && ref[prefix] == alt[prefix]) ++prefix;
  alt.remove_prefix(prefix);
  return alt.empty() ? std::string("-") : std::string(alt);
}

int FindColumn(const std::vector<std::string>& columns,
               std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (EqualsIgnoreCase(columns[i], name)) return static_cast<int>(i);
    }
  }
  return -1;
}

std::string_view FieldAt(const std::vector<std::string_view>& fields, int column) {
  if (column < 0 || static_cast<size_t>(column) >= fields.size()) return {};
  return Trim(fields[column]);
}

// The text after `marker` with the quotes and spaces around the field list removed.
std::string_view FormatText(std::string_view description, size_t after_marker) {
  std::string_view text = Trim(description.substr(after_marker));
  if (!text.empty() && (text.front() == '\'' || text.front() == '"')) {
    const char quote = text.front();
    text.remove_prefix(1);
    const size_t close = text.find(quote);
    if (close != std::string_view::npos) text = text.substr(0, close);
  }
  while (!text.empty() && (text.back() == '"' || text.back() == '\'' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

Impact ImpactOfConsequence(std::string_view so_term) {
  if (so_term.empty()) return Impact::kNone;
  Impact worst = Impact::kNone;
  ForEachPart(so_term, '&', [&](std::string_view part) {
    const int index = TermIndexOf(Trim(part));
    const Impact impact = index >= 0 ? kTerms[index].impact : Impact::kModifier;
    if (!Trim(part).empty()) worst = std::max(worst, impact);
  });
  return worst;
}

int SeverityRank(std::string_view so_term) {
  int best = kUnknownSeverityRank;
  ForEachPart(so_term, '&', [&](std::string_view part) {
    const int index = TermIndexOf(Trim(part));
    if (index >= 0) best = std::min(best, index);
  });
  return best;
}

std::string CanonicalConsequence(std::string_view term) {
  term = Trim(term);
  const int index = TermIndexOf(term);
  if (index < 0) return std::string(term);
  // SO terms keep the annotation's spelling; only bcftools' short names are replaced.
  if (EqualsIgnoreCase(term, kTerms[index].term)) return std::string(term);
  return std::string(kTerms[index].term);
}

std::vector<std::string> VepAlleleStrings(const std::vector<std::string_view>& alleles) {
  std::vector<std::string> out;
  if (alleles.size() < 2) return out;
  const std::string_view ref = alleles[0];
  bool is_indel = false;
  for (size_t i = 1; i < alleles.size(); ++i) {
    if (alleles[i].size() != ref.size() || alleles[i].find('*') != std::string_view::npos) {
      is_indel = true;
    }
  }
  bool shared_first_base = is_indel && !ref.empty();
  if (shared_first_base) {
    for (size_t i = 1; i < alleles.size(); ++i) {
      if (alleles[i].find('*') != std::string_view::npos) continue;
      if (alleles[i].empty() || alleles[i][0] != ref[0]) shared_first_base = false;
    }
  }
  for (size_t i = 1; i < alleles.size(); ++i) {
    std::string_view alt = alleles[i];
    if (shared_first_base && alt.find('*') == std::string_view::npos) alt.remove_prefix(1);
    out.emplace_back(alt.empty() ? std::string_view("-") : alt);
  }
  return out;
}

Result<ConsequenceParser> ConsequenceParser::FromDescription(std::string_view tag,
                                                             std::string_view description) {
  ConsequenceParser parser;
  parser.tag_ = std::string(tag);
  std::string_view fields;
  const std::string lower = ToLower(description);
  if (size_t at = lower.find("functional annotations:"); at != std::string::npos) {
    parser.style_ = AnnotationStyle::kSnpEff;
    fields = FormatText(description, at + 23);
  } else if (size_t format_at = lower.find("format:"); format_at != std::string::npos) {
    const bool bcsq = lower.find("bcftools/csq") != std::string::npos || tag == "BCSQ";
    parser.style_ = bcsq ? AnnotationStyle::kBcsq : AnnotationStyle::kVep;
    fields = FormatText(description, format_at + 7);
  } else {
    return Status::InvalidInput("INFO/" + std::string(tag) +
                                ": the Description lists no fields (expected \"Format: "
                                "Allele|Consequence|...\" or \"Functional annotations: '...'\")");
  }
  std::string cleaned;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields.substr(i, 3) == "[*]") {
      i += 2;
      continue;
    }  // bcftools' optional '*' prefix
    if (fields[i] == '[' || fields[i] == ']') continue;
    cleaned.push_back(fields[i]);
  }
  ForEachPart(cleaned, '|', [&](std::string_view column) {
    parser.columns_.emplace_back(Trim(column, " \t'\""));
  });
  const auto& cols = parser.columns_;
  parser.consequence_col_ = FindColumn(cols, {"Consequence", "Annotation"});
  parser.impact_col_ = FindColumn(cols, {"IMPACT", "Annotation_Impact"});
  parser.allele_col_ = FindColumn(cols, {"Allele"});
  parser.allele_num_col_ = FindColumn(cols, {"ALLELE_NUM"});
  parser.feature_col_ = FindColumn(cols, {"Feature", "Feature_ID", "transcript"});
  if (parser.style_ == AnnotationStyle::kBcsq) {
    parser.symbol_col_ = FindColumn(cols, {"gene"});  // bcftools' "gene" is the gene name
  } else {
    parser.symbol_col_ = FindColumn(cols, {"SYMBOL", "Gene_Name"});
    parser.gene_id_col_ = FindColumn(cols, {"Gene", "Gene_ID"});
  }
  if (parser.consequence_col_ < 0) {
    return Status::InvalidInput("INFO/" + std::string(tag) +
                                ": the Description's field list has no Consequence (VEP, "
                                "bcftools) or Annotation (SnpEff) field");
  }
  return parser;
}

Result<ConsequenceParser> ConsequenceParser::FromHeaderTag(const bcf_hdr_t* header,
                                                           std::string_view tag) {
  const std::string id(tag);
  bcf_hrec_t* hrec = bcf_hdr_get_hrec(header, BCF_HL_INFO, "ID", id.c_str(), nullptr);
  if (hrec == nullptr) {
    return Status::InvalidInput("INFO/" + id + " is not defined in the header");
  }
  const int key = bcf_hrec_find_key(hrec, "Description");
  if (key < 0) return Status::InvalidInput("INFO/" + id + " has no Description in the header");
  const int hdr_id = bcf_hdr_id2int(header, BCF_DT_ID, id.c_str());
  if (hdr_id < 0 || bcf_hdr_id2type(header, BCF_HL_INFO, hdr_id) != BCF_HT_STR) {
    return Status::InvalidInput("INFO/" + id + " is not of Type=String");
  }
  return FromDescription(tag, hrec->vals[key]);
}

std::optional<ConsequenceParser> ConsequenceParser::FromHeader(const bcf_hdr_t* header) {
  for (std::string_view tag : {"CSQ", "ANN", "BCSQ"}) {
    auto parser = FromHeaderTag(header, tag);
    if (parser.ok()) return std::move(parser).value();
  }
  return std::nullopt;
}

std::vector<AlleleConsequence> ConsequenceParser::Parse(
    std::string_view info_value, const std::vector<std::string_view>& alleles) const {
  const size_t n_alt = alleles.empty() ? 0 : alleles.size() - 1;
  std::vector<AlleleConsequence> out(n_alt);
  if (n_alt == 0) return out;
  std::vector<int> best_key(n_alt, INT32_MAX);

  // Allele spellings an entry may use, in order of trust (see the header comment).
  std::vector<std::vector<std::string>> spellings;
  if (style_ == AnnotationStyle::kVep && allele_col_ >= 0) {
    spellings.push_back(VepAlleleStrings(alleles));
    std::vector<std::string> minimal;
    for (size_t i = 1; i < alleles.size(); ++i)
      minimal.push_back(MinimalVepAllele(alleles[0], alleles[i]));
    spellings.push_back(std::move(minimal));
  }
  if (allele_col_ >= 0) {
    spellings.emplace_back(alleles.begin() + 1, alleles.end());
  }
  auto match_allele = [&](std::string_view allele) -> int {
    for (const auto& spelling : spellings) {
      int found = -1;
      for (size_t i = 0; i < spelling.size(); ++i) {
        if (!EqualsIgnoreCase(spelling[i], allele)) continue;
        if (found >= 0) {
          found = -2;
          break;
        }  // ambiguous in this spelling; try the next
        found = static_cast<int>(i);
      }
      if (found >= 0) return found;
    }
    return n_alt == 1 ? 0 : -1;
  };

  std::vector<std::string_view> fields;
  std::vector<int> targets;
  const int last_col = std::max({allele_col_, allele_num_col_, consequence_col_, impact_col_,
                                 symbol_col_, gene_id_col_, feature_col_});
  ForEachPart(info_value, ',', [&](std::string_view entry) {
    entry = Trim(entry);
    if (entry.empty() || entry == ".") return;
    if (style_ == AnnotationStyle::kBcsq && (entry.front() == '@' || entry.front() == '*')) return;
    fields.clear();
    // Only up to the last column used: VEP entries often have 80+ columns.
    for (size_t start = 0; fields.size() <= static_cast<size_t>(last_col);) {
      const size_t bar = entry.find('|', start);
      fields.push_back(
          entry.substr(start, bar == std::string_view::npos ? entry.npos : bar - start));
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    const std::string_view consequence = FieldAt(fields, consequence_col_);
    if (consequence.empty() || consequence == ".") return;

    const Impact annotated = ParseImpact(FieldAt(fields, impact_col_)).value_or(Impact::kNone);
    std::string_view worst_term;
    int worst_key = INT32_MAX;
    ForEachPart(consequence, '&', [&](std::string_view term) {
      term = Trim(term);
      if (term.empty()) return;
      const int key = SortKey(term, annotated);
      if (key < worst_key) {
        worst_key = key;
        worst_term = term;
      }
    });
    if (worst_term.empty()) return;

    targets.clear();
    if (style_ == AnnotationStyle::kBcsq) {
      for (size_t i = 0; i < n_alt; ++i) targets.push_back(static_cast<int>(i));
    } else if (const std::string_view num = FieldAt(fields, allele_num_col_); !num.empty()) {
      int value = 0;
      const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
      if (ec != std::errc() || ptr != num.data() + num.size() || value < 1 ||
          static_cast<size_t>(value) > n_alt) {
        return;  // malformed or out of range: skip the entry
      }
      targets.push_back(value - 1);
    } else if (allele_col_ >= 0) {
      const int index = match_allele(FieldAt(fields, allele_col_));
      if (index < 0) return;
      targets.push_back(index);
    } else {
      for (size_t i = 0; i < n_alt; ++i) targets.push_back(static_cast<int>(i));
    }

    std::string_view gene = FieldAt(fields, symbol_col_);
    if (gene.empty() || gene == ".") gene = FieldAt(fields, gene_id_col_);
    if (gene == ".") gene = {};
    const int term_index = TermIndexOf(worst_term);
    const bool intergenic = term_index >= 0 && IsIntergenic(kTerms[term_index].term);
    for (int target : targets) {
      AlleleConsequence& allele = out[target];
      if (worst_key < best_key[target]) {
        best_key[target] = worst_key;
        allele.consequence = CanonicalConsequence(worst_term);
        allele.impact =
            annotated != Impact::kNone ? annotated : ImpactOfConsequence(allele.consequence);
        allele.gene = std::string(gene);
        allele.feature = std::string(FieldAt(fields, feature_col_));
      }
      if (!gene.empty() && !intergenic &&
          std::find(allele.genes.begin(), allele.genes.end(), gene) == allele.genes.end()) {
        allele.genes.emplace_back(gene);
      }
    }
  });
  return out;
}

std::vector<AlleleConsequence> ConsequenceParser::ParseRecord(const bcf_hdr_t* header,
                                                              bcf1_t* record) const {
  bcf_unpack(record, BCF_UN_INFO);
  std::vector<std::string_view> alleles;
  for (int i = 0; i < record->n_allele; ++i) alleles.emplace_back(record->d.allele[i]);
  char* value = nullptr;
  int capacity = 0;
  const int n = bcf_get_info_string(header, record, tag_.c_str(), &value, &capacity);
  std::vector<AlleleConsequence> out =
      Parse(n > 0 ? std::string_view(value, strnlen(value, n)) : std::string_view(), alleles);
  std::free(value);
  return out;
}

}  // namespace vcfagent::store
