// CohortGraph::Neighbors: breadth-first expansion over the typed edges (sample-carries->variant,
// variant-in->gene, sample-related-sample), capped at a number of nodes.
#include <algorithm>
#include <tuple>
#include <unordered_set>

#include "store/graph/cohort_graph.h"

namespace vcfagent::store {
namespace {

uint64_t Key(NodeRef n) { return (uint64_t{static_cast<uint8_t>(n.kind)} << 32) | n.id; }

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
  std::unordered_set<uint64_t> included;
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

  included.insert(Key(start));
  out.nodes.push_back(GraphNode{start, 0, label(start)});
  size_t level_begin = 0;
  for (int d = 1; d <= depth && !out.truncated; ++d) {
    const size_t level_end = out.nodes.size();
    std::unordered_set<uint64_t> cut;  // found at this depth but over the cap
    for (size_t i = level_begin; i < level_end; ++i) {
      for_each_neighbor(out.nodes[i].ref, [&](NodeRef m) {
        const uint64_t key = Key(m);
        if (included.count(key)) return;
        if (out.nodes.size() < max_nodes) {
          included.insert(key);
          out.nodes.push_back(GraphNode{m, d, label(m)});
        } else {
          cut.insert(key);
        }
      });
    }
    if (!cut.empty()) {
      out.truncated = true;
      out.nodes_cut = cut.size();
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
        if (call_zygosity_[k] == Zygosity::kMissing || !included.count(Key(s))) continue;
        GraphEdge e;
        e.kind = EdgeKind::kCarries;
        e.from = s;
        e.to = n;
        e.zygosity = call_zygosity_[k];
        out.edges.push_back(e);
      }
      const uint32_t gene = variants_[n.id].gene_id;
      if (gene != kNoGene && included.count(Key(NodeRef{NodeKind::kGene, gene}))) {
        GraphEdge e;
        e.kind = EdgeKind::kInGene;
        e.from = n;
        e.to = NodeRef{NodeKind::kGene, gene};
        out.edges.push_back(e);
      }
    } else if (n.kind == NodeKind::kSample) {
      for (uint32_t r : relations_of_sample_[n.id]) {
        const SampleRelation& rel = relations_[r];
        if (rel.sample1 != n.id || !included.count(Key(NodeRef{NodeKind::kSample, rel.sample2}))) {
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
