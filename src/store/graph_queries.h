// The relationship queries of `vcf-agent graph` as JSON documents, shared by the CLI, the REST API
// and the agent's tools. Each resolves names (samples, genes, variants as id or chrom:pos:ref:alt)
// against the store, runs the in-memory CohortGraph query and labels the result with the store's
// names. Long lists are capped by `limit` and say how much was left out.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/graph_loader.h"
#include "store/store.h"

namespace vcfagent::store {

struct GraphContext {
  Store& store;
  LoadedGraph& loaded;
};

Result<nlohmann::json> GraphCarriers(GraphContext ctx, const std::string& variant, bool include_missing);

struct SampleVariantsOptions {
  std::vector<std::string> genes;
  std::string region;       // chr:beg-end
  std::string zygosity;     // "", het, hom-alt
  size_t limit = 100;
};
Result<nlohmann::json> GraphSampleVariants(GraphContext ctx, const std::string& sample,
                                           const SampleVariantsOptions& options);
Result<nlohmann::json> GraphShared(GraphContext ctx, const std::string& first,
                                   const std::string& second, size_t limit);

struct BurdenOptions {
  std::string min_impact = "MODERATE";
  double max_af = 0.01;
  std::vector<std::string> classes;  // empty: all
};
Result<nlohmann::json> GraphBurden(GraphContext ctx, const std::vector<std::string>& genes,
                                   const BurdenOptions& options);
Result<nlohmann::json> GraphCooccur(GraphContext ctx, const std::string& variant,
                                    uint32_t min_shared, size_t top);

struct RelatednessOptions {
  std::string ped_path;           // expected sexes (else those recorded by ingest --ped)
  std::string build = "GRCh38";  // for the chrX pseudo-autosomal regions
  int64_t min_sites = 100;
  int64_t min_het_sites = 100;    // in the sample with fewer hets; below: relationship unknown
  bool all_pairs = true;          // false: only pairs closer than unrelated
};
Result<nlohmann::json> GraphRelatedness(GraphContext ctx, const RelatednessOptions& options);

// NODE: "sample:NAME", "gene:NAME", "variant:SPEC", or a bare name tried as sample, gene, variant.
Result<nlohmann::json> GraphNeighbors(GraphContext ctx, const std::string& node, int depth,
                                      size_t max_nodes);

}  // namespace vcfagent::store
