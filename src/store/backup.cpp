#include "store/backup.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <string_view>
#include <vector>

#include "store/schema.h"

namespace vcfagent::store {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

Status CopyDatabase(sqlite3* from, sqlite3* to, const std::string& what) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (!backup) return Status::IoError(fmt::format("{}: cannot start: {}", what, sqlite3_errmsg(to)));
  const int rc = sqlite3_backup_step(backup, -1);  // all pages in one step: one consistent snapshot
  const int finish = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE || finish != SQLITE_OK) {
    return Status::IoError(fmt::format("{}: {}", what, sqlite3_errmsg(to)));
  }
  return Status::Ok();
}

// PRAGMA quick_check, summarised: its answer can be a hundred lines (one row of many lines).
Status QuickCheck(Database& db) {
  constexpr size_t kReported = 2;
  auto stmt = db.Prepare("PRAGMA quick_check");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> problems;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string_view text = stmt->Text(0);
    while (!text.empty()) {
      const size_t end = std::min(text.find('\n'), text.size());
      const std::string_view line = text.substr(0, end);
      text.remove_prefix(std::min(end + 1, text.size()));
      if (line.empty() || line == "ok" || line.substr(0, 4) == "*** ") continue;
      problems.emplace_back(line);
    }
  }
  if (problems.empty()) return Status::Ok();
  std::string first;
  for (size_t i = 0; i < problems.size() && i < kReported; ++i) first += (i ? "; " : "") + problems[i];
  // quick_check stops after 100 problems.
  return Status::IoError(fmt::format("{}: the database fails its integrity check: {}{} problem{} ({}{})",
                                     db.path(), problems.size(), problems.size() >= 100 ? " or more" : "",
                                     problems.size() == 1 ? "" : "s", first,
                                     problems.size() > kReported ? "; ..." : ""));
}

// True when `from` names this store (the same directory or the same database file, through
// symbolic or hard links): restoring a store from itself would only lose its index files.
bool IsSameStore(const Store& store, const std::string& from) {
  std::error_code ec;
  if (fs::equivalent(store.dir(), from, ec) && !ec) return true;
  ec.clear();
  return fs::equivalent(store.DatabasePath(), fs::path(from) / "store.sqlite", ec) && !ec;
}

