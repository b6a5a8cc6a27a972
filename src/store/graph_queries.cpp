#include "store/graph_queries.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "obs/service_metrics.h"
#include "obs/timed_span.h"
#include "store/annotation/pedigree.h"
#include "store/graph/relatedness.h"
#include "vcf/region.h"

namespace vcfagent::store {
namespace {

using json = nlohmann::json;

json Nullable(double value) { return std::isnan(value) ? json(nullptr) : json(value); }

// Labels graph variants with the store's names, one prepared statement for all lookups.
class VariantLabeler {
 public:
  explicit VariantLabeler(GraphContext ctx) : ctx_(ctx) {}

  Result<json> Describe(uint32_t index) {
    if (!stmt_) {
      auto prepared = ctx_.store.db().Prepare(
          "SELECT c.name, v.pos, v.ref, v.alt, g.name, v.impact, v.consequence, v.clnsig "
          "FROM variants v JOIN contigs c USING (chrom_id) LEFT JOIN genes g USING (gene_id) "
          "WHERE v.variant_id = ?1");
      if (!prepared.ok()) return prepared.status();
      stmt_.emplace(std::move(prepared).value());
    }
    const int64_t id = ctx_.loaded.variant_ids[index];
    stmt_->Bind(1, id);
    auto row = stmt_->Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      stmt_->Reset();
      return Status::Internal(fmt::format("variant {} is in the graph but not in the store", id));
    }
    json out = {{"id", id},
                {"variant", fmt::format("{}:{}:{}:{}", stmt_->Text(0), stmt_->Int(1), stmt_->Text(2), stmt_->Text(3))},
                {"gene", stmt_->IsNull(4) ? json(nullptr) : json(std::string(stmt_->Text(4)))},
                {"impact", stmt_->Int(5) == 0 ? json(nullptr) : json(ToString(static_cast<Impact>(stmt_->Int(5))))},
                {"consequence", stmt_->IsNull(6) ? json(nullptr) : json(std::string(stmt_->Text(6)))},
                {"clnsig", stmt_->IsNull(7) ? json(nullptr) : json(std::string(stmt_->Text(7)))}};
    stmt_->Reset();
    return out;
  }

  Result<json> DescribeAll(const std::vector<uint32_t>& indices) {
    json list = json::array();
    for (uint32_t index : indices) {
      auto item = Describe(index);
      if (!item.ok()) return item.status();
      list.push_back(std::move(*item));
    }
    return list;
  }

 private:
  GraphContext ctx_;
  std::optional<Statement> stmt_;
};

Result<uint32_t> ResolveVariantIndex(GraphContext ctx, const std::string& spec) {
  auto key = ctx.store.ResolveVariant(spec);
  if (!key.ok()) return key.status();
  return ctx.loaded.VariantIndexOf(key->variant_id);
}

Result<std::vector<uint32_t>> ResolveGenes(GraphContext ctx, const std::vector<std::string>& names) {
  std::vector<uint32_t> ids;
  for (const std::string& name : names) {
    auto found = ctx.store.GeneIds(name);
    if (!found.ok()) return found.status();
    if (found->empty()) return Status::Usage(fmt::format("gene '{}' is not in the store", name));
    for (int64_t id : *found) ids.push_back(static_cast<uint32_t>(id));
  }
  return ids;
}

std::string ZygosityText(Zygosity z) { return std::string(ToString(z)); }

}  // namespace

Result<json> GraphCarriers(GraphContext ctx, const std::string& variant, bool include_missing) {
  obs::TimedSpan timed("store.query graph carriers", obs::Metrics().query_duration.With({"graph"}));
  auto index = ResolveVariantIndex(ctx, variant);
  if (!index.ok()) return index.status();
  const CohortGraph& graph = *ctx.loaded.graph;
  VariantLabeler labeler(ctx);
  auto described = labeler.Describe(*index);
  if (!described.ok()) return described.status();
  json carriers = json::array();
  size_t het = 0, hom = 0;
  for (const CarrierCall& call : graph.Carriers(*index, include_missing)) {
    carriers.push_back({{"sample", graph.sample_name(call.sample)}, {"zygosity", ZygosityText(call.zygosity)},
                        {"gq", call.gq < 0 ? json(nullptr) : json(call.gq)},
                        {"dp", call.dp < 0 ? json(nullptr) : json(call.dp)}});
    het += call.zygosity == Zygosity::kHet;
    hom += call.zygosity == Zygosity::kHomAlt;
  }
  const auto& members = graph.group_samples(graph.variant(*index).group);
  return json{{"variant", *described}, {"carriers", carriers}, {"het", het}, {"hom_alt", hom},
              {"genotyped_samples", members.size()}};
}

