#include "store/graph/cohort_graph.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>

namespace vcfagent::store {

std::string_view ToString(Relationship r) {
  switch (r) {
    case Relationship::kDuplicate: return "duplicate";
    case Relationship::kParentChild: return "parent-child";
    case Relationship::kFullSibling: return "full-sibling";
    case Relationship::kSecondDegree: return "second-degree";
    case Relationship::kThirdDegree: return "third-degree";
    case Relationship::kUnrelated: return "unrelated";
    case Relationship::kUnknown: break;
  }
  return "unknown";
}

std::string_view ToString(NodeKind k) {
  switch (k) {
    case NodeKind::kSample: return "sample";
    case NodeKind::kVariant: return "variant";
    case NodeKind::kGene: break;
  }
  return "gene";
}

std::string_view ToString(EdgeKind k) {
  switch (k) {
    case EdgeKind::kCarries: return "carries";
    case EdgeKind::kInGene: return "in-gene";
    case EdgeKind::kRelated: break;
  }
  return "related";
}

bool QualifyingPredicate::Qualifies(const GraphVariant& v) const {
  if (static_cast<int>(v.impact) < static_cast<int>(min_impact)) return false;
  if ((class_mask & ClassBit(v.variant_class)) == 0) return false;
  if (std::isnan(v.af)) return !require_af;
  return v.af <= max_af;
}

// ---------------------------------------------------------------------------------------------
// Builder

uint32_t CohortGraph::Builder::AddSample(std::string name) {
  sample_names_.push_back(std::move(name));
  return static_cast<uint32_t>(sample_names_.size() - 1);
}

uint32_t CohortGraph::Builder::AddSampleGroup(std::vector<uint32_t> samples) {
  groups_.push_back(std::move(samples));
  return static_cast<uint32_t>(groups_.size() - 1);
}

uint32_t CohortGraph::Builder::AddVariant(const GraphVariant& variant) {
  variants_.push_back(variant);
  return static_cast<uint32_t>(variants_.size() - 1);
}

void CohortGraph::Builder::AddCall(uint32_t variant, uint32_t sample, Zygosity zygosity,
                                   int16_t gq, int32_t dp) {
  if (zygosity == Zygosity::kHomRef) return;
  calls_.push_back(PendingCall{variant, sample, dp, gq, zygosity});
}

void CohortGraph::Builder::SetChromNames(std::vector<std::string> names) {
  chrom_names_ = std::move(names);
}

void CohortGraph::Builder::SetGeneName(uint32_t gene_id, std::string name) {
  gene_names_[gene_id] = std::move(name);
}

void CohortGraph::Builder::Reserve(size_t variants, size_t calls) {
  variants_.reserve(variants);
  calls_.reserve(calls);
}

Result<CohortGraph> CohortGraph::Builder::Build() {
  // Take everything out first so that the builder is empty whatever happens.
  std::vector<std::string> sample_names = std::move(sample_names_);
  std::vector<std::vector<uint32_t>> groups = std::move(groups_);
  std::vector<GraphVariant> variants = std::move(variants_);
  std::vector<PendingCall> calls = std::move(calls_);
  std::vector<std::string> chrom_names = std::move(chrom_names_);
  std::unordered_map<uint32_t, std::string> gene_names = std::move(gene_names_);
  *this = Builder();

  const size_t ns = sample_names.size();
  const size_t nv = variants.size();
  if (nv >= std::numeric_limits<uint32_t>::max() || ns >= std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidInput("cohort graph: too many samples or variants for 32-bit indices");
  }
  CohortGraph g;
  g.sample_names_ = std::move(sample_names);
  for (uint32_t s = 0; s < ns; ++s) {
    if (!g.sample_by_name_.emplace(g.sample_names_[s], s).second) {
      return Status::InvalidInput("cohort graph: duplicate sample name '" + g.sample_names_[s] + "'");
    }
  }
  const size_t sample_words = (ns + 63) / 64;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    auto& members = groups[gi];
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    std::vector<uint64_t> bits(sample_words, 0);
    for (uint32_t s : members) {
      if (s >= ns) {
        return Status::InvalidInput("cohort graph: sample group " + std::to_string(gi) +
                                    " names unknown sample index " + std::to_string(s));
      }
      bits[s / 64] |= uint64_t{1} << (s % 64);
    }
    g.group_member_bits_.push_back(std::move(bits));
  }
  g.groups_ = std::move(groups);
  g.variants_ = std::move(variants);
  for (size_t v = 0; v < nv; ++v) {
    const GraphVariant& var = g.variants_[v];
    if (var.group >= g.groups_.size()) {
      return Status::InvalidInput("cohort graph: variant " + std::to_string(var.variant_id) +
                                  " names unknown sample group " + std::to_string(var.group));
    }
    if (var.end < var.pos) {
      return Status::InvalidInput("cohort graph: variant " + std::to_string(var.variant_id) +
                                  " ends (" + std::to_string(var.end) + ") before it starts (" +
                                  std::to_string(var.pos) + ")");
    }
    g.max_span_ = std::max(g.max_span_, var.end - var.pos);
  }

