// CohortGraph: the in-memory adjacency of a cohort (samples, variants, genes) for multi-hop and
// co-occurrence queries that are too slow in SQL.
//
// Contract:
//   * Built once with CohortGraph::Builder from the store's rows, then immutable (except for the
//     sample-sample relations, which can be attached later with SetRelations). All const queries
//     are thread-safe.
//   * A variant is one ALT allele (multiallelics split). Calls are the store's genotype rows:
//     het, hom-alt or missing; a hom-ref call is implied, never stored. A sample is genotyped at
//     a variant when it belongs to the variant's sample group (the samples of the file set the
//     variant came from); genotyped and without a call means hom-ref. "Carrier" always means a
//     het or hom-alt call; missing calls are never carriers.
//   * Storage is compressed sparse rows in both directions: variant -> calls sorted by sample,
//     sample -> calls sorted by genomic order (chrom_id, pos, end, variant_id), gene -> variants
//     in genomic order. About 20 bytes per call; no dense sample x variant matrix.
//   * Every query returns plain structs in a deterministic order; queries whose output can be
//     big take a limit and say how much they left out.
//   * Indices (sample, variant) are the ones the Builder returned; gene ids and chrom ids are the
//     caller's (the store's) and may be sparse.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/variant_types.h"
#include "util/status.h"

