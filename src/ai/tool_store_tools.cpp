// The agent's variant-store tools (tools.h): variants, similar, sql, list_samples and
// store_summary, over the store opened read-only by the ToolContext.
#include <fmt/format.h>

#include "ai/tools.h"
#include "store/similar.h"
#include "store/sql_query.h"
#include "store/store.h"
#include "store/variant_format.h"
#include "store/variant_query.h"
#include "store/variant_types.h"
#include "vcf/region.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

json Object(json properties, std::vector<std::string> required) {
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)},
          {"additionalProperties", false}};
}

json StringList(const char* description) {
  return {{"type", "array"}, {"items", {{"type", "string"}, {"minLength", 1}}}, {"minItems", 1},
          {"description", description}};
}

const char* kWhereHelp =
    "Filter expression over fields chrom, pos, end, rsid, ref, alt, qual, filter, class (snv, mnv, insertion, "
    "deletion, indel, complex, symbolic), af, cohort_af, carriers, het, hom_alt, missing, mean_dp, mean_gq, "
    "gene, consequence, impact (HIGH > MODERATE > LOW > MODIFIER), clnsig, INFO/TAG; operators = != < <= > >= "
    "~ (contains), &&, ||, !, parentheses. Example: \"impact >= MODERATE && cohort_af < 0.01\"";

Result<ToolOutput> RunVariants(ToolContext& ctx, const json& args) {
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  store::VariantQuery query;
  for (const auto& text : args.value("regions", std::vector<std::string>{})) {
    auto regions = vcf::ParseRegionList(text);
    if (!regions.ok()) return regions.status();
    query.regions.insert(query.regions.end(), regions->begin(), regions->end());
  }
  query.genes = args.value("genes", std::vector<std::string>{});
  query.sample = args.value("sample", "");
  if (args.contains("zygosity")) {
    if (query.sample.empty()) return Status::Usage("zygosity needs a sample");
    query.zygosity = store::ParseZygosity(args["zygosity"].get<std::string>());
  }
  query.where = args.value("where", "");
  auto sort = store::ParseSort(args.value("sort", "position"));
  if (!sort.ok()) return sort.status();
  if (*sort) query.sort = **sort;
  query.descending = args.value("descending", false);
  query.limit = args.value("limit", 50);
  query.offset = args.value("offset", 0);
  auto page = store::QueryVariants(**store, query);
  if (!page.ok()) return page.status();
  json list = json::array();
  for (const auto& record : page->variants) list.push_back(store::VariantToJson(record));
  json result = {{"variants", list}, {"returned", list.size()}, {"offset", query.offset}, {"more", page->more}};
  if (page->more) {
    result["note"] = fmt::format("more variants match; ask again with offset {} for the next page",
                                 query.offset + static_cast<int64_t>(list.size()));
  }
  return ToolOutput{result, fmt::format("{} rows{}", list.size(), page->more ? " (more exist)" : "")};
}

Result<ToolOutput> RunSimilar(ToolContext& ctx, const json& args) {
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  auto index = ctx.SimilarityIndex();
  if (!index.ok()) return index.status();
  store::SimilarQuery query;
  query.variant = args["variant"].get<std::string>();
  query.k = args.value("k", 10);
  query.same_chrom = args.value("same_chrom", false);
  query.where = args.value("where", "");
  auto result = store::FindSimilar(**store, query, **index);
  if (!result.ok()) return result.status();
  return ToolOutput{store::SimilarToJson(*result), fmt::format("{} neighbours", result->hits.size())};
}

Result<ToolOutput> SqlOutput(ToolContext& ctx, const std::string& sql, int64_t max_rows) {
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  store::SqlLimits limits;
  limits.max_rows = max_rows;
  limits.timeout_seconds = 10;
  auto result = store::RunReadOnlySql(**store, sql, limits);
  if (!result.ok()) return result.status();
  json out = store::SqlResultToJson(*result);
  if (result->truncated) out["note"] = fmt::format("only the first {} rows are shown", max_rows);
  return ToolOutput{out, fmt::format("{} rows{}", result->rows.size(), result->truncated ? " (more exist)" : "")};
}

Result<ToolOutput> RunSql(ToolContext& ctx, const json& args) {
  return SqlOutput(ctx, args["query"].get<std::string>(), args.value("max_rows", 100));
}

