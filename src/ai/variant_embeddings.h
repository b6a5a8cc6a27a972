// Provider embeddings of stored variants: a second similarity space beside the built-in
// "features" one (`ingest --embeddings openai|ollama`, `index --embeddings ...`).
//
// Each variant is described in one line of plain text (position, alleles, class, gene,
// consequence, impact, clinical significance, frequencies, quality, carriers; see
// DescribeVariant) and the provider's embedding model turns it into a vector. The vectors live in
// an HNSW index under the store's similarity/ directory, in a space named "PROVIDER:MODEL" (so
// vectors of different models never mix), cosine distance, int8 after normalisation. The sidecar
// records the space and dimension; a model answering with another dimension is refused with an
// error naming both.
//
// Updates are incremental and resumable: only variants not yet in the space are sent, in batches;
// progress is saved when the provider fails or the user presses Ctrl-C, so a re-run continues
// where it stopped. Variants removed from the store since (an undone file) stay in the index and
// are skipped at query time.
#pragma once

#include <cstdint>
#include <string>

#include "ai/chat.h"
#include "store/similarity/embedding.h"
#include "store/store.h"

namespace vcfagent::ai {

// One line of text describing a variant for an embedding model.
std::string DescribeVariant(const store::VariantFeatures& features);

// "openai:text-embedding-3-small"
std::string EmbeddingSpaceName(const std::string& provider, const std::string& model);

struct EmbeddingUpdate {
  std::string space;
  size_t dimension = 0;
  int64_t indexed = 0;  // vectors in the space afterwards
  int64_t added = 0;    // variants embedded by this update
  int64_t requests = 0;
  TokenUsage usage;
  double seconds = 0;
};

struct EmbeddingUpdateOptions {
  size_t batch = 64;  // texts per provider request
  bool show_progress = false;
};

// Embeds the store's variants that the space lacks. Needs write access to the store directory.
Result<EmbeddingUpdate> UpdateEmbeddingSpace(store::Store& store, EmbeddingProvider& provider,
                                             const EmbeddingUpdateOptions& options);

}  // namespace vcfagent::ai