Result<json> GraphSampleVariants(GraphContext ctx, const std::string& sample,
                                 const SampleVariantsOptions& options) {
  obs::TimedSpan timed("store.query graph sample_variants", obs::Metrics().query_duration.With({"graph"}));
  auto index = ctx.loaded.SampleIndexOf(sample);
  if (!index.ok()) return index.status();
  SampleVariantsQuery query;
  if (!options.genes.empty()) {
    auto genes = ResolveGenes(ctx, options.genes);
    if (!genes.ok()) return genes.status();
    query.genes = *genes;
  }
  if (!options.region.empty()) {
    auto regions = vcf::ParseRegionList(options.region);
    if (!regions.ok()) return regions.status();
    if (regions->size() != 1) return Status::Usage("--region takes one region");
    auto chrom = ctx.store.ContigId((*regions)[0].contig);
    if (!chrom.ok()) return chrom.status();
    if (!chrom->has_value()) return Status::Usage(fmt::format("chromosome '{}' is not in the store", (*regions)[0].contig));
    GraphRegion region;
    region.chrom_id = static_cast<uint32_t>(**chrom);
    region.start = (*regions)[0].begin + 1;
    region.end = (*regions)[0].end >= vcf::kRegionEnd ? std::numeric_limits<int64_t>::max() : (*regions)[0].end;
    query.region = region;
  }
  if (options.zygosity == "het") query.hom_alt = false;
  else if (options.zygosity == "hom-alt") query.het = false;
  else if (!options.zygosity.empty()) return Status::Usage("--zygosity takes het or hom-alt");
  query.limit = options.limit;
  const CohortGraph& graph = *ctx.loaded.graph;
  const SampleVariantsResult result = graph.SampleVariants(*index, query);
  VariantLabeler labeler(ctx);
  json variants = json::array();
  for (const SampleCall& call : result.calls) {
    auto described = labeler.Describe(call.variant);
    if (!described.ok()) return described.status();
    (*described)["zygosity"] = ZygosityText(call.zygosity);
    (*described)["gq"] = call.gq < 0 ? json(nullptr) : json(call.gq);
    (*described)["dp"] = call.dp < 0 ? json(nullptr) : json(call.dp);
    variants.push_back(std::move(*described));
  }
  return json{{"sample", sample}, {"total", result.total}, {"returned", result.calls.size()},
              {"variants", variants}};
}

Result<json> GraphShared(GraphContext ctx, const std::string& first, const std::string& second, size_t limit) {
  obs::TimedSpan timed("store.query graph shared", obs::Metrics().query_duration.With({"graph"}));
  auto a = ctx.loaded.SampleIndexOf(first);
  if (!a.ok()) return a.status();
  auto b = ctx.loaded.SampleIndexOf(second);
  if (!b.ok()) return b.status();
  if (*a == *b) return Status::Usage("shared: give two different samples");
  const SharedResult result = ctx.loaded.graph->Shared(*a, *b, limit);
  VariantLabeler labeler(ctx);
  auto shared = labeler.DescribeAll(result.shared_variants);
  if (!shared.ok()) return shared.status();
  auto only_first = labeler.DescribeAll(result.only_first_variants);
  if (!only_first.ok()) return only_first.status();
  auto only_second = labeler.DescribeAll(result.only_second_variants);
  if (!only_second.ok()) return only_second.status();
  return json{{"samples", {first, second}},
              {"shared", result.shared},
              {"shared_same_zygosity", result.shared_same_zygosity},
              {"only_first", result.only_first},
              {"only_second", result.only_second},
              {"only_first_other_uncalled", result.only_first_other_uncalled},
              {"only_second_other_uncalled", result.only_second_other_uncalled},
              {"list_limit", limit},
              {"shared_variants", *shared},
              {"only_first_variants", *only_first},
              {"only_second_variants", *only_second}};
}

Result<json> GraphBurden(GraphContext ctx, const std::vector<std::string>& genes, const BurdenOptions& options) {
  obs::TimedSpan timed("store.query graph burden", obs::Metrics().query_duration.With({"graph"}));
  auto gene_ids = ResolveGenes(ctx, genes);
  if (!gene_ids.ok()) return gene_ids.status();
  QualifyingPredicate predicate;
  auto impact = ParseImpact(options.min_impact);
  if (!impact) return Status::Usage(fmt::format("--min-impact: '{}' is not HIGH, MODERATE, LOW, MODIFIER or none", options.min_impact));
  predicate.min_impact = *impact;
  predicate.max_af = options.max_af;
  if (!options.classes.empty()) {
    predicate.class_mask = 0;
    for (const std::string& name : options.classes) {
      auto cls = ParseVariantClass(name);
      if (!cls) return Status::Usage(fmt::format("--class: '{}' is not a variant class", name));
      predicate.class_mask |= QualifyingPredicate::ClassBit(*cls);
    }
  }
  const CohortGraph& graph = *ctx.loaded.graph;
  VariantLabeler labeler(ctx);
  json samples = json::array();
  for (const SampleBurden& burden : graph.Burden(*gene_ids, predicate)) {
    json per_gene = json::array();
    for (const GeneBurden& gene : burden.genes) {
      auto variants = labeler.DescribeAll(gene.variants);
      if (!variants.ok()) return variants.status();
      per_gene.push_back({{"gene", std::string(graph.gene_name(gene.gene_id))}, {"variants", *variants}});
    }
    samples.push_back({{"sample", graph.sample_name(burden.sample)},
                       {"qualifying_variants", burden.qualifying_variants},
                       {"hom_alt_variants", burden.hom_alt_variants}, {"genes", per_gene}});
  }
  return json{{"genes", genes},
              {"criteria", {{"min_impact", options.min_impact}, {"max_af", options.max_af}, {"classes", options.classes}}},
              {"samples_with_qualifying_variants", samples.size()},
              {"samples", samples}};
}

