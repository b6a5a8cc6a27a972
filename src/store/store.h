// Store: the embedded variant store, one directory.
//
//   DIR/store.sqlite      catalog, variants, genotypes, genes, samples (SQLite, WAL mode)
//   DIR/similarity/       vector indexes, one per embedding space (hnswlib)
//   DIR/LOCK              held (flock) by the one process writing to the store
//
// One writer at a time (a second ingest fails fast with a clear message); any number of readers,
// which keep working during a write thanks to WAL. The schema version is recorded; a store from a
// newer vcf-agent is refused. The directory is --db DIR, else $VCF_AGENT_DB, else
// $XDG_DATA_HOME/vcf-agent/store (~/.local/share/vcf-agent/store).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sqlite.h"
#include "util/status.h"

namespace vcfagent::store {

// The directory used when no --db is given.
std::string DefaultStoreDirectory();

// The SQL that marks a committed change: caches (the similarity index) compare generations.
inline constexpr std::string_view kBumpGenerationSql =
    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'";

// Counts the writers of stores in this process (an ingest and its similarity index update) for
// their lifetime. Read caches (the service's cohort graph and similarity index) answer from the
// generation they hold while one runs, instead of rebuilding after every committed batch.
class StoreWriteScope {
 public:
  StoreWriteScope();
  ~StoreWriteScope();
  StoreWriteScope(const StoreWriteScope&) = delete;
  StoreWriteScope& operator=(const StoreWriteScope&) = delete;
};
int StoreWritesInProgress();

struct StoreCounts {
  int64_t files = 0;
  int64_t files_loading = 0;
  int64_t samples = 0;
  int64_t variants = 0;
  int64_t genotypes = 0;
  int64_t genes = 0;
};

// A variant as users name it: its id, or chrom:pos:ref:alt.
struct VariantKey {
  int64_t variant_id = 0;
  std::string chrom;
  int64_t pos = 0;
  std::string ref, alt;
  std::string Label() const { return chrom + ":" + std::to_string(pos) + ":" + ref + ":" + alt; }
};

class Store {
 public:
  enum class Access { kRead, kWrite };
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, Access access);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Database& db() { return *db_; }
  const std::string& dir() const { return dir_; }
  std::string DatabasePath() const { return dir_ + "/store.sqlite"; }
  std::string SimilarityDirectory() const { return dir_ + "/similarity"; }
  Access access() const { return access_; }

  // Increases with every committed change; caches (the similarity index, the graph) record the
  // generation they were built from.
  Result<int64_t> Generation();
  Result<StoreCounts> Counts();

  // Resolves "123" (a variant id) or "chrom:pos:ref:alt" (also "chrom-pos-ref-alt"); a Usage error
  // names what was not found.
  Result<VariantKey> ResolveVariant(const std::string& spec);
  Result<VariantKey> VariantById(int64_t variant_id);
  Result<int64_t> SampleId(const std::string& name);  // Usage error listing a few known names
  Result<std::vector<int64_t>> GeneIds(const std::string& name);  // case-insensitive, may be empty
  Result<std::optional<int64_t>> ContigId(const std::string& name);  // chr-prefix tolerant
  Result<std::string> MetaValue(const std::string& key);

 private:
  Store() = default;
  Status Initialise();
  Status CheckVersion();

  std::string dir_;
  Access access_ = Access::kRead;
  std::unique_ptr<Database> db_;
  int lock_fd_ = -1;
};

}  // namespace vcfagent::store
