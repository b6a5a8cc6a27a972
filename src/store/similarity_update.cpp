#include "store/similarity_update.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "store/similarity/embedding.h"
#include "store/variant_features.h"
#include "util/progress.h"

namespace vcfagent::store {
namespace {

using Clock = std::chrono::steady_clock;

// Embeds every variant and adds it to a new exact-cells index (vector_index.h): the features are
// low-dimensional and mostly categorical, so distinct vectors are few and an exact search over
// bounded cells is both cheaper to build and to store than a graph, and never misses.
Result<std::unique_ptr<VectorIndex>> BuildFeatureIndex(Store& store, bool show_progress) {
  auto counts = store.Counts();
  if (!counts.ok()) return counts.status();
  IndexParams params;
  params.structure = IndexStructure::kExactCells;
  auto index = VectorIndex::Create(kFeatureSpaceName, kFeatureDimension,
                                   static_cast<size_t>(std::max<int64_t>(counts->variants, 1)), params);
  if (!index.ok()) return index.status();
  // Reading is sequential: a small page cache leaves the memory to the index.
  (void)store.db().Exec("PRAGMA cache_size=-8192");
  ProgressMeter progress("similarity index", static_cast<uint64_t>(counts->variants));
  // Two stages on the two cores: this thread reads the features from SQLite, a helper embeds and
  // adds them, a chunk at a time (a bounded hand-over: memory does not grow with the store).
  constexpr size_t kChunk = 4096;
  using Chunk = std::vector<std::pair<int64_t, VariantFeatures>>;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Chunk> queue;
  bool finished = false;
  Status add_status;
  std::thread embedder([&] {
    for (;;) {
      Chunk chunk;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !queue.empty() || finished; });
        if (queue.empty()) return;
        chunk = std::move(queue.front());
        queue.pop_front();
      }
      changed.notify_all();
      for (auto& [id, features] : chunk) {
        Status added = (*index)->Add(static_cast<uint64_t>(id), EmbedVariant(features));
        if (!added.ok()) {
          std::lock_guard lock(mutex);
          add_status = std::move(added);
          finished = true;
          queue.clear();
          changed.notify_all();
          return;
        }
      }
    }
  });
  auto hand_over = [&](Chunk&& chunk) -> Status {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return queue.size() < 2 || finished; });
    if (finished) return add_status.ok() ? Status::Internal("similarity index: the embedding stage stopped") : add_status;
    queue.push_back(std::move(chunk));
    changed.notify_all();
    return Status::Ok();
  };
  uint64_t done = 0;
  Chunk chunk;
  chunk.reserve(kChunk);
  Status status = ForEachVariantFeatures(store, {}, [&](int64_t id, VariantFeatures& features) -> Status {
    chunk.emplace_back(id, std::move(features));
    if (chunk.size() < kChunk) return Status::Ok();
    done += chunk.size();
    VCFAGENT_RETURN_IF_ERROR(hand_over(std::move(chunk)));
    chunk = Chunk();
    chunk.reserve(kChunk);
    if (show_progress) progress.Update(done);
    if (CancelRequested()) return Status::Cancelled("similarity index: interrupted");
    return Status::Ok();
  });
  if (status.ok() && !chunk.empty()) {
    done += chunk.size();
    status = hand_over(std::move(chunk));
  }
  {
    std::lock_guard lock(mutex);
    if (!status.ok()) queue.clear();
    finished = true;
  }
  changed.notify_all();
  embedder.join();
  if (!status.ok()) return status;
  if (!add_status.ok()) return add_status;
  VCFAGENT_RETURN_IF_ERROR((*index)->Finish());
  progress.Finish(done);
  return std::move(index).value();
}

}  // namespace

std::string FeatureIndexPath(const Store& store) { return SpaceIndexPath(store, kFeatureSpaceName); }

std::string SpaceIndexPath(const Store& store, const std::string& space) {
  std::string file = space;
  for (char& c : file) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  return store.SimilarityDirectory() + "/" + file + ".hnsw";
}

Result<std::vector<IndexInfo>> ListSpaces(const Store& store) {
  std::vector<IndexInfo> spaces;
  std::error_code ec;
  std::filesystem::directory_iterator it(store.SimilarityDirectory(), ec);
  if (ec) return spaces;  // no similarity directory yet: no spaces
  for (const auto& entry : it) {
    const std::string path = entry.path().string();
    if (!path.ends_with(".hnsw")) continue;
    auto info = VectorIndex::ReadInfo(path);
    if (info.ok()) spaces.push_back(std::move(info.value()));
  }
  std::sort(spaces.begin(), spaces.end(), [](const IndexInfo& a, const IndexInfo& b) { return a.space < b.space; });
  return spaces;
}

Result<std::string> ResolveSpace(const Store& store, const std::string& name) {
  if (name.empty() || name == kFeatureSpaceName) return std::string(kFeatureSpaceName);
  auto spaces = ListSpaces(store);
  if (!spaces.ok()) return spaces.status();
  std::vector<std::string> matches;
  std::string known;
  for (const IndexInfo& info : *spaces) {
    known += (known.empty() ? "" : ", ") + info.space;
    if (info.space == name) return info.space;
    if (info.space.starts_with(name + ":")) matches.push_back(info.space);
  }
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) {
    return Status::Usage(fmt::format("space '{}' is ambiguous: name one of {}", name, known));
  }
  return Status::Usage(fmt::format(
      "the store has no similarity space '{}' (it has: {}); provider spaces are built by "
      "`vcf-agent ingest --embeddings openai|ollama` or `vcf-agent index --embeddings ...`",
      name, known.empty() ? std::string(kFeatureSpaceName) : known));
}

Result<IndexUpdate> UpdateSimilarityIndex(Store& store, bool show_progress) {
  const auto start = Clock::now();
  IndexUpdate update;
  update.space = kFeatureSpaceName;
  auto generation = store.Generation();
  if (!generation.ok()) return generation.status();
  const std::string path = FeatureIndexPath(store);
  auto info = VectorIndex::ReadInfo(path);
  // An index of another structure (a store indexed by an older vcf-agent) is rebuilt as well.
  if (info.ok() && info->generation == static_cast<uint64_t>(*generation) &&
      info->dimension == static_cast<size_t>(kFeatureDimension) && info->structure == IndexStructure::kExactCells) {
    update.indexed = static_cast<int64_t>(info->count);
    return update;
  }
  std::error_code ec;
  std::filesystem::create_directories(store.SimilarityDirectory(), ec);
  if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", store.SimilarityDirectory(), ec.message()));
  auto index = BuildFeatureIndex(store, show_progress);
  if (!index.ok()) return index.status();
  VCFAGENT_RETURN_IF_ERROR((*index)->Save(path, static_cast<uint64_t>(*generation)));
  update.indexed = static_cast<int64_t>((*index)->size());
  update.added = update.indexed;
  update.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return update;
}

Result<std::unique_ptr<VectorIndex>> OpenFeatureIndex(Store& store, bool show_progress, bool* rebuilt) {
  *rebuilt = false;
  auto generation = store.Generation();
  if (!generation.ok()) return generation.status();
  const std::string path = FeatureIndexPath(store);
  auto info = VectorIndex::ReadInfo(path);
  if (info.ok() && info->generation == static_cast<uint64_t>(*generation)) {
    auto index = VectorIndex::Load(path, {kFeatureSpaceName, static_cast<size_t>(kFeatureDimension)});
    if (index.ok()) return index;
  }
  *rebuilt = true;
  return BuildFeatureIndex(store, show_progress);
}

}  // namespace vcfagent::store
