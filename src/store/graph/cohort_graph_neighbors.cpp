// CohortGraph::Neighbors: breadth-first expansion over the typed edges (sample-carries->variant,
// variant-in->gene, sample-related-sample), capped at a number of nodes.
#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "store/graph/cohort_graph.h"

namespace vcfagent::store {
namespace {

// Per-node state during the search, dense for samples and variants (a byte each: cheaper than
// hashing when a high-degree level is counted for the cut) and hashed for the sparse gene ids.
class NodeStates {
 public:
  enum State : uint8_t { kUnseen = 0, kIncluded = 1, kCut = 2 };
  NodeStates(size_t samples, size_t variants) : samples_(samples, kUnseen), variants_(variants, kUnseen) {}
  State Get(NodeRef n) const {
    switch (n.kind) {
      case NodeKind::kSample: return static_cast<State>(samples_[n.id]);
      case NodeKind::kVariant: return static_cast<State>(variants_[n.id]);
      case NodeKind::kGene: break;
    }
    auto it = genes_.find(n.id);
    return it == genes_.end() ? kUnseen : it->second;
  }
  void Set(NodeRef n, State state) {
    switch (n.kind) {
      case NodeKind::kSample: samples_[n.id] = state; return;
      case NodeKind::kVariant: variants_[n.id] = state; return;
      case NodeKind::kGene: genes_[n.id] = state; return;
    }
  }
  bool Included(NodeRef n) const { return Get(n) == kIncluded; }

 private:
  std::vector<uint8_t> samples_;
  std::vector<uint8_t> variants_;
  std::unordered_map<uint32_t, State> genes_;
};

}  // namespace

Result<Neighborhood> CohortGraph::Neighbors(NodeRef start, int depth, size_t max_nodes) const {
  switch (start.kind) {
    case NodeKind::kSample:
      if (start.id >= num_samples()) {
        return Status::InvalidInput("graph: no sample with index " + std::to_string(start.id));
      }
      break;
    case NodeKind::kVariant:
      if (start.id >= num_variants()) {
        return Status::InvalidInput("graph: no variant with index " + std::to_string(start.id));
      }
      break;
    case NodeKind::kGene:
      if (GeneVariants(start.id).empty()) {
        return Status::InvalidInput("graph: no variant in gene " + GeneLabel(start.id));
      }
      break;
  }
  if (depth < 0) return Status::Usage("graph: the neighbourhood depth must be 0 or more");
  if (max_nodes == 0) return Status::Usage("graph: the node limit must be at least 1");

  Neighborhood out;
  NodeStates states(num_samples(), num_variants());
  auto label = [&](NodeRef n) {
    switch (n.kind) {
      case NodeKind::kSample: return sample_names_[n.id];
      case NodeKind::kVariant: return VariantLabel(n.id);
      case NodeKind::kGene: break;
    }
    return GeneLabel(n.id);
  };
  // The neighbours of a node in a fixed order: samples by index, variants in genomic order.
  auto for_each_neighbor = [&](NodeRef n, auto&& visit) {
    switch (n.kind) {
      case NodeKind::kSample:
        for (uint64_t k = sample_offsets_[n.id]; k < sample_offsets_[n.id + 1]; ++k) {
          if (sample_zygosity_[k] != Zygosity::kMissing) visit(NodeRef{NodeKind::kVariant, sample_variant_[k]});
        }
        for (uint32_t r : relations_of_sample_[n.id]) {
          const SampleRelation& rel = relations_[r];
          visit(NodeRef{NodeKind::kSample, rel.sample1 == n.id ? rel.sample2 : rel.sample1});
        }
        break;
      case NodeKind::kVariant:
        for (uint64_t k = variant_offsets_[n.id]; k < variant_offsets_[n.id + 1]; ++k) {
          if (call_zygosity_[k] != Zygosity::kMissing) visit(NodeRef{NodeKind::kSample, call_sample_[k]});
        }
        if (variants_[n.id].gene_id != kNoGene) visit(NodeRef{NodeKind::kGene, variants_[n.id].gene_id});
        break;
      case NodeKind::kGene:
        for (uint32_t v : GeneVariants(n.id)) visit(NodeRef{NodeKind::kVariant, v});
        break;
    }
  };

  states.Set(start, NodeStates::kIncluded);
  out.nodes.push_back(GraphNode{start, 0, label(start)});
  size_t level_begin = 0;
  for (int d = 1; d <= depth && !out.truncated; ++d) {
    const size_t level_end = out.nodes.size();
    uint64_t cut = 0;  // found at this depth but over the cap
    for (size_t i = level_begin; i < level_end; ++i) {
      for_each_neighbor(out.nodes[i].ref, [&](NodeRef m) {
        if (states.Get(m) != NodeStates::kUnseen) return;
        if (out.nodes.size() < max_nodes) {
          states.Set(m, NodeStates::kIncluded);
          out.nodes.push_back(GraphNode{m, d, label(m)});
        } else {
          states.Set(m, NodeStates::kCut);
          ++cut;
        }
      });
    }
    if (cut > 0) {
      out.truncated = true;
      out.nodes_cut = cut;
      out.cut_at_depth = d;
    }
    if (out.nodes.size() == level_end) break;  // nothing new: the component is exhausted
    level_begin = level_end;
  }

  // Every edge between two returned nodes, found from its variant (or lower sample) end.
  for (const GraphNode& node : out.nodes) {
    const NodeRef n = node.ref;
    if (n.kind == NodeKind::kVariant) {
      for (uint64_t k = variant_offsets_[n.id]; k < variant_offsets_[n.id + 1]; ++k) {
        const NodeRef s{NodeKind::kSample, call_sample_[k]};
        if (call_zygosity_[k] == Zygosity::kMissing || !states.Included(s)) continue;
        GraphEdge e;
        e.kind = EdgeKind::kCarries;
        e.from = s;
        e.to = n;
        e.zygosity = call_zygosity_[k];
        out.edges.push_back(e);
      }
      const uint32_t gene = variants_[n.id].gene_id;
      if (gene != kNoGene && states.Included(NodeRef{NodeKind::kGene, gene})) {
        GraphEdge e;
        e.kind = EdgeKind::kInGene;
        e.from = n;
        e.to = NodeRef{NodeKind::kGene, gene};
        out.edges.push_back(e);
      }
    } else if (n.kind == NodeKind::kSample) {
      for (uint32_t r : relations_of_sample_[n.id]) {
        const SampleRelation& rel = relations_[r];
        if (rel.sample1 != n.id || !states.Included(NodeRef{NodeKind::kSample, rel.sample2})) {
          continue;
        }
        GraphEdge e;
        e.kind = EdgeKind::kRelated;
        e.from = NodeRef{NodeKind::kSample, rel.sample1};
        e.to = NodeRef{NodeKind::kSample, rel.sample2};
        e.relationship = rel.relationship;
        e.kinship = rel.kinship;
        out.edges.push_back(e);
      }
    }
  }
  std::sort(out.edges.begin(), out.edges.end(), [](const GraphEdge& a, const GraphEdge& b) {
    return std::tie(a.kind, a.from, a.to) < std::tie(b.kind, b.from, b.to);
  });
  return out;
}

}  // namespace vcfagent::store
