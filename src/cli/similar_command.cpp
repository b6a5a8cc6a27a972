// `vcf-agent similar`: variants most like a given one (see docs/similarity.md).
#include "ai/variant_embeddings.h"
#include "cli/ai_options.h"
#include "cli/command.h"
#include "fmt/format.h"
#include "store/similar.h"
#include "store/similarity_update.h"
#include "store/store.h"
#include "util/json_text.h"
#include "util/number_text.h"

namespace vcfagent::cli {
namespace {

struct SimilarArgs {
  std::string db;
  store::SimilarQuery query;
  OutputFormat format = OutputFormat::kText;
};

int RunSimilar(const SimilarArgs& args) {
  auto store = store::Store::Open(StoreDirectory(args.db), store::Store::Access::kRead);
  if (!store.ok()) return ReportError("similar", store.status());
  auto result = store::FindSimilar(**store, args.query, true);
  if (!result.ok()) return ReportError("similar", result.status());
  if (result->index_built_in_memory) {
    ReportWarning("similar", "the saved similarity index is missing or out of date and was rebuilt in "
                             "memory; 'vcf-agent index' saves it");
  }
  if (args.format == OutputFormat::kJson) {
    fmt::print("{}\n", DumpJson(store::SimilarToJson(*result), 2));
    return kExitOk;
  }
  fmt::print("variants like {} ({}, {}{}):\n", result->query.Label(), store::ToString(result->query.variant_class),
             result->query.gene.empty() ? "no gene" : result->query.gene,
             result->query.impact == store::Impact::kNone ? "" : ", " + std::string(store::ToString(result->query.impact)));
  for (const auto& hit : result->hits) {
    std::string reasons;
    for (const auto& reason : hit.reasons) reasons += (reasons.empty() ? "" : "; ") + reason;
    fmt::print("  {}  {}  {}\n", FloatText(hit.distance), hit.record.Label(), reasons);
  }
  if (result->hits.empty()) fmt::print("  (no neighbours pass the filters)\n");
  return kExitOk;
}

struct IndexArgs {
  std::string db;
  EmbeddingFlags embeddings;
  OutputFormat format = OutputFormat::kText;
};

int RunIndex(const IndexArgs& args) {
  std::shared_ptr<ai::EmbeddingProvider> embedder;
  if (!args.embeddings.provider.empty()) {
    auto provider = MakeEmbeddingProviderFromFlags(args.embeddings);
    if (!provider.ok()) return ReportError("index", provider.status());
    embedder = std::move(provider).value();
  }
  auto store = store::Store::Open(StoreDirectory(args.db), store::Store::Access::kWrite);
  if (!store.ok()) return ReportError("index", store.status());
  auto update = store::UpdateSimilarityIndex(**store, true);
  if (!update.ok()) return ReportError("index", update.status());
  nlohmann::json embeddings_json;
  if (embedder) {
    ai::EmbeddingUpdateOptions options;
    options.show_progress = true;
    auto embedded = ai::UpdateEmbeddingSpace(**store, *embedder, options);
    if (!embedded.ok()) return ReportError("index", embedded.status());
    embeddings_json = EmbeddingUpdateToJson(*embedded);
  }
  if (args.format == OutputFormat::kJson) {
    nlohmann::json result_json{{"space", update->space}, {"variants", update->indexed},
                        {"embedded", update->added}, {"seconds", update->seconds}};
    if (!embeddings_json.is_null()) result_json["embeddings"] = embeddings_json;
    fmt::print("{}\n", DumpJson(result_json, 2));
    return kExitOk;
  }
  if (!embeddings_json.is_null()) PrintEmbeddingUpdate(embeddings_json);
  if (update->added == 0) {
    fmt::print("similarity index ({}) is current: {} variants\n", update->space, update->indexed);
  } else {
    fmt::print("similarity index ({}) built: {} variants in {:.1f} s\n", update->space, update->indexed, update->seconds);
  }
  return kExitOk;
}

}  // namespace

Command AddSimilarCommand(CLI::App& root) {
  auto args = std::make_shared<SimilarArgs>();
  CLI::App* app = root.add_subcommand("similar", "Variants most like a given variant, and why");
  app->add_option("variant", args->query.variant, "Variant id or chrom:pos:ref:alt")->required();
  AddStoreOption(*app, args->db);
  app->add_option("-k", args->query.k, "Neighbours (default 10)");
  app->add_flag("--same-chrom", args->query.same_chrom, "Only neighbours on the query's chromosome");
  app->add_option("-w,--where", args->query.where, "Only neighbours matching this filter (as variants --where)");
  app->add_flag("--exact", args->query.exact, "Exact search over every variant instead of the index");
  app->add_option("--space", args->query.space,
                  "Similarity space: features (default) or a provider's (openai, ollama, or PROVIDER:MODEL)");
  AddFormatOption(*app, args->format);
  return {app, [args] { return RunSimilar(*args); }};
}

Command AddIndexCommand(CLI::App& root) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* app = root.add_subcommand("index", "Build or refresh the similarity index of the store");
  AddStoreOption(*app, args->db);
  AddEmbeddingOptions(*app, args->embeddings);
  AddFormatOption(*app, args->format);
  return {app, [args] { return RunIndex(*args); }};
}

}  // namespace vcfagent::cli