  // Genomic order.
  g.by_rank_.resize(nv);
  std::iota(g.by_rank_.begin(), g.by_rank_.end(), 0u);
  std::sort(g.by_rank_.begin(), g.by_rank_.end(), [&](uint32_t a, uint32_t b) {
    const GraphVariant& x = g.variants_[a];
    const GraphVariant& y = g.variants_[b];
    return std::tie(x.chrom_id, x.pos, x.end, x.variant_id, a) <
           std::tie(y.chrom_id, y.pos, y.end, y.variant_id, b);
  });
  g.rank_.resize(nv);
  for (uint32_t r = 0; r < nv; ++r) g.rank_[g.by_rank_[r]] = r;

  // Variant-major rows: counting sort by variant, then by sample within each variant.
  for (const PendingCall& c : calls) {
    if (c.variant >= nv || c.sample >= ns) {
      return Status::InvalidInput("cohort graph: call names unknown " +
                                  std::string(c.variant >= nv ? "variant index " : "sample index ") +
                                  std::to_string(c.variant >= nv ? c.variant : c.sample));
    }
    if (static_cast<uint8_t>(c.zygosity) > static_cast<uint8_t>(Zygosity::kMissing)) {
      return Status::InvalidInput("cohort graph: call with an invalid zygosity code");
    }
  }
  const size_t nc = calls.size();
  g.variant_offsets_.assign(nv + 1, 0);
  for (const PendingCall& c : calls) ++g.variant_offsets_[c.variant + 1];
  for (size_t v = 0; v < nv; ++v) g.variant_offsets_[v + 1] += g.variant_offsets_[v];
  {
    std::vector<uint64_t> cursor(g.variant_offsets_.begin(), g.variant_offsets_.end() - 1);
    std::vector<uint32_t> order(nc);
    for (uint32_t i = 0; i < nc; ++i) order[cursor[calls[i].variant]++] = i;
    g.call_sample_.resize(nc);
    g.call_zygosity_.resize(nc);
    g.call_gq_.resize(nc);
    g.call_dp_.resize(nc);
    g.carrier_count_.assign(nv, 0);
    for (uint32_t v = 0; v < nv; ++v) {
      const uint64_t lo = g.variant_offsets_[v], hi = g.variant_offsets_[v + 1];
      std::sort(order.begin() + lo, order.begin() + hi,
                [&](uint32_t a, uint32_t b) { return calls[a].sample < calls[b].sample; });
      const GraphVariant& var = g.variants_[v];
      for (uint64_t k = lo; k < hi; ++k) {
        const PendingCall& c = calls[order[k]];
        if (k > lo && g.call_sample_[k - 1] == c.sample) {
          return Status::InvalidInput("cohort graph: two calls for sample '" +
                                      g.sample_names_[c.sample] + "' at variant " +
                                      std::to_string(var.variant_id));
        }
        if (!g.IsGenotyped(c.sample, v)) {
          return Status::InvalidInput("cohort graph: sample '" + g.sample_names_[c.sample] +
                                      "' has a call at variant " + std::to_string(var.variant_id) +
                                      " but is not in its sample group " +
                                      std::to_string(var.group));
        }
        g.call_sample_[k] = c.sample;
        g.call_zygosity_[k] = c.zygosity;
        g.call_gq_[k] = c.gq;
        g.call_dp_[k] = c.dp;
        if (c.zygosity != Zygosity::kMissing) ++g.carrier_count_[v];
      }
    }
  }
  calls.clear();
  calls.shrink_to_fit();