Result<json> GraphCooccur(GraphContext ctx, const std::string& variant, uint32_t min_shared, size_t top) {
  obs::TimedSpan timed("store.query graph cooccur", obs::Metrics().query_duration.With({"graph"}));
  auto index = ResolveVariantIndex(ctx, variant);
  if (!index.ok()) return index.status();
  const CooccurResult result = ctx.loaded.graph->Cooccur(*index, min_shared, top);
  VariantLabeler labeler(ctx);
  auto query = labeler.Describe(*index);
  if (!query.ok()) return query.status();
  json hits = json::array();
  for (const CooccurHit& hit : result.hits) {
    auto described = labeler.Describe(hit.variant);
    if (!described.ok()) return described.status();
    (*described)["shared_carriers"] = hit.shared_carriers;
    (*described)["carriers"] = hit.carriers;
    (*described)["jaccard"] = hit.jaccard;
    hits.push_back(std::move(*described));
  }
  return json{{"variant", *query}, {"carriers", result.query_carriers}, {"min_shared", min_shared},
              {"total", result.total}, {"returned", hits.size()}, {"cooccurring", hits}};
}

Result<json> GraphRelatedness(GraphContext ctx, const RelatednessOptions& options) {
  obs::TimedSpan timed("store.query graph relatedness", obs::Metrics().query_duration.With({"graph"}));
  const CohortGraph& graph = *ctx.loaded.graph;
  if (graph.num_samples() < 2) return Status::Usage("relatedness needs at least two samples with genotypes");
  KinshipOptions kinship_options;
  kinship_options.min_sites = options.min_sites;
  kinship_options.min_het_sites = options.min_het_sites;
  auto estimates = ComputeKinship(graph, {}, kinship_options);
  if (!estimates.ok()) return estimates.status();
  json pairs = json::array();
  for (const KinshipEstimate& e : *estimates) {
    if (!options.all_pairs && (e.relationship == Relationship::kUnrelated || e.relationship == Relationship::kUnknown)) continue;
    pairs.push_back({{"sample1", graph.sample_name(e.sample1)}, {"sample2", graph.sample_name(e.sample2)},
                     {"kinship", Nullable(e.kinship)}, {"relationship", ToString(e.relationship)},
                     {"ibs0", e.ibs0}, {"ibs0_fraction", e.ibs0_fraction}, {"hethet", e.hethet},
                     {"het1", e.het1}, {"het2", e.het2}, {"sites", e.n_sites}});
  }
  // Expected sex: a PED given now, else what ingest --ped recorded.
  std::map<std::string, Sex> expected;
  std::string expected_source;
  if (!options.ped_path.empty()) {
    auto pedigree = Pedigree::Load(options.ped_path);
    if (!pedigree.ok()) return pedigree.status();
    for (const PedigreeMember& member : pedigree->members()) {
      if (member.sex != Sex::kUnknown) expected[member.individual] = member.sex;
    }
    expected_source = options.ped_path;
  } else {
    auto stmt = ctx.store.db().Prepare("SELECT name, sex FROM samples WHERE sex IS NOT NULL");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      expected[std::string(stmt->Text(0))] = stmt->Text(1) == "male" ? Sex::kMale : Sex::kFemale;
    }
    if (!expected.empty()) expected_source = "store (ingest --ped)";
  }
  SexOptions sex_options;
  if (options.build == "GRCh37" || options.build == "hg19" || options.build == "b37") {
    sex_options.build = GenomeBuild::kGrch37;
  } else if (options.build != "GRCh38" && options.build != "hg38") {
    return Status::Usage(fmt::format("--build: '{}' is not GRCh37 or GRCh38", options.build));
  }
  auto sex = InferSex(graph, sex_options, expected);
  if (!sex.ok()) return sex.status();
  json sexes = json::array();
  for (const SexCall& call : sex->calls) {
    sexes.push_back({{"sample", graph.sample_name(call.sample)}, {"inferred", ToString(call.inferred)},
                     {"expected", call.expected == Sex::kUnknown ? json(nullptr) : json(ToString(call.expected))},
                     {"mismatch", call.mismatch}, {"chrx_sites", call.sites}, {"het", call.het},
                     {"hom_alt", call.hom_alt}, {"het_ratio", Nullable(call.het_ratio)}});
  }
  return json{{"method", "KING-robust kinship over biallelic SNVs both samples called; IBS0 separates parent-child from full siblings"},
              {"min_sites", options.min_sites}, {"min_het_sites", options.min_het_sites},
              {"samples", graph.num_samples()}, {"pairs", pairs},
              {"sex", {{"build", options.build}, {"chrx_sites", sex->chrx_sites}, {"mismatches", sex->mismatches},
                       {"expected_from", expected_source.empty() ? json(nullptr) : json(expected_source)},
                       {"expected_not_in_cohort", sex->expected_not_in_cohort}, {"calls", sexes}}}};
}

