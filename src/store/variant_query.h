// Variant queries over the store: by region, gene, sample (and zygosity) and a --where
// expression, sorted and paged. The engine behind `vcf-agent variants`, the API and the agent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/variant_types.h"
#include "vcf/region.h"

namespace vcfagent::store {

struct VariantQuery {
  std::vector<vcf::Region> regions;  // any of them (0-based half-open, as vcf::Region)
  std::vector<std::string> genes;    // any of them (case-insensitive)
  std::string sample;                // only variants this sample carries
  std::optional<Zygosity> zygosity;  // with `sample`: het or hom-alt (default: either)
  std::string where;                 // WhereExpression text
  std::vector<int64_t> variant_ids;  // restrict to these ids (used by similar --where)
  enum class Sort { kPosition, kQual, kAf, kCohortAf, kImpact, kCarriers } sort = Sort::kPosition;
  bool descending = false;
  int64_t limit = 100;  // 0: no limit
  int64_t offset = 0;
};

struct QueriedCall {
  std::string sample;
  std::string gt;
  Zygosity zygosity = Zygosity::kHet;
  std::optional<int64_t> dp, gq;
  std::string ad;
  int64_t file_id = 0;  // the file the call came from: `gt` numbers that file's alleles
};

struct VariantRecord {
  int64_t variant_id = 0;
  std::string chrom;
  int64_t pos = 0, end = 0;
  std::string ref, alt;
  std::optional<std::string> rsid, filter;
  std::optional<float> qual, af;  // QUAL and INFO/AF: single precision in the file, kept so to print
  std::optional<double> cohort_af;
  VariantClass variant_class = VariantClass::kSnv;
  int allele_index = 1;  // the ALT's index in the original (multiallelic) record
  int64_t file_id = 0;   // the file that introduced the variant: `info` follows its header
  std::string gene, consequence, clnsig, info, annotations;
  Impact impact = Impact::kNone;
  int64_t n_het = 0, n_hom_alt = 0, n_missing = 0, n_called = 0;
  std::optional<double> mean_dp, mean_gq;
  std::optional<QueriedCall> call;  // the queried sample's call, with --sample

  std::string Label() const { return chrom + ":" + std::to_string(pos) + ":" + ref + ":" + alt; }
};

struct VariantPage {
  std::vector<VariantRecord> variants;
  bool more = false;  // another page exists after this one
};

Result<std::optional<VariantQuery::Sort>> ParseSort(const std::string& text);
Result<VariantPage> QueryVariants(Store& store, const VariantQuery& query);

// The columns every variant query selects (alias v), in the order ReadVariantRow() expects.
std::string_view VariantColumns();
VariantRecord ReadVariantRow(const Statement& stmt);

}  // namespace vcfagent::store