  // Sample-major rows in genomic order: walk variants by rank and append (a stable bucket sort).
  g.sample_offsets_.assign(ns + 1, 0);
  for (uint32_t s : g.call_sample_) ++g.sample_offsets_[s + 1];
  for (size_t s = 0; s < ns; ++s) g.sample_offsets_[s + 1] += g.sample_offsets_[s];
  g.sample_variant_.resize(nc);
  g.sample_zygosity_.resize(nc);
  g.sample_call_index_.resize(nc);
  {
    std::vector<uint64_t> cursor(g.sample_offsets_.begin(), g.sample_offsets_.end() - 1);
    for (uint32_t r = 0; r < nv; ++r) {
      const uint32_t v = g.by_rank_[r];
      for (uint64_t k = g.variant_offsets_[v]; k < g.variant_offsets_[v + 1]; ++k) {
        const uint64_t at = cursor[g.call_sample_[k]]++;
        g.sample_variant_[at] = v;
        g.sample_zygosity_[at] = g.call_zygosity_[k];
        g.sample_call_index_[at] = static_cast<uint32_t>(k);
      }
    }
  }

  // Gene -> variants in genomic order.
  {
    std::vector<std::pair<uint32_t, uint32_t>> gene_rank;  // (gene, rank)
    for (uint32_t r = 0; r < nv; ++r) {
      const uint32_t gene = g.variants_[g.by_rank_[r]].gene_id;
      if (gene != kNoGene) gene_rank.emplace_back(gene, r);
    }
    std::sort(gene_rank.begin(), gene_rank.end());
    g.gene_offsets_.push_back(0);
    for (size_t i = 0; i < gene_rank.size(); ++i) {
      if (i == 0 || gene_rank[i].first != gene_rank[i - 1].first) {
        if (i > 0) g.gene_offsets_.push_back(i);
        g.gene_ids_.push_back(gene_rank[i].first);
      }
      g.gene_variants_.push_back(g.by_rank_[gene_rank[i].second]);
    }
    if (!gene_rank.empty()) g.gene_offsets_.push_back(gene_rank.size());
  }
  g.chrom_names_ = std::move(chrom_names);
  g.gene_names_ = std::move(gene_names);
  g.relations_of_sample_.resize(ns);
  return g;
}

// ---------------------------------------------------------------------------------------------
// Accessors

std::optional<uint32_t> CohortGraph::FindSample(std::string_view name) const {
  auto it = sample_by_name_.find(std::string(name));
  if (it == sample_by_name_.end()) return std::nullopt;
  return it->second;
}

std::string_view CohortGraph::chrom_name(uint32_t chrom_id) const {
  return chrom_id < chrom_names_.size() ? std::string_view(chrom_names_[chrom_id]) : "";
}

std::string_view CohortGraph::gene_name(uint32_t gene_id) const {
  auto it = gene_names_.find(gene_id);
  return it == gene_names_.end() ? std::string_view() : std::string_view(it->second);
}

bool CohortGraph::IsGenotyped(uint32_t sample, uint32_t variant) const {
  const auto& bits = group_member_bits_[variants_[variant].group];
  return (bits[sample / 64] >> (sample % 64)) & 1;
}

std::span<const uint32_t> CohortGraph::sample_call_variants(uint32_t sample) const {
  return {sample_variant_.data() + sample_offsets_[sample],
          sample_variant_.data() + sample_offsets_[sample + 1]};
}

std::span<const Zygosity> CohortGraph::sample_call_zygosities(uint32_t sample) const {
  return {sample_zygosity_.data() + sample_offsets_[sample],
          sample_zygosity_.data() + sample_offsets_[sample + 1]};
}

std::span<const uint32_t> CohortGraph::GeneVariants(uint32_t gene_id) const {
  auto it = std::lower_bound(gene_ids_.begin(), gene_ids_.end(), gene_id);
  if (it == gene_ids_.end() || *it != gene_id) return {};
  const size_t i = it - gene_ids_.begin();
  return {gene_variants_.data() + gene_offsets_[i], gene_variants_.data() + gene_offsets_[i + 1]};
}