Result<json> GraphNeighbors(GraphContext ctx, const std::string& node, int depth, size_t max_nodes) {
  obs::TimedSpan timed("store.query graph neighbors", obs::Metrics().query_duration.With({"graph"}));
  if (depth < 0 || depth > 6) return Status::Usage("--depth takes 0 to 6");
  const CohortGraph& graph = *ctx.loaded.graph;
  std::string kind, name = node;
  if (const size_t colon = node.find(':'); colon != std::string::npos) {
    const std::string prefix = node.substr(0, colon);
    if (prefix == "sample" || prefix == "gene" || prefix == "variant") {
      kind = prefix;
      name = node.substr(colon + 1);
    }
  }
  NodeRef start;
  if (kind.empty() || kind == "sample") {
    if (auto sample = graph.FindSample(name)) {
      start = {NodeKind::kSample, *sample};
      kind = "sample";
    } else if (kind == "sample") {
      return ctx.loaded.SampleIndexOf(name).status();
    }
  }
  if (kind.empty() || kind == "gene") {
    auto genes = ctx.store.GeneIds(name);
    if (!genes.ok()) return genes.status();
    if (!genes->empty()) {
      start = {NodeKind::kGene, static_cast<uint32_t>(genes->front())};
      kind = "gene";
    } else if (kind == "gene") {
      return Status::Usage(fmt::format("gene '{}' is not in the store", name));
    }
  }
  if (kind.empty() || kind == "variant") {
    auto index = ResolveVariantIndex(ctx, name);
    if (!index.ok()) {
      if (kind.empty()) {
        return Status::Usage(fmt::format("'{}' is not a sample, gene or variant in the store", node));
      }
      return index.status();
    }
    start = {NodeKind::kVariant, *index};
  }
  auto hood = graph.Neighbors(start, depth, max_nodes);
  if (!hood.ok()) return hood.status();
  auto node_id = [&](const NodeRef& ref) {
    switch (ref.kind) {
      case NodeKind::kSample: return "sample:" + graph.sample_name(ref.id);
      case NodeKind::kGene: return "gene:" + std::string(graph.gene_name(ref.id));
      case NodeKind::kVariant: return "variant:" + std::to_string(ctx.loaded.variant_ids[ref.id]);
    }
    return std::string();
  };
  VariantLabeler labeler(ctx);
  json nodes = json::array();
  for (const GraphNode& n : hood->nodes) {
    json item = {{"id", node_id(n.ref)}, {"kind", ToString(n.ref.kind)}, {"depth", n.depth}, {"label", n.label}};
    if (n.ref.kind == NodeKind::kVariant) {
      auto described = labeler.Describe(n.ref.id);
      if (!described.ok()) return described.status();
      item["label"] = (*described)["variant"];
      item["variant"] = *described;
    }
    nodes.push_back(std::move(item));
  }
  json edges = json::array();
  for (const GraphEdge& e : hood->edges) {
    json item = {{"kind", ToString(e.kind)}, {"from", node_id(e.from)}, {"to", node_id(e.to)}};
    if (e.kind == EdgeKind::kCarries) item["zygosity"] = ZygosityText(e.zygosity);
    if (e.kind == EdgeKind::kRelated) {
      item["relationship"] = ToString(e.relationship);
      item["kinship"] = Nullable(e.kinship);
    }
    edges.push_back(std::move(item));
  }
  return json{{"start", node_id(start)}, {"depth", depth}, {"nodes", nodes}, {"edges", edges},
              {"truncated", hood->truncated}, {"nodes_cut", hood->nodes_cut},
              {"cut_at_depth", hood->cut_at_depth < 0 ? json(nullptr) : json(hood->cut_at_depth)}};
}

}  // namespace vcfagent::store
