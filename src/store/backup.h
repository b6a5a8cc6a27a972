// Backup and restore of a store directory, safe while the store is in use.
//
// Backup copies the database with SQLite's online backup API inside one read transaction (a
// consistent snapshot; with WAL, writers are not blocked), checks the copy, copies the similarity
// index files that belong to the same generation, and publishes the backup directory with a
// rename: it is complete or absent. Restore checks the backup (schema version, integrity) and
// copies it into the live store through the same API in one write transaction, so readers see
// the old store or the new one, never a mixture.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.h"

namespace vcfagent::store {

struct BackupResult {
  std::string path;
  int64_t bytes = 0;
  int64_t variants = 0;
  int64_t generation = 0;
  int index_files = 0;
  // restore: the store's previous index files, moved aside (never deleted) into kept_index_dir.
  int kept_index_files = 0;
  std::string kept_index_dir;
  double seconds = 0;
};

// `store` may be opened for reading. `to` must not exist yet.
Result<BackupResult> BackupStore(Store& store, const std::string& to);

// `store` must be opened for writing (it holds the writer lock, so no ingest runs meanwhile).
// Refuses a source that is the store itself (same directory or database file, also through
// links). The store's index files are moved aside into DIR/similarity/before-restore-TIME/, never
// deleted; the backup's replace them.
Result<BackupResult> RestoreStore(Store& store, const std::string& from);

}  // namespace vcfagent::store