size_t CohortGraph::MemoryBytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  size_t total = bytes(variants_) + bytes(rank_) + bytes(by_rank_) + bytes(carrier_count_) +
                 bytes(variant_offsets_) + bytes(call_sample_) + bytes(call_zygosity_) +
                 bytes(call_gq_) + bytes(call_dp_) + bytes(sample_offsets_) +
                 bytes(sample_variant_) + bytes(sample_zygosity_) + bytes(sample_call_index_) +
                 bytes(gene_ids_) + bytes(gene_offsets_) + bytes(gene_variants_) +
                 bytes(relations_);
  for (const auto& name : sample_names_) total += sizeof(name) + name.capacity();
  for (const auto& bits : group_member_bits_) total += bytes(bits);
  for (const auto& members : groups_) total += bytes(members);
  return total;
}

std::string CohortGraph::VariantLabel(uint32_t variant) const {
  const GraphVariant& v = variants_[variant];
  const std::string_view chrom = chrom_name(v.chrom_id);
  // Appending (not operator+ on a temporary) avoids a GCC 12 -Wrestrict false positive.
  std::string label;
  if (chrom.empty()) {
    label = "#";
    label += std::to_string(v.variant_id);
  } else {
    label = chrom;
    label += ':';
    label += std::to_string(v.pos);
  }
  return label;
}

std::string CohortGraph::GeneLabel(uint32_t gene_id) const {
  const std::string_view name = gene_name(gene_id);
  return name.empty() ? "gene:" + std::to_string(gene_id) : std::string(name);
}

// ---------------------------------------------------------------------------------------------
// Queries

std::vector<CarrierCall> CohortGraph::Carriers(uint32_t variant, bool include_missing) const {
  std::vector<CarrierCall> out;
  if (variant >= variants_.size()) return out;
  for (uint64_t k = variant_offsets_[variant]; k < variant_offsets_[variant + 1]; ++k) {
    if (call_zygosity_[k] == Zygosity::kMissing && !include_missing) continue;
    out.push_back(CarrierCall{call_sample_[k], call_zygosity_[k], call_gq_[k], call_dp_[k]});
  }
  return out;
}

SampleVariantsResult CohortGraph::SampleVariants(uint32_t sample,
                                                 const SampleVariantsQuery& query) const {
  SampleVariantsResult result;
  if (sample >= num_samples()) return result;
  const uint64_t lo = sample_offsets_[sample], hi = sample_offsets_[sample + 1];
  auto rank_at = [&](uint64_t k) { return rank_[sample_variant_[k]]; };

  auto accept = [&](uint64_t k) {
    const Zygosity z = sample_zygosity_[k];
    const bool wanted = (z == Zygosity::kHet && query.het) ||
                        (z == Zygosity::kHomAlt && query.hom_alt) ||
                        (z == Zygosity::kMissing && query.missing);
    if (!wanted) return;
    const GraphVariant& v = variants_[sample_variant_[k]];
    if (query.region) {
      const GraphRegion& r = *query.region;
      if (v.chrom_id != r.chrom_id || v.pos > r.end || v.end < r.start) return;
    }
    ++result.total;
    if (query.limit == 0 || result.calls.size() < query.limit) {
      const uint32_t c = sample_call_index_[k];
      result.calls.push_back(SampleCall{sample_variant_[k], z, call_gq_[c], call_dp_[c]});
    }
  };

  if (!query.genes.empty()) {
    // Gene variant lists are short: look each one up in the sample's rank-sorted calls.
    std::vector<uint32_t> genes = query.genes;
    std::sort(genes.begin(), genes.end());
    genes.erase(std::unique(genes.begin(), genes.end()), genes.end());
    std::vector<uint64_t> hits;
    for (uint32_t gene : genes) {
      for (uint32_t v : GeneVariants(gene)) {
        const uint32_t r = rank_[v];
        uint64_t a = lo, b = hi;
        while (a < b) {
          const uint64_t m = a + (b - a) / 2;
          if (rank_at(m) < r) a = m + 1; else b = m;
        }
        if (a < hi && rank_at(a) == r) hits.push_back(a);
      }
    }
    std::sort(hits.begin(), hits.end());  // call positions are in genomic order
    for (uint64_t k : hits) accept(k);
    return result;
  }

  uint64_t begin = lo, end = hi;
  if (query.region) {
    // Calls are sorted by (chrom, pos): binary search the first one that can overlap.
    const GraphRegion& r = *query.region;
    const int64_t from = r.start > std::numeric_limits<int64_t>::min() + max_span_
                             ? r.start - max_span_ : r.start;
    uint64_t a = lo, b = hi;
    while (a < b) {
      const uint64_t m = a + (b - a) / 2;
      const GraphVariant& v = variants_[sample_variant_[m]];
      if (std::tie(v.chrom_id, v.pos) < std::tie(r.chrom_id, from)) a = m + 1; else b = m;
    }
    begin = a;
    for (end = begin; end < hi; ++end) {
      const GraphVariant& v = variants_[sample_variant_[end]];
      if (v.chrom_id != r.chrom_id || v.pos > r.end) break;
    }
  }
  for (uint64_t k = begin; k < end; ++k) accept(k);
  return result;
}

