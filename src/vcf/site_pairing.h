// SitePairing: decides which records of two files at one position are "the same site".
//
// This is the record-matching logic of `bcftools isec -c MODE`, which htslib's synced reader
// implements in bcf_sr_sort.c (BCF_SR_PAIR_* flags). It is re-implemented here for exactly two
// inputs so that `vcf-agent compare` can stream unindexed files while producing the same
// partitions as isec: records with identical alleles pair first; the remaining records pair
// greedily by the best compatibility score the mode allows (an allele in common beats SNP/SNP or
// indel/indel, which beat SNP/REF or indel/REF, which beat any other combination). A record
// pairs with at most one record of the other file.
//
// Contract: the caller passes every record of each file at one CHROM/POS, in file order, with
// BCF_UN_STR unpacked. The result lists the output "lines" in the order isec emits them; each
// line holds a record of A, of B, or of both.
#pragma once

#include <htslib/vcf.h>

#include <string>
#include <string_view>
#include <vector>

namespace vcfagent::vcf {

// The `bcftools isec -c` modes. kAll is isec's "all" (alias "any"); kId pairs records with
// identical ID and identical alleles (isec -c id of bcftools >= 1.19).
enum class MatchMode { kNone, kSome, kAll, kSnps, kIndels, kBoth, kId };

// Parses "none", "some", "all", "any", "snps", "indels", "both", "id"; false if unknown.
bool ParseMatchMode(std::string_view text, MatchMode& mode);
std::string_view MatchModeName(MatchMode mode);

struct PairedLine {
  bcf1_t* a = nullptr;  // null when the line has no record of A
  bcf1_t* b = nullptr;  // null when the line has no record of B
};

// Reusable scratch state (keeps allocations across positions).
class SitePairer {
 public:
  explicit SitePairer(MatchMode mode);

  // Pairs the records at one position. `header_a`/`header_b` are needed for INFO/END of
  // symbolic alleles. Appends to `lines` (which is cleared first).
  void Pair(const bcf_hdr_t* header_a, const std::vector<bcf1_t*>& a, const bcf_hdr_t* header_b,
            const std::vector<bcf1_t*>& b, std::vector<PairedLine>& lines);

 private:
  struct Variant {
    std::string text;        // "REF>ALT1,REF>ALT2" (with "ID:" first in id mode)
    int n_alt = 0;
    int type = 0;            // SR_* bits
    bcf1_t* rec[2] = {nullptr, nullptr};
    int last_reader = -1;
    int n_readers = 0;
    unsigned mask = 0;       // which groups (bit 0: A's group, bit 1: B's group) contain it
  };
  struct VariantSet {
    std::vector<int> variants;
    unsigned mask = 0;
    int count = 0;
  };

  std::string VariantText(const bcf_hdr_t* header, bcf1_t* rec) const;
  unsigned Score(int type_a, int type_b) const { return score_[(type_a << 4) | type_b]; }
  unsigned PairingScore(const VariantSet& i, const VariantSet& j) const;

  MatchMode mode_;
  unsigned pair_flags_ = 0;
  unsigned score_[256] = {};
  std::vector<Variant> variants_;
  std::vector<VariantSet> sets_;
};

}  // namespace vcfagent::vcf
