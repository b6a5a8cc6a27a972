// The agent's graph tools (tools.h): carriers, sample variants, shared variants, gene burden,
// co-occurrence, relatedness and neighbourhoods over the cohort graph (store/graph_queries.h),
// loaded once per session from the read-only store.
#include <fmt/format.h>

#include "ai/tools.h"
#include "store/graph_loader.h"
#include "store/graph_queries.h"
#include "util/json_text.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

const json kVariant = {{"type", "string"}, {"minLength", 1}, {"description", "Variant id or chrom:pos:ref:alt"}};
const json kSample = {{"type", "string"}, {"minLength", 1}, {"description", "Sample name"}};

json Limit(int64_t default_value, int64_t maximum) {
  return {{"type", "integer"}, {"minimum", 1}, {"maximum", maximum}, {"default", default_value}};
}

// Runs `query` with the session's graph, summarising the result with `summary`.
template <typename Query, typename Summary>
Result<ToolOutput> WithGraph(ToolContext& ctx, Query query, Summary summary) {
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  auto graph = ctx.Graph();
  if (!graph.ok()) return graph.status();
  Result<json> result = query(store::GraphContext{**store, **graph});
  if (!result.ok()) return result.status();
  std::string text = summary(*result);
  return ToolOutput{std::move(result).value(), std::move(text)};
}

size_t SizeOf(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_array() ? it->size() : 0;
}

Result<ToolOutput> RunCarriers(ToolContext& ctx, const json& args) {
  return WithGraph(
      ctx,
      [&](store::GraphContext g) {
        return store::GraphCarriers(g, args["variant"].get<std::string>(), args.value("include_missing", false));
      },
      [](const json& r) { return fmt::format("{} carriers", SizeOf(r, "carriers")); });
}

Result<ToolOutput> RunSampleVariants(ToolContext& ctx, const json& args) {
  store::SampleVariantsOptions options;
  options.genes = args.value("genes", std::vector<std::string>{});
  options.region = args.value("region", "");
  options.zygosity = args.value("zygosity", "");
  options.limit = args.value("limit", 100);
  return WithGraph(
      ctx, [&](store::GraphContext g) { return store::GraphSampleVariants(g, args["sample"].get<std::string>(), options); },
      [](const json& r) { return fmt::format("{} variants", DumpJson(r.value("total", json(0)))); });
}

Result<ToolOutput> RunShared(ToolContext& ctx, const json& args) {
  return WithGraph(
      ctx,
      [&](store::GraphContext g) {
        return store::GraphShared(g, args["sample1"].get<std::string>(), args["sample2"].get<std::string>(),
                                  args.value("limit", 50));
      },
      [](const json& r) { return fmt::format("{} shared", DumpJson(r.value("shared", json(0)))); });
}

Result<ToolOutput> RunBurden(ToolContext& ctx, const json& args) {
  store::BurdenOptions options;
  options.min_impact = args.value("min_impact", "MODERATE");
  options.max_af = args.value("max_af", 0.01);
  options.classes = args.value("classes", std::vector<std::string>{});
  return WithGraph(
      ctx,
      [&](store::GraphContext g) {
        return store::GraphBurden(g, args["genes"].get<std::vector<std::string>>(), options);
      },
      [](const json& r) { return fmt::format("{} samples", SizeOf(r, "samples")); });
}

Result<ToolOutput> RunCooccur(ToolContext& ctx, const json& args) {
  return WithGraph(
      ctx,
      [&](store::GraphContext g) {
        return store::GraphCooccur(g, args["variant"].get<std::string>(), args.value("min_shared", 1u),
                                   args.value("top", 20));
      },
      [](const json& r) { return fmt::format("{} variants", SizeOf(r, "cooccurring")); });
}

Result<ToolOutput> RunRelatedness(ToolContext& ctx, const json& args) {
  store::RelatednessOptions options;
  options.build = args.value("build", "GRCh38");
  options.all_pairs = !args.value("related_only", false);
  options.min_sites = args.value("min_sites", options.min_sites);
  options.min_het_sites = args.value("min_het_sites", options.min_het_sites);
  return WithGraph(
      ctx, [&](store::GraphContext g) { return store::GraphRelatedness(g, options); },
      [](const json& r) { return fmt::format("{} pairs", SizeOf(r, "pairs")); });
}