SharedResult CohortGraph::Shared(uint32_t first, uint32_t second, size_t list_limit) const {
  SharedResult out;
  if (first >= num_samples() || second >= num_samples()) return out;
  uint64_t i = sample_offsets_[first], i_end = sample_offsets_[first + 1];
  uint64_t j = sample_offsets_[second], j_end = sample_offsets_[second + 1];
  auto push = [list_limit](std::vector<uint32_t>& list, uint32_t v) {
    if (list.size() < list_limit) list.push_back(v);
  };
  auto only = [&](uint32_t v, Zygosity z, bool other_called, bool first_side) {
    if (z == Zygosity::kMissing) return;
    uint64_t& count = first_side ? out.only_first : out.only_second;
    uint64_t& uncalled = first_side ? out.only_first_other_uncalled : out.only_second_other_uncalled;
    ++count;
    if (!other_called) ++uncalled;
    push(first_side ? out.only_first_variants : out.only_second_variants, v);
  };
  while (i < i_end || j < j_end) {
    const uint32_t ri = i < i_end ? rank_[sample_variant_[i]] : UINT32_MAX;
    const uint32_t rj = j < j_end ? rank_[sample_variant_[j]] : UINT32_MAX;
    if (ri < rj) {
      const uint32_t v = sample_variant_[i];
      only(v, sample_zygosity_[i], IsGenotyped(second, v), true);
      ++i;
    } else if (rj < ri) {
      const uint32_t v = sample_variant_[j];
      only(v, sample_zygosity_[j], IsGenotyped(first, v), false);
      ++j;
    } else {
      const uint32_t v = sample_variant_[i];
      const Zygosity zi = sample_zygosity_[i], zj = sample_zygosity_[j];
      if (zi != Zygosity::kMissing && zj != Zygosity::kMissing) {
        ++out.shared;
        if (zi == zj) ++out.shared_same_zygosity;
        push(out.shared_variants, v);
      } else {
        only(v, zi, zj != Zygosity::kMissing, true);
        only(v, zj, zi != Zygosity::kMissing, false);
      }
      ++i;
      ++j;
    }
  }
  return out;
}

