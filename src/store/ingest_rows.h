// The rows ingest produces from one VCF record, between the reading thread and the writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/variant_types.h"

namespace vcfagent::store {

struct GenotypeRow {
  uint32_t sample_column = 0;  // the sample's column in its file
  std::string gt;              // as written in the VCF ("0/1", "1|2", "./.")
  Zygosity zygosity = Zygosity::kHet;
  bool phased = false;
  int32_t dp = -1, gq = -1;    // -1: absent
  std::string ad;              // "ref_depth,alt_depth" for this allele, or empty
};

struct AlleleRow {
  std::string chrom;
  int64_t pos = 0, end_pos = 0;
  std::string ref, alt;
  std::optional<std::string> rsid, filter;
  std::optional<float> qual, af;  // single precision, as in the file (stored exactly in a REAL)
  VariantClass variant_class = VariantClass::kSnv;
  int allele_index = 1, n_alt_alleles = 1;
  std::string info;
  // Annotations.
  std::string gene;                // the gene of the most severe consequence
  std::vector<std::string> genes;  // every gene the allele hits
  std::string consequence;
  Impact impact = Impact::kNone;
  std::string clnsig;              // normalised clinical significance class
  std::string annotations;         // JSON object of attached --annotate fields, or empty
  // Cohort counts from this file's samples.
  int32_t n_het = 0, n_hom_alt = 0, n_missing = 0, n_called = 0;
  int64_t dp_sum = 0, dp_n = 0, gq_sum = 0, gq_n = 0;
  std::vector<GenotypeRow> genotypes;  // non-hom-ref calls, and hom-ref ones of KeepHomRefCalls columns
};

}  // namespace vcfagent::store
