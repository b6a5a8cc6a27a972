#include "vcf/site_pairing.h"

#include <strings.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace vcfagent::vcf {

namespace {

// The pairing flags of htslib's synced reader (synced_bcf_reader.h), which isec's -c sets.
constexpr unsigned kPairSnps = 1u << 0;
constexpr unsigned kPairIndels = 1u << 1;
constexpr unsigned kPairAny = 1u << 2;
constexpr unsigned kPairSome = 1u << 3;
constexpr unsigned kPairSnpRef = 1u << 4;
constexpr unsigned kPairIndelRef = 1u << 5;
constexpr unsigned kPairExact = 1u << 6;
constexpr unsigned kPairId = 1u << 7;

// Variant types as the pairing sees them.
constexpr int kSrRef = 1;
constexpr int kSrSnp = 2;
constexpr int kSrIndel = 4;
constexpr int kSrOther = 8;

constexpr unsigned kBestScore = UINT32_MAX;

unsigned PairFlags(MatchMode mode) {
  switch (mode) {
    case MatchMode::kNone: return kPairExact;
    case MatchMode::kId: return kPairExact | kPairId;
    case MatchMode::kSome: return kPairSome;
    case MatchMode::kAll: return kPairAny;
    case MatchMode::kSnps: return kPairSnps;
    case MatchMode::kIndels: return kPairIndels;
    case MatchMode::kBoth: return kPairSnps | kPairIndels;
  }
  return kPairExact;
}

int PairingType(int vcf_types) {
  if (vcf_types == VCF_REF) return kSrRef;
  int type = 0;
  if (vcf_types & (VCF_SNP | VCF_MNP)) type |= kSrSnp;
  if (vcf_types & VCF_INDEL) type |= kSrIndel;
  if (vcf_types & VCF_OTHER) type |= kSrOther;
  return type;
}

// Splits "x,y,z" into its comma-separated tokens.
template <typename F>
bool ForEachToken(std::string_view text, F&& f) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string_view::npos) end = text.size();
    if (f(text.substr(begin, end - begin))) return true;
    begin = end + 1;
  }
  return false;
}

bool SameToken(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool ContainsToken(std::string_view text, std::string_view token) {
  return ForEachToken(text, [&](std::string_view t) { return SameToken(t, token); });
}

// Same alleles in any order.
bool MultiIsExact(const std::string& a, int a_alts, const std::string& b, int b_alts) {
  if (a_alts != b_alts || a.size() != b.size()) return false;
  return !ForEachToken(a, [&](std::string_view t) { return !ContainsToken(b, t); });
}

// At least one allele in common.
bool MultiIsSubset(const std::string& a, const std::string& b) {
  return ForEachToken(a, [&](std::string_view t) { return ContainsToken(b, t); });
}

}  // namespace

bool ParseMatchMode(std::string_view text, MatchMode& mode) {
  static const std::pair<std::string_view, MatchMode> kModes[] = {
      {"none", MatchMode::kNone},     {"some", MatchMode::kSome}, {"all", MatchMode::kAll},
      {"any", MatchMode::kAll},       {"snps", MatchMode::kSnps}, {"indels", MatchMode::kIndels},
      {"both", MatchMode::kBoth},     {"id", MatchMode::kId}};
  for (const auto& [name, value] : kModes) {
    if (text == name) {
      mode = value;
      return true;
    }
  }
  return false;
}

std::string_view MatchModeName(MatchMode mode) {
  switch (mode) {
    case MatchMode::kNone: return "none";
    case MatchMode::kSome: return "some";
    case MatchMode::kAll: return "all";
    case MatchMode::kSnps: return "snps";
    case MatchMode::kIndels: return "indels";
    case MatchMode::kBoth: return "both";
    case MatchMode::kId: return "id";
  }
  return "none";
}

SitePairer::SitePairer(MatchMode mode) : mode_(mode), pair_flags_(PairFlags(mode)) {
  // Compatibility scores of type pairs, as bcf_sr_init_scores(): higher is preferred, 0 forbids.
  auto score = [&](int a, int b) -> unsigned& { return score_[(a << 4) | b]; };
  if (pair_flags_ & kPairAny) pair_flags_ |= kPairSnps | kPairIndels | kPairSnpRef | kPairIndelRef;
  if (pair_flags_ & kPairSnps) score(kSrSnp, kSrSnp) = 3;
  if (pair_flags_ & kPairIndels) score(kSrIndel, kSrIndel) = 3;
  if (pair_flags_ & kPairSnpRef) score(kSrSnp, kSrRef) = score(kSrRef, kSrSnp) = 2;
  if (pair_flags_ & kPairIndelRef) score(kSrIndel, kSrRef) = score(kSrRef, kSrIndel) = 2;
  if (pair_flags_ & kPairAny) {
    for (unsigned& s : score_) {
      if (!s) s = 1;
    }
  }
  // A record can carry several types at once (e.g. SNP and indel alleles): a combination scores
  // the best of its single-type pairs.
  for (int i = 0; i < 256; ++i) {
    if (score_[i]) continue;
    unsigned best = 0;
    for (int j = 0; j < 4; ++j) {
      if (!(i & (1 << (j + 4)))) continue;
      for (int k = 0; k < 4; ++k) {
        if (!(i & (1 << k))) continue;
        best = std::max(best, score_[((1 << j) << 4) | (1 << k)]);
      }
    }
    score_[i] = best;
  }
}