std::vector<SampleBurden> CohortGraph::Burden(const std::vector<uint32_t>& gene_ids,
                                              const QualifyingPredicate& predicate) const {
  std::vector<uint32_t> genes = gene_ids.empty() ? gene_ids_ : gene_ids;
  std::sort(genes.begin(), genes.end());
  genes.erase(std::unique(genes.begin(), genes.end()), genes.end());
  std::vector<int64_t> slot(num_samples(), -1);  // sample -> index in `out`
  std::vector<SampleBurden> out;
  for (uint32_t gene : genes) {
    for (uint32_t v : GeneVariants(gene)) {  // genomic order, so per-gene lists come out sorted
      if (!predicate.Qualifies(variants_[v])) continue;
      for (uint64_t k = variant_offsets_[v]; k < variant_offsets_[v + 1]; ++k) {
        const Zygosity z = call_zygosity_[k];
        if (z == Zygosity::kMissing) continue;
        const uint32_t s = call_sample_[k];
        if (slot[s] < 0) {
          slot[s] = static_cast<int64_t>(out.size());
          out.push_back(SampleBurden{s, 0, 0, {}});
        }
        SampleBurden& b = out[slot[s]];
        if (b.genes.empty() || b.genes.back().gene_id != gene) b.genes.push_back({gene, {}});
        b.genes.back().variants.push_back(v);
        ++b.qualifying_variants;
        if (z == Zygosity::kHomAlt) ++b.hom_alt_variants;
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const SampleBurden& a, const SampleBurden& b) { return a.sample < b.sample; });
  return out;
}

CooccurResult CohortGraph::Cooccur(uint32_t variant, uint32_t min_shared, size_t top_n) const {
  CooccurResult out;
  if (variant >= variants_.size()) return out;
  out.query_carriers = carrier_count_[variant];
  // Count, for every variant, how many of the query's carriers also carry it: one pass over
  // each carrier's calls. Proportional to the calls of the carriers, not to the cohort.
  std::vector<uint32_t> shared(variants_.size(), 0);
  for (uint64_t k = variant_offsets_[variant]; k < variant_offsets_[variant + 1]; ++k) {
    if (call_zygosity_[k] == Zygosity::kMissing) continue;
    const uint32_t s = call_sample_[k];
    for (uint64_t c = sample_offsets_[s]; c < sample_offsets_[s + 1]; ++c) {
      if (sample_zygosity_[c] != Zygosity::kMissing) ++shared[sample_variant_[c]];
    }
  }
  shared[variant] = 0;
  const uint32_t threshold = std::max<uint32_t>(min_shared, 1);
  std::vector<CooccurHit> hits;
  for (uint32_t v = 0; v < shared.size(); ++v) {
    if (shared[v] < threshold) continue;
    const double uni = double(out.query_carriers) + carrier_count_[v] - shared[v];
    hits.push_back(CooccurHit{v, shared[v], carrier_count_[v], shared[v] / uni});
  }
  out.total = hits.size();
  auto better = [&](const CooccurHit& a, const CooccurHit& b) {
    if (a.shared_carriers != b.shared_carriers) return a.shared_carriers > b.shared_carriers;
    if (a.jaccard != b.jaccard) return a.jaccard > b.jaccard;
    return rank_[a.variant] < rank_[b.variant];
  };
  const size_t keep = top_n == 0 ? hits.size() : std::min(top_n, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + keep, hits.end(), better);
  hits.resize(keep);
  out.hits = std::move(hits);
  return out;
}

Status CohortGraph::SetRelations(std::vector<SampleRelation> relations) {
  for (SampleRelation& r : relations) {
    if (r.sample1 >= num_samples() || r.sample2 >= num_samples()) {
      return Status::InvalidInput("cohort graph: relation names unknown sample index " +
                                  std::to_string(std::max(r.sample1, r.sample2)));
    }
    if (r.sample1 == r.sample2) {
      return Status::InvalidInput("cohort graph: relation of sample '" +
                                  sample_names_[r.sample1] + "' with itself");
    }
    if (r.sample1 > r.sample2) std::swap(r.sample1, r.sample2);
  }
  std::sort(relations.begin(), relations.end(), [](const SampleRelation& a, const SampleRelation& b) {
    return std::tie(a.sample1, a.sample2) < std::tie(b.sample1, b.sample2);
  });
  for (size_t i = 1; i < relations.size(); ++i) {
    if (relations[i].sample1 == relations[i - 1].sample1 &&
        relations[i].sample2 == relations[i - 1].sample2) {
      return Status::InvalidInput("cohort graph: two relations for samples '" +
                                  sample_names_[relations[i].sample1] + "' and '" +
                                  sample_names_[relations[i].sample2] + "'");
    }
  }
  relations_ = std::move(relations);
  relations_of_sample_.assign(num_samples(), {});
  for (uint32_t i = 0; i < relations_.size(); ++i) {
    relations_of_sample_[relations_[i].sample1].push_back(i);
    relations_of_sample_[relations_[i].sample2].push_back(i);
  }
  return Status::Ok();
}

}  // namespace vcfagent::store