namespace vcfagent::store {

inline constexpr uint32_t kNoGene = std::numeric_limits<uint32_t>::max();

// The facts about one variant (one ALT allele) that graph queries filter on. Strings stay in the
// store; chrom and gene names can be given to the builder for labels and sex inference.
struct GraphVariant {
  int64_t variant_id = 0;  // the store's id, returned in results for the caller's lookups
  uint32_t chrom_id = 0;
  int64_t pos = 0;  // 1-based, inclusive
  int64_t end = 0;  // 1-based, inclusive (pos + len(REF) - 1, or INFO/END)
  uint32_t gene_id = kNoGene;
  VariantClass variant_class = VariantClass::kSnv;
  Impact impact = Impact::kNone;
  float af = std::numeric_limits<float>::quiet_NaN();  // cohort or population AF; NaN unknown
  bool biallelic_snv = false;  // the record had exactly one ALT and it is an SNV (relatedness)
  uint32_t group = 0;          // the sample group (file set) the variant was genotyped in
};

// Relationship of two samples, in KING's degrees (see relatedness.h for how it is inferred).
enum class Relationship : uint8_t {
  kUnknown,  // too few informative sites
  kDuplicate,
  kParentChild,
  kFullSibling,
  kSecondDegree,
  kThirdDegree,
  kUnrelated,
};
std::string_view ToString(Relationship r);  // "duplicate", "parent-child", "full-sibling", ...

// An undirected sample-sample edge (computed by relatedness.h or given by a pedigree).
struct SampleRelation {
  uint32_t sample1 = 0;
  uint32_t sample2 = 0;
  Relationship relationship = Relationship::kUnknown;
  double kinship = std::numeric_limits<double>::quiet_NaN();
};

// A 1-based inclusive interval on one chromosome; a variant matches when [pos, end] overlaps it.
struct GraphRegion {
  uint32_t chrom_id = 0;
  int64_t start = 0;
  int64_t end = std::numeric_limits<int64_t>::max();
};

// One call seen from a variant.
struct CarrierCall {
  uint32_t sample = 0;
  Zygosity zygosity = Zygosity::kHet;
  int16_t gq = -1;  // -1 unknown
  int32_t dp = -1;  // -1 unknown
};

// One call seen from a sample.
struct SampleCall {
  uint32_t variant = 0;
  Zygosity zygosity = Zygosity::kHet;
  int16_t gq = -1;
  int32_t dp = -1;
};

struct SampleVariantsQuery {
  std::vector<uint32_t> genes;        // empty: any gene (or none)
  std::optional<GraphRegion> region;  // unset: genome-wide
  bool het = true;
  bool hom_alt = true;
  bool missing = false;
  size_t limit = 0;  // 0: no limit
};
struct SampleVariantsResult {
  std::vector<SampleCall> calls;  // genomic order
  size_t total = 0;               // matches before the limit
};

struct SharedResult {
  uint64_t shared = 0;                // both carry the variant
  uint64_t shared_same_zygosity = 0;  // ... with the same zygosity
  uint64_t only_first = 0;            // the first carries it, the second does not
  uint64_t only_second = 0;
  // Of only_first (only_second): the other sample had no call there (missing or not genotyped),
  // so "only" is not proven.
  uint64_t only_first_other_uncalled = 0;
  uint64_t only_second_other_uncalled = 0;
  // Lists in genomic order, each cut at the list limit (the counts above are always complete).
  std::vector<uint32_t> shared_variants;
  std::vector<uint32_t> only_first_variants;
  std::vector<uint32_t> only_second_variants;
};

// Which variants count for a burden test. A variant qualifies when its impact >= min_impact,
// its AF <= max_af (unknown AF qualifies unless require_af), and its class is in `classes`.
struct QualifyingPredicate {
  Impact min_impact = Impact::kNone;
  double max_af = std::numeric_limits<double>::infinity();
  bool require_af = false;
  uint32_t class_mask = (1u << kVariantClassCount) - 1;  // bit per VariantClass
  static uint32_t ClassBit(VariantClass c) { return 1u << static_cast<unsigned>(c); }
  bool Qualifies(const GraphVariant& v) const;
};
struct GeneBurden {
  uint32_t gene_id = kNoGene;
  std::vector<uint32_t> variants;  // qualifying variants the sample carries, genomic order
};
struct SampleBurden {
  uint32_t sample = 0;
  uint32_t qualifying_variants = 0;
  uint32_t hom_alt_variants = 0;  // of those, carried hom-alt
  std::vector<GeneBurden> genes;  // by gene id
};

struct CooccurHit {
  uint32_t variant = 0;
  uint32_t shared_carriers = 0;
  uint32_t carriers = 0;  // of this variant
  double jaccard = 0;     // shared / (carriers of query + carriers of this - shared)
};
struct CooccurResult {
  uint32_t query_carriers = 0;
  size_t total = 0;  // variants with >= min_shared shared carriers, before top_n
  std::vector<CooccurHit> hits;  // shared desc, jaccard desc, genomic order
};

enum class NodeKind : uint8_t { kSample, kVariant, kGene };
std::string_view ToString(NodeKind k);  // "sample", "variant", "gene"
struct NodeRef {
  NodeKind kind = NodeKind::kSample;
  uint32_t id = 0;  // sample index, variant index or gene id
  friend bool operator==(const NodeRef&, const NodeRef&) = default;
  friend auto operator<=>(const NodeRef&, const NodeRef&) = default;
};
enum class EdgeKind : uint8_t { kCarries, kInGene, kRelated };
std::string_view ToString(EdgeKind k);  // "carries", "in-gene", "related"
struct GraphNode {
  NodeRef ref;
  int depth = 0;      // hops from the start node
  std::string label;  // sample name, "chrom:pos" (or "#variant_id"), gene name (or "gene:ID")
};
struct GraphEdge {
  EdgeKind kind = EdgeKind::kCarries;
  NodeRef from;  // carries: sample -> variant; in-gene: variant -> gene; related: lower sample first
  NodeRef to;
  Zygosity zygosity = Zygosity::kHet;  // carries only
  Relationship relationship = Relationship::kUnknown;  // related only
  double kinship = std::numeric_limits<double>::quiet_NaN();  // related only
};
struct Neighborhood {
  std::vector<GraphNode> nodes;  // breadth-first: by depth, then in each node's neighbour order
  std::vector<GraphEdge> edges;  // every edge between two returned nodes, sorted
  bool truncated = false;
  // When truncated: the nodes found at the depth where the cap was hit that were left out.
  // Deeper levels were not explored, so the true neighbourhood is larger still.
  uint64_t nodes_cut = 0;
  int cut_at_depth = -1;
};

class CohortGraph {
 public:
  class Builder;

  size_t num_samples() const { return sample_names_.size(); }
  size_t num_variants() const { return variants_.size(); }
  size_t num_calls() const { return call_sample_.size(); }
  size_t num_groups() const { return groups_.size(); }
  const std::string& sample_name(uint32_t sample) const { return sample_names_[sample]; }
  std::optional<uint32_t> FindSample(std::string_view name) const;
  const GraphVariant& variant(uint32_t index) const { return variants_[index]; }
  // "" when the builder was given no name for it.
  std::string_view chrom_name(uint32_t chrom_id) const;
  std::string_view gene_name(uint32_t gene_id) const;
  // Whether `sample` was genotyped at `variant` (is in the variant's group).
  bool IsGenotyped(uint32_t sample, uint32_t variant) const;
  const std::vector<uint32_t>& group_samples(uint32_t group) const { return groups_[group]; }
  // The variants of a sample's calls (genomic order) and their zygosities, including missing.
  std::span<const uint32_t> sample_call_variants(uint32_t sample) const;
  std::span<const Zygosity> sample_call_zygosities(uint32_t sample) const;
  // Approximate heap bytes held by the graph.
  size_t MemoryBytes() const;