std::string SitePairer::VariantText(const bcf_hdr_t* header, bcf1_t* rec) const {
  std::string text;
  if (pair_flags_ & kPairId) {
    text += rec->d.id;
    text += ':';
  }
  int end_pos = -1;
  for (int i = 1; i < rec->n_allele; ++i) {
    if (i > 1) text += ',';
    text += rec->d.allele[0];
    text += '>';
    text += rec->d.allele[i];
    // Symbolic alleles (<DEL>...) at one position differ by their END.
    if (rec->d.allele[i][0] == '<') {
      if (end_pos == -1) {
        bcf_info_t* end = bcf_get_info(header, rec, "END");
        end_pos = end ? static_cast<int>(end->v1.i) : 0;
      }
      if (end_pos) {
        text += '/';
        text += std::to_string(end_pos);
      }
    }
  }
  if (rec->n_allele == 1) {
    text += rec->d.allele[0];
    text += ">.";
  }
  return text;
}

unsigned SitePairer::PairingScore(const VariantSet& iv, const VariantSet& jv) const {
  unsigned min = UINT32_MAX;
  for (int i : iv.variants) {
    const Variant& ivar = variants_[i];
    for (int j : jv.variants) {
      const Variant& jvar = variants_[j];
      if (pair_flags_ & kPairExact) {
        if (ivar.type != jvar.type) continue;
        if (ivar.text == jvar.text) return kBestScore;
        if (MultiIsExact(ivar.text, ivar.n_alt, jvar.text, jvar.n_alt)) return kBestScore;
        continue;
      }
      if (ivar.type == jvar.type && ivar.text == jvar.text) return kBestScore;
      if ((ivar.type & jvar.type) && MultiIsSubset(ivar.text, jvar.text)) return kBestScore;
      const unsigned score = Score(ivar.type, jvar.type);
      if (!score) return 0;
      min = std::min(min, score);
    }
  }
  if (pair_flags_ & kPairExact) return 0;
  unsigned count = 0;
  for (int i : iv.variants) count += variants_[i].n_readers;
  for (int j : jv.variants) count += variants_[j].n_readers;
  return (1u << (28 + min)) + count;
}

void SitePairer::Pair(const bcf_hdr_t* header_a, const std::vector<bcf1_t*>& a,
                      const bcf_hdr_t* header_b, const std::vector<bcf1_t*>& b,
                      std::vector<PairedLine>& lines) {
  lines.clear();
  // Only one file has records here: they come out one by one, in file order.
  if (a.empty() || b.empty()) {
    for (bcf1_t* rec : a) lines.push_back({rec, nullptr});
    for (bcf1_t* rec : b) lines.push_back({nullptr, rec});
    return;
  }

  variants_.clear();
  sets_.clear();
  std::unordered_map<std::string, int> index;  // variant key -> variant
  std::vector<std::string> group_keys[2];
  std::vector<int> group_variants[2];
  const std::vector<bcf1_t*>* records[2] = {&a, &b};
  const bcf_hdr_t* headers[2] = {header_a, header_b};
  for (int reader = 0; reader < 2; ++reader) {
    for (bcf1_t* rec : *records[reader]) {
      std::string text = VariantText(headers[reader], rec);
      // Duplicate records (same alleles twice in one file) become distinct variants "text",
      // "text0", "text1"...; each pairs with at most one record of the other file.
      std::string key = text;
      int variant = -1;
      for (int dup = 0;; ++dup) {
        auto it = index.find(key);
        if (it == index.end()) break;
        if (variants_[it->second].last_reader != reader) {
          variant = it->second;
          break;
        }
        key = text + std::to_string(dup);
      }
      if (variant < 0) {
        variant = static_cast<int>(variants_.size());
        variants_.emplace_back();
        variants_.back().text = text;
        index.emplace(key, variant);
      }
      Variant& var = variants_[variant];
      var.n_alt = rec->n_allele - 1;
      var.type = PairingType(bcf_get_variant_types(rec));
      var.rec[reader] = rec;
      var.last_reader = reader;
      ++var.n_readers;
      group_keys[reader].push_back(std::move(text));
      group_variants[reader].push_back(variant);
    }
    std::sort(group_keys[reader].begin(), group_keys[reader].end());
  }
  // Files with the same multiset of alleles here form one group; otherwise one group each.
  const bool one_group = group_keys[0] == group_keys[1];
  for (int v : group_variants[0]) variants_[v].mask |= 1u;
  if (!one_group) {
    for (int v : group_variants[1]) variants_[v].mask |= 2u;
  }

  for (int v = 0; v < static_cast<int>(variants_.size()); ++v) {
    sets_.push_back({{v}, variants_[v].mask, variants_[v].n_readers});
  }
  while (!sets_.empty()) {
    int imax = 0;
    for (int i = 1; i < static_cast<int>(sets_.size()); ++i) {
      if (sets_[imax].count < sets_[i].count) imax = i;
    }
    int ipair = -1;
    unsigned best = 0;
    for (int i = 0; i < static_cast<int>(sets_.size()); ++i) {
      if (sets_[imax].mask & sets_[i].mask) continue;  // same group: cannot be merged
      const unsigned score = PairingScore(sets_[imax], sets_[i]);
      if (best < score) {
        best = score;
        ipair = i;
      }
    }
    if (ipair != -1 && ipair != imax) {
      const int keep = std::min(imax, ipair);
      const int drop = std::max(imax, ipair);
      VariantSet& kept = sets_[keep];
      kept.mask |= sets_[drop].mask;
      kept.variants.insert(kept.variants.end(), sets_[drop].variants.begin(),
                           sets_[drop].variants.end());
      kept.count += sets_[drop].count;
      sets_.erase(sets_.begin() + drop);
      continue;
    }
    PairedLine line;
    for (int v : sets_[imax].variants) {
      if (variants_[v].rec[0]) line.a = variants_[v].rec[0];
      if (variants_[v].rec[1]) line.b = variants_[v].rec[1];
    }
    lines.push_back(line);
    sets_.erase(sets_.begin() + imax);
  }
}

}  // namespace vcfagent::vcf
