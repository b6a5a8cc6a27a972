#include "ai/variant_embeddings.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "store/similarity/vector_index.h"
#include "store/similarity_update.h"
#include "store/variant_features.h"
#include "store/variant_types.h"
#include "util/progress.h"

namespace vcfagent::ai {
namespace {

using Clock = std::chrono::steady_clock;

std::string AlleleClass(const std::string& ref, const std::string& alt) {
  if (ref.size() == 1 && alt.size() == 1) return "SNV";
  if (ref.size() == alt.size()) return "MNV";
  if (alt.size() > ref.size()) return fmt::format("insertion of {} bp", alt.size() - ref.size());
  return fmt::format("deletion of {} bp", ref.size() - alt.size());
}

}  // namespace

std::string DescribeVariant(const store::VariantFeatures& f) {
  std::string text = fmt::format("variant {}:{} {}>{} ({})", f.chrom, f.pos, f.ref, f.alt, AlleleClass(f.ref, f.alt));
  if (!f.gene.empty()) text += fmt::format(" in gene {}", f.gene);
  if (!f.consequence.empty()) text += fmt::format("; consequence {}", f.consequence);
  if (f.impact != store::Impact::kNone) text += fmt::format("; impact {}", store::ToString(f.impact));
  if (!f.clinical_significance.empty()) text += fmt::format("; ClinVar {}", f.clinical_significance);
  if (f.population_af) text += fmt::format("; population allele frequency {:.6g}", *f.population_af);
  if (f.cohort_af) text += fmt::format("; cohort allele frequency {:.6g}", *f.cohort_af);
  if (f.qual) text += fmt::format("; QUAL {:.4g}", *f.qual);
  text += f.filter_pass ? "; FILTER PASS" : "; FILTER not PASS";
  if (f.cohort_size > 0) {
    text += fmt::format("; carried by {} of {} samples", f.carrier_samples.size(), f.cohort_size);
  }
  if (!f.context.empty()) text += fmt::format("; reference context {}", f.context);
  return text;
}

std::string EmbeddingSpaceName(const std::string& provider, const std::string& model) {
  return provider + ":" + model;
}

Result<EmbeddingUpdate> UpdateEmbeddingSpace(store::Store& store, EmbeddingProvider& provider,
                                             const EmbeddingUpdateOptions& options) {
  const auto start = Clock::now();
  EmbeddingUpdate update;
  update.space = EmbeddingSpaceName(provider.name(), provider.embedding_model());
  const std::string path = store::SpaceIndexPath(store, update.space);
  auto generation = store.Generation();
  if (!generation.ok()) return generation.status();
  auto counts = store.Counts();
  if (!counts.ok()) return counts.status();
  std::error_code ec;
  std::filesystem::create_directories(store.SimilarityDirectory(), ec);
  if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", store.SimilarityDirectory(), ec.message()));

  std::unique_ptr<store::VectorIndex> index;
  if (std::filesystem::exists(path, ec)) {
    auto loaded = store::VectorIndex::Load(path, {update.space, 0});
    if (!loaded.ok()) return loaded.status();
    index = std::move(loaded).value();
  }
  store::IndexParams params;
  params.metric = store::Metric::kCosine;

  ProgressMeter progress("embeddings " + update.space, static_cast<uint64_t>(counts->variants));
  std::vector<int64_t> pending_ids;
  std::vector<std::string> pending_texts;
  uint64_t seen = 0;
  auto flush = [&]() -> Status {
    if (pending_ids.empty()) return Status::Ok();
    CallReport report;
    auto embedded = provider.Embed(pending_texts, &report);
    update.requests += report.attempts > 0 ? report.attempts : 1;
    if (!embedded.ok()) return embedded.status();
    if (embedded->vectors.size() != pending_ids.size()) {
      return Status::InvalidInput(fmt::format("{}: asked for {} embeddings, got {}", provider.name(),
                                              pending_ids.size(), embedded->vectors.size()));
    }
    update.usage += embedded->usage;
    if (!index) {
      const size_t dimension = embedded->vectors.front().size();
      if (dimension == 0) return Status::InvalidInput(fmt::format("{}: empty embedding vectors", provider.name()));
      auto created = store::VectorIndex::Create(update.space, dimension,
                                                static_cast<size_t>(std::max<int64_t>(counts->variants, 1)), params);
      if (!created.ok()) return created.status();
      index = std::move(created).value();
    }
    for (size_t i = 0; i < pending_ids.size(); ++i) {
      Status added = index->Add(static_cast<uint64_t>(pending_ids[i]), embedded->vectors[i]);
      if (!added.ok()) return added.WithContext(fmt::format("{} ({})", update.space, provider.name()));
    }
    update.added += static_cast<int64_t>(pending_ids.size());
    pending_ids.clear();
    pending_texts.clear();
    return Status::Ok();
  };
  Status status = store::ForEachVariantFeatures(store, {}, [&](int64_t id, store::VariantFeatures& features) -> Status {
    ++seen;
    if (options.show_progress && seen % 1024 == 0) progress.Update(seen);
    if (index && index->Contains(static_cast<uint64_t>(id))) return Status::Ok();
    pending_ids.push_back(id);
    pending_texts.push_back(DescribeVariant(features));
    if (pending_ids.size() < options.batch) return Status::Ok();
    VCFAGENT_RETURN_IF_ERROR(flush());
    if (CancelRequested()) return Status::Cancelled("embeddings: interrupted");
    return Status::Ok();
  });
  if (status.ok()) status = flush();
  // Whatever was embedded is kept, also when the provider failed or the user stopped: the API
  // calls are paid for, and the next run continues from here.
  if (index && update.added > 0) {
    Status saved = index->Save(path, static_cast<uint64_t>(*generation));
    if (!saved.ok()) return saved;
  }
  if (!status.ok()) {
    if (update.added > 0) {
      return Status(status).WithContext(fmt::format("{} variants embedded and saved before the failure; re-run to continue",
                                                    update.added));
    }
    return status;
  }
  if (options.show_progress) progress.Finish(seen);
  if (index) {
    update.dimension = index->dimension();
    update.indexed = static_cast<int64_t>(index->size());
  }
  update.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return update;
}

}  // namespace vcfagent::ai