Result<ToolOutput> RunNeighbors(ToolContext& ctx, const json& args) {
  return WithGraph(
      ctx,
      [&](store::GraphContext g) {
        return store::GraphNeighbors(g, args["node"].get<std::string>(), args.value("depth", 1),
                                     args.value("max_nodes", 100));
      },
      [](const json& r) { return fmt::format("{} nodes, {} edges", SizeOf(r, "nodes"), SizeOf(r, "edges")); });
}

}  // namespace

std::vector<Tool> GraphTools() {
  std::vector<Tool> tools;
  tools.push_back({"graph_carriers",
                   "The samples carrying a variant, with zygosity, GQ and DP, and how many samples were "
                   "genotyped. Use it for 'who carries VARIANT'.",
                   ObjectSchema({{"variant", kVariant}, {"include_missing", {{"type", "boolean"}}}}, {"variant"}), true,
                   RunCarriers});
  tools.push_back({"graph_sample_variants",
                   "The variants one sample carries, optionally in genes or a region and of one zygosity, "
                   "with gene and impact. Use it for 'what does SAMPLE carry in GENE'.",
                   ObjectSchema({{"sample", kSample},
                           {"genes", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                           {"region", {{"type", "string"}, {"description", "chr:beg-end"}}},
                           {"zygosity", {{"enum", {"het", "hom-alt"}}}},
                           {"limit", Limit(100, 1000)}},
                          {"sample"}),
                   true, RunSampleVariants});
  tools.push_back({"graph_shared",
                   "Variants two samples share and those private to each, with complete counts. Use it to "
                   "compare two samples' genotypes (e.g. parent and child).",
                   ObjectSchema({{"sample1", kSample}, {"sample2", kSample}, {"limit", Limit(50, 1000)}},
                          {"sample1", "sample2"}),
                   true, RunShared});
  tools.push_back({"graph_burden",
                   "Per sample, the qualifying variants carried in the given genes: impact at least "
                   "min_impact and allele frequency at most max_af. Use it for 'which samples carry a likely "
                   "damaging (rare, high or moderate impact) variant in GENE'.",
                   ObjectSchema({{"genes", {{"type", "array"}, {"items", {{"type", "string"}, {"minLength", 1}}}, {"minItems", 1}}},
                           {"min_impact", {{"enum", {"HIGH", "MODERATE", "LOW", "MODIFIER"}}, {"default", "MODERATE"}}},
                           {"max_af", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}, {"default", 0.01}}},
                           {"classes", {{"type", "array"},
                                        {"items", {{"enum", {"snv", "mnv", "insertion", "deletion", "complex", "symbolic"}}}}}}},
                          {"genes"}),
                   true, RunBurden});
  tools.push_back({"graph_cooccur",
                   "Variants most often carried by the same samples as a given variant (shared carriers, "
                   "Jaccard index). Use it for co-occurrence or linkage-like questions.",
                   ObjectSchema({{"variant", kVariant},
                           {"min_shared", {{"type", "integer"}, {"minimum", 1}, {"default", 1}}},
                           {"top", Limit(20, 500)}},
                          {"variant"}),
                   true, RunCooccur});
  tools.push_back({"graph_relatedness",
                   "Pairwise kinship of the samples (KING-robust) with the inferred relationship (duplicate, "
                   "parent-child, full-sibling, second/third degree, unrelated), and sex inferred from chrX "
                   "against the recorded sex. Use it for 'are these samples related', pedigree and sex checks.",
                   ObjectSchema({{"build", {{"enum", {"GRCh37", "GRCh38"}}, {"default", "GRCh38"}}},
                           {"related_only", {{"type", "boolean"}, {"description", "Only pairs third-degree or closer"}}},
                           {"min_sites", {{"type", "integer"}, {"minimum", 1}}},
                           {"min_het_sites", {{"type", "integer"}, {"minimum", 1}}}},
                          {}),
                   true, RunRelatedness});
  tools.push_back({"graph_neighbors",
                   "The neighbourhood of a sample, variant or gene in the cohort graph (carries, in-gene and "
                   "related edges) up to a depth. Use it to explore connections.",
                   ObjectSchema({{"node", {{"type", "string"}, {"minLength", 1},
                                     {"description", "sample:NAME, gene:NAME, variant:SPEC or a bare name"}}},
                           {"depth", {{"type", "integer"}, {"minimum", 1}, {"maximum", 3}, {"default", 1}}},
                           {"max_nodes", Limit(100, 1000)}},
                          {"node"}),
                   true, RunNeighbors});
  return tools;
}

}  // namespace vcfagent::ai