// Moves the store's index files aside into `keep_dir` (created on first use): restore never
// deletes an index, which may hold paid-for provider embeddings the backup does not have.
Result<int> MoveIndexFilesAside(const std::string& index_dir, const std::string& keep_dir) {
  std::error_code ec;
  if (!fs::is_directory(index_dir, ec)) return 0;
  int moved = 0;
  for (const auto& entry : fs::directory_iterator(index_dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (moved == 0) {
      fs::create_directories(keep_dir, ec);
      if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", keep_dir, ec.message()));
    }
    fs::rename(entry.path(), fs::path(keep_dir) / name, ec);
    if (ec) return Status::IoError(fmt::format("{}: cannot move aside: {}", entry.path().string(), ec.message()));
    ++moved;
  }
  if (ec) return Status::IoError(fmt::format("{}: cannot list: {}", index_dir, ec.message()));
  return moved;
}

// Copies the similarity index files of `generation` (others are stale and would be rebuilt).
Result<int> CopyIndexFiles(const std::string& from_dir, const std::string& to_dir) {
  std::error_code ec;
  if (!fs::is_directory(from_dir, ec)) return 0;
  fs::create_directories(to_dir, ec);
  if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", to_dir, ec.message()));
  int copied = 0;
  for (const auto& entry : fs::directory_iterator(from_dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp") != std::string::npos) continue;
    const fs::path target = fs::path(to_dir) / name;
    const fs::path temp = fs::path(to_dir) / (name + ".tmp-restore");
    fs::copy_file(entry.path(), temp, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(temp, target, ec);
    if (ec) {
      std::error_code ignored;
      fs::remove(temp, ignored);  // a partial copy (a full disk) is not left behind
      return Status::IoError(fmt::format("{}: cannot copy: {}", entry.path().string(), ec.message()));
    }
    ++copied;
  }
  return copied;
}

Result<int64_t> CountVariants(Database& db) {
  auto n = QueryInt(db, "SELECT count(*) FROM variants");
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

}  // namespace

Result<BackupResult> BackupStore(Store& store, const std::string& to) {
  const auto start = Clock::now();
  std::error_code ec;
  if (fs::exists(to, ec)) {
    return Status::Usage(fmt::format("{}: already exists; choose a new backup path", to));
  }
  const fs::path target(to);
  const fs::path temp = target.parent_path() / (target.filename().string() + fmt::format(".tmp-{}", ::getpid()));
  fs::create_directories(temp, ec);
  if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", temp.string(), ec.message()));
  auto cleanup = [&] { fs::remove_all(temp, ec); };

  BackupResult result;
  {
    auto copy = Database::Open((temp / "store.sqlite").string(), Database::Mode::kCreate);
    if (!copy.ok()) { cleanup(); return copy.status(); }
    // The snapshot: the generation and the pages come from the same read transaction.
    Status status = store.db().Exec("BEGIN");
    auto generation = store.Generation();
    if (status.ok() && generation.ok()) status = CopyDatabase(store.db().handle(), (*copy)->handle(), "backup");
    (void)store.db().Exec("COMMIT");
    if (status.ok() && !generation.ok()) status = generation.status();
    if (status.ok()) status = QuickCheck(**copy);
    if (!status.ok()) { cleanup(); return status; }
    result.generation = *generation;
    auto variants = CountVariants(**copy);
    if (!variants.ok()) { cleanup(); return variants.status(); }
    result.variants = *variants;
  }
  auto index = CopyIndexFiles(store.SimilarityDirectory(), (temp / "similarity").string());
  if (!index.ok()) { cleanup(); return index.status(); }
  result.index_files = *index;
  fs::rename(temp, target, ec);
  if (ec) {
    cleanup();
    return Status::IoError(fmt::format("{}: cannot publish the backup: {}", to, ec.message()));
  }
  result.path = to;
  result.bytes = static_cast<int64_t>(fs::file_size(target / "store.sqlite", ec));
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

Result<BackupResult> RestoreStore(Store& store, const std::string& from) {
  const auto start = Clock::now();
  if (store.access() != Store::Access::kWrite) return Status::Internal("restore needs write access");
  std::error_code exists_ec;
  if (!fs::exists(fs::path(from) / "store.sqlite", exists_ec)) {
    return Status::Usage(fmt::format("{}: is not a backup written by 'vcf-agent backup' (no store.sqlite)", from));
  }
  if (IsSameStore(store, from)) {
    return Status::Usage(fmt::format(
        "{}: is this store itself ({}); restore copies a backup written by 'vcf-agent backup' "
        "into the store; nothing was changed", from, store.dir()));
  }
  // Opening the backup as a store checks that it is one and that its version is readable.
  auto backup = Store::Open(from, Store::Access::kRead);
  if (!backup.ok()) return backup.status();
  VCFAGENT_RETURN_IF_ERROR(QuickCheck((*backup)->db()));
  BackupResult result;
  result.path = from;
  auto generation = (*backup)->Generation();
  if (!generation.ok()) return generation.status();
  result.generation = *generation;
  VCFAGENT_RETURN_IF_ERROR(CopyDatabase((*backup)->db().handle(), store.db().handle(), "restore"));
  auto variants = CountVariants(store.db());
  if (!variants.ok()) return variants.status();
  result.variants = *variants;
  // The store's index files describe its old content: they move aside (not deleted: a provider's
  // embeddings cost money to rebuild) and the backup's take their place. What the backup has no
  // index for is rebuilt on demand.
  const std::string keep_dir = fmt::format("{}/before-restore-{}", store.SimilarityDirectory(),
                                           static_cast<int64_t>(::time(nullptr)));
  auto kept = MoveIndexFilesAside(store.SimilarityDirectory(), keep_dir);
  if (!kept.ok()) return kept.status();
  if (*kept > 0) {
    result.kept_index_files = *kept;
    result.kept_index_dir = keep_dir;
  }
  auto index = CopyIndexFiles((*backup)->SimilarityDirectory(), store.SimilarityDirectory());
  if (!index.ok()) return index.status();
  result.index_files = *index;
  std::error_code ec;
  result.bytes = static_cast<int64_t>(fs::file_size((*backup)->DatabasePath(), ec));
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace vcfagent::store