Result<ToolOutput> RunListSamples(ToolContext& ctx, const json& args) {
  return SqlOutput(ctx,
                   "SELECT name AS sample, family, father, mother, sex, phenotype FROM samples ORDER BY sample_id",
                   args.value("limit", 500));
}

Result<ToolOutput> RunStoreSummary(ToolContext& ctx, const json&) {
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  auto counts = (*store)->Counts();
  if (!counts.ok()) return counts.status();
  json result = {{"files", counts->files},     {"files_loading", counts->files_loading},
                 {"samples", counts->samples}, {"variants", counts->variants},
                 {"genotypes", counts->genotypes}, {"genes", counts->genes}};
  auto files = SqlOutput(ctx, "SELECT path, sample_count, records_done AS records, status FROM files ORDER BY file_id", 50);
  if (files.ok()) result["ingested_files"] = files->result;
  return ToolOutput{result, fmt::format("{} variants, {} samples", counts->variants, counts->samples)};
}

}  // namespace

std::vector<Tool> StoreTools() {
  std::vector<Tool> tools;
  tools.push_back(
      {"variants",
       "Query the variant store: variants by region, gene, carrier sample (and zygosity) and a filter, with "
       "annotations (gene, consequence, impact, ClinVar significance), population AF and cohort counts. Use "
       "it for 'which variants in GENE', 'what does SAMPLE carry', rare or damaging variants.",
       Object({{"regions", StringList("Regions chr:beg-end (any of them)")},
               {"genes", StringList("Gene symbols (any of them)")},
               {"sample", {{"type", "string"}, {"minLength", 1}, {"description", "Only variants this sample carries"}}},
               {"zygosity", {{"enum", {"het", "hom-alt"}}, {"description", "With sample: het or hom-alt only"}}},
               {"where", {{"type", "string"}, {"description", kWhereHelp}}},
               {"sort", {{"enum", {"position", "qual", "af", "cohort_af", "impact", "carriers"}}}},
               {"descending", {{"type", "boolean"}}},
               {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 50}}},
               {"offset", {{"type", "integer"}, {"minimum", 0}}}},
              {}),
       true, RunVariants});
  tools.push_back(
      {"similar",
       "Find the stored variants most similar to one variant (nearest neighbours in the variant feature "
       "space: class, impact, frequency, quality, carriers), with the reasons they are close. Use it for "
       "'variants like this one'.",
       Object({{"variant", {{"type", "string"}, {"minLength", 1}, {"description", "Variant id or chrom:pos:ref:alt"}}},
               {"k", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}, {"default", 10}}},
               {"same_chrom", {{"type", "boolean"}}},
               {"where", {{"type", "string"}, {"description", kWhereHelp}}}},
              {"variant"}),
       true, RunSimilar});
  tools.push_back(
      {"sql",
       "Run ONE read-only SQL SELECT over the store (SQLite); writes, PRAGMA and ATTACH are refused. Use it "
       "only when no other tool answers the question. Views: variant_view(variant_id, chrom, pos, end_pos, "
       "ref, alt, rsid, qual, filter, class, af, gene, consequence, impact, clnsig, n_het, n_hom_alt, "
       "n_missing, n_called, cohort_af, info, annotations), genotype_view(variant_id, sample, gt, zygosity, "
       "phased, dp, gq, ad). Tables: samples(sample_id, name, family, father, mother, sex, phenotype), "
       "genes(gene_id, name), files(file_id, path, sample_count, records_done, status), contigs(chrom_id, "
       "name, length).",
       Object({{"query", {{"type", "string"}, {"minLength", 1}, {"description", "One SELECT statement"}}},
               {"max_rows", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"default", 100}}}},
              {"query"}),
       true, RunSql});
  tools.push_back({"list_samples",
                   "List the samples in the store with their pedigree (family, father, mother), sex and "
                   "phenotype. Use it to learn sample names before asking about a sample.",
                   Object({{"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10000}, {"default", 500}}}}, {}),
                   true, RunListSamples});
  tools.push_back({"store_summary",
                   "Counts of files, samples, variants, genotypes and genes in the store, and the ingested "
                   "files. Use it to see what the store holds.",
                   Object(json::object(), {}), true, RunStoreSummary});
  return tools;
}

}  // namespace vcfagent::ai
