// `vcf-agent ingest`: loads VCF/BCF files into the variant store (see docs/store.md).
#include <nlohmann/json.hpp>

#include "ai/variant_embeddings.h"
#include "cli/ai_options.h"
#include "cli/command.h"
#include "fmt/format.h"
#include "store/ingest.h"
#include "store/similarity_update.h"
#include "store/store.h"
#include "vcf/variant_reader.h"
#include "util/json_text.h"

#include <malloc.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vcfagent::cli {
namespace {

struct IngestArgs {
  std::vector<std::string> files;
  std::string db;
  store::IngestOptions options;
  bool no_index = false;
  EmbeddingFlags embeddings;
  OutputFormat format = OutputFormat::kText;
};

int RunIngest(IngestArgs& args) {
  const std::string dir = StoreDirectory(args.db);
  // Inputs are checked before the store is created or locked: a typo leaves no trace.
  if (Status inputs = store::CheckIngestInputs(args.files); !inputs.ok()) return ReportError("ingest", inputs);
  std::vector<std::string> others = args.options.annotate_paths;
  if (!args.options.ped_path.empty()) others.push_back(args.options.ped_path);
  if (!args.options.genes_path.empty()) others.push_back(args.options.genes_path);
  if (!args.options.fasta_path.empty()) others.push_back(args.options.fasta_path);
  for (const std::string& path : others) {
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
      std::fclose(f);
    } else {
      return ReportError("ingest", Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno))));
    }
  }
  // The embedding provider is configured before anything is written: a missing key fails first.
  std::shared_ptr<ai::EmbeddingProvider> embedder;
  if (!args.embeddings.provider.empty()) {
    auto provider = MakeEmbeddingProviderFromFlags(args.embeddings);
    if (!provider.ok()) return ReportError("ingest", provider.status());
    embedder = std::move(provider).value();
  }
  auto store = store::Store::Open(dir, store::Store::Access::kWrite);
  if (!store.ok()) return ReportError("ingest", store.status());
  auto summary = store::Ingest(**store, args.files, args.options);
  if (!summary.ok()) return ReportError("ingest", summary.status());
  nlohmann::json index_json;
  if (!args.no_index) {
    // Give the index build the memory of the load phase: a small page cache from now on (the
    // build reads sequentially), and what that frees back to the system (glibc keeps it otherwise).
    (void)(*store)->db().Exec("PRAGMA cache_size=-8192");
    malloc_trim(0);
    auto index = store::UpdateSimilarityIndex(**store, args.options.show_progress);
    if (!index.ok()) return ReportError("ingest", index.status());
    index_json = {{"space", index->space}, {"variants", index->indexed},
                  {"added", index->added}, {"seconds", index->seconds}};
  }
  nlohmann::json embeddings_json;
  if (embedder) {
    ai::EmbeddingUpdateOptions options;
    options.show_progress = args.options.show_progress;
    auto update = ai::UpdateEmbeddingSpace(**store, *embedder, options);
    if (!update.ok()) {
      return ReportError("ingest", update.status().WithContext(
                                       "the files are in the store, but their embeddings failed"));
    }
    embeddings_json = EmbeddingUpdateToJson(*update);
  }
  if (args.format == OutputFormat::kJson) {
    auto summary_json = store::IngestSummaryToJson(*summary);
    summary_json["store"] = dir;
    if (!index_json.is_null()) summary_json["similarity_index"] = index_json;
    if (!embeddings_json.is_null()) summary_json["embeddings"] = embeddings_json;
    fmt::print("{}\n", DumpJson(summary_json, 2));
    return kExitOk;
  }
  for (const auto& f : summary->files) {
    if (f.outcome == "already-present") {
      fmt::print("{}: already in the store (file {}); nothing added\n", f.path, f.file_id);
      continue;
    }
    fmt::print("{}: {} {} records, {} alleles ({} new), {} genotypes, {} samples in {:.1f} s\n",
               f.path, f.outcome, f.records, f.alleles, f.new_variants, f.genotypes, f.samples,
               f.seconds);
    if (f.duplicate_calls > 0) {
      fmt::print("{}: {} calls of samples another file already gave at the same site were not counted "
                 "(the first file's call is kept)\n", f.path, f.duplicate_calls);
    }
    if (f.conflicting_calls > 0) {
      fmt::print(stderr, "ingest: warning: {}: {} of those calls disagree with the kept call{}\n", f.path,
                 f.conflicting_calls, f.conflicts.size() < static_cast<size_t>(f.conflicting_calls) ? "; the first:" : ":");
      for (const std::string& conflict : f.conflicts) fmt::print(stderr, "  {}\n", conflict);
    }
  }
  if (summary->pedigree_samples > 0) {
    fmt::print("pedigree: {} individuals recorded\n", summary->pedigree_samples);
  }
  if (!index_json.is_null()) {
    fmt::print("similarity index: {} variants ({} added) in {:.1f} s\n",
               index_json["variants"].get<int64_t>(), index_json["added"].get<int64_t>(),
               index_json["seconds"].get<double>());
  }
  if (!embeddings_json.is_null()) PrintEmbeddingUpdate(embeddings_json);
  fmt::print("store: {}\n", dir);
  return kExitOk;
}

}  // namespace

Command AddIngestCommand(CLI::App& root) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* app = root.add_subcommand("ingest", "Load VCF/BCF files into the variant store");
  app->add_option("files", args->files, "VCF/BCF files (plain, gzip, BGZF or BCF)")->required();
  AddStoreOption(*app, args->db);
  app->add_option("--ped", args->options.ped_path, "PED/FAM file: sex, family, phenotype");
  app->add_option("--genes", args->options.genes_path,
                  "Genes by overlap when the file has no CSQ/ANN/BCSQ (BED, GFF3 or GTF, .gz ok)");
  app->add_option("--annotate", args->options.annotate_paths,
                  "VCF whose INFO fields attach by allele match (e.g. ClinVar); repeatable");
  app->add_option("--annotate-fields", args->options.annotate_fields,
                  "INFO tags to attach from --annotate (default: CLNSIG,CLNREVSTAT,CLNDN,GENEINFO)")
      ->delimiter(',');
  app->add_option("--fasta", args->options.fasta_path,
                  "Reference FASTA (indexed): adds sequence context (CpG, GC) to the similarity features");
  app->add_option("--batch", args->options.batch_records, "Input records per committed batch")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  app->add_option("--threads", args->options.threads, "Extra decompression threads")
      ->check(CLI::Range(0, 64));
  app->add_flag("--no-index", args->no_index,
                "Do not update the similarity index now (similar builds it when first needed)");
  AddEmbeddingOptions(*app, args->embeddings);
  AddFormatOption(*app, args->format);
  return {app, [args] { return RunIngest(*args); }};
}

}  // namespace vcfagent::cli