  // The calls at a variant, by sample; missing calls only when asked.
  std::vector<CarrierCall> Carriers(uint32_t variant, bool include_missing = false) const;
  uint32_t CarrierCount(uint32_t variant) const { return carrier_count_[variant]; }
  SampleVariantsResult SampleVariants(uint32_t sample, const SampleVariantsQuery& query) const;
  SharedResult Shared(uint32_t first, uint32_t second, size_t list_limit = 100) const;
  // Per sample with at least one qualifying variant in `gene_ids` (empty: every gene), by sample.
  std::vector<SampleBurden> Burden(const std::vector<uint32_t>& gene_ids,
                                   const QualifyingPredicate& predicate) const;
  CooccurResult Cooccur(uint32_t variant, uint32_t min_shared = 1, size_t top_n = 20) const;
  // Breadth-first neighbourhood of `start` up to `depth` hops, at most `max_nodes` nodes
  // (start included). InvalidInput when the start node does not exist.
  Result<Neighborhood> Neighbors(NodeRef start, int depth, size_t max_nodes) const;

  // Attaches sample-sample edges (replacing earlier ones); self pairs and unknown samples are
  // rejected.
  Status SetRelations(std::vector<SampleRelation> relations);
  const std::vector<SampleRelation>& relations() const { return relations_; }

 private:
  CohortGraph() = default;
  uint32_t RankOf(uint32_t variant) const { return rank_[variant]; }
  std::string VariantLabel(uint32_t variant) const;
  std::string GeneLabel(uint32_t gene_id) const;
  std::span<const uint32_t> GeneVariants(uint32_t gene_id) const;

  std::vector<std::string> sample_names_;
  std::unordered_map<std::string, uint32_t> sample_by_name_;
  std::vector<std::vector<uint32_t>> groups_;            // sorted sample lists
  std::vector<std::vector<uint64_t>> group_member_bits_;  // per group, bit per sample
  std::vector<GraphVariant> variants_;
  std::vector<uint32_t> rank_;     // variant -> genomic rank
  std::vector<uint32_t> by_rank_;  // genomic rank -> variant
  int64_t max_span_ = 0;           // max(end - pos), bounds region scans
  std::vector<uint32_t> carrier_count_;

  // variant -> calls, sorted by sample
  std::vector<uint64_t> variant_offsets_;
  std::vector<uint32_t> call_sample_;
  std::vector<Zygosity> call_zygosity_;
  std::vector<int16_t> call_gq_;
  std::vector<int32_t> call_dp_;
  // sample -> calls, in genomic order
  std::vector<uint64_t> sample_offsets_;
  std::vector<uint32_t> sample_variant_;
  std::vector<Zygosity> sample_zygosity_;
  std::vector<uint32_t> sample_call_index_;  // into the variant-major arrays
  // gene -> variants in genomic order, genes sorted by id
  std::vector<uint32_t> gene_ids_;
  std::vector<uint64_t> gene_offsets_;
  std::vector<uint32_t> gene_variants_;

  std::vector<std::string> chrom_names_;
  std::unordered_map<uint32_t, std::string> gene_names_;
  std::vector<SampleRelation> relations_;  // sorted by (sample1, sample2), sample1 < sample2
  std::vector<std::vector<uint32_t>> relations_of_sample_;  // indices into relations_
};

class CohortGraph::Builder {
 public:
  uint32_t AddSample(std::string name);
  // The samples genotyped together (one file or file set); returns the group id.
  uint32_t AddSampleGroup(std::vector<uint32_t> samples);
  uint32_t AddVariant(const GraphVariant& variant);
  // Any order. Hom-ref calls are accepted and dropped (they are implied).
  void AddCall(uint32_t variant, uint32_t sample, Zygosity zygosity, int16_t gq = -1,
               int32_t dp = -1);
  void SetChromNames(std::vector<std::string> names);  // index = chrom_id
  void SetGeneName(uint32_t gene_id, std::string name);
  void Reserve(size_t variants, size_t calls);

  // InvalidInput for duplicate sample names, unknown indices or groups, a call for a sample not
  // in the variant's group, or two calls for the same (variant, sample). Leaves the builder empty.
  Result<CohortGraph> Build();

 private:
  struct PendingCall {
    uint32_t variant;
    uint32_t sample;
    int32_t dp;
    int16_t gq;
    Zygosity zygosity;
  };
  std::vector<std::string> sample_names_;
  std::vector<std::vector<uint32_t>> groups_;
  std::vector<GraphVariant> variants_;
  std::vector<PendingCall> calls_;
  std::vector<std::string> chrom_names_;
  std::unordered_map<uint32_t, std::string> gene_names_;
};

}  // namespace vcfagent::store
