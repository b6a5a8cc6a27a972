#include "store/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "store/schema.h"

namespace vcfagent::store {
namespace fs = std::filesystem;

std::string DefaultStoreDirectory() {
  if (const char* env = std::getenv("VCF_AGENT_DB"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/vcf-agent/store";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.local/share/vcf-agent/store";
  }
  return "vcf-agent-store";
}

namespace {

// info_value(info, key): the value of `key` in an INFO string ("1" for a flag), else NULL.
void InfoValueFunction(sqlite3_context* context, int argc, sqlite3_value** argv) {
  const auto* info = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const auto* key = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  if (!info || !key) {
    sqlite3_result_null(context);
    return;
  }
  const std::string_view text(info, sqlite3_value_bytes(argv[0]));
  const std::string_view wanted(key, sqlite3_value_bytes(argv[1]));
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view field = text.substr(start, end - start);
    const size_t eq = field.find('=');
    if (field.substr(0, eq) == wanted) {
      if (eq == std::string_view::npos) {
        sqlite3_result_text(context, "1", 1, SQLITE_STATIC);
      } else {
        const std::string_view value = field.substr(eq + 1);
        sqlite3_result_text(context, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
      }
      return;
    }
    start = end + 1;
  }
  sqlite3_result_null(context);
}

Status RegisterFunctions(Database& db) {
  if (sqlite3_create_function_v2(db.handle(), "info_value", 2,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                 InfoValueFunction, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status::Internal("cannot register info_value(): " + db.ErrorMessage());
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, Access access) {
  auto store = std::unique_ptr<Store>(new Store());
  store->dir_ = dir;
  store->access_ = access;
  const std::string db_path = store->DatabasePath();
  std::error_code ec;
  const bool exists = fs::exists(db_path, ec);
  if (access == Access::kRead) {
    if (!exists) {
      return Status::Usage(fmt::format(
          "{}: no store here (create one with 'vcf-agent ingest FILE --db {}')", dir, dir));
    }
    auto db = Database::Open(db_path, Database::Mode::kReadOnly);
    if (!db.ok()) return db.status();
    store->db_ = std::move(db).value();
    VCFAGENT_RETURN_IF_ERROR(store->CheckVersion());
    VCFAGENT_RETURN_IF_ERROR(RegisterFunctions(*store->db_));
    // Queries read a lot: a generous page cache and memory-mapped reads.
    (void)store->db_->Exec("PRAGMA cache_size=-131072; PRAGMA mmap_size=1073741824;");
    return store;
  }

  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return Status::Usage(fmt::format("{}: exists and is not a store directory", dir));
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(fmt::format("{}: cannot create the store directory: {}", dir, ec.message()));
  const std::string lock_path = dir + "/LOCK";
  store->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (store->lock_fd_ < 0) {
    return Status::IoError(fmt::format("{}: cannot write to the store: {}", lock_path, std::strerror(errno)));
  }
  if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::Usage(fmt::format(
        "{}: another vcf-agent process is writing to this store; wait for it to finish", dir));
  }
  // An empty store.sqlite holds nothing (an older vcf-agent killed while creating it left one).
  if (fs::exists(db_path, ec) && fs::file_size(db_path, ec) == 0 && !ec) fs::remove(db_path, ec);
  if (!fs::exists(db_path, ec)) {
    // A new store is made under another name and renamed into place once its schema is
    // committed: a process killed while creating it leaves no half-made store.sqlite behind
    // (only the .creating file, which the next writer removes).
    const std::string creating = db_path + ".creating";
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(creating + suffix, ec);
    auto fresh = Database::Open(creating, Database::Mode::kCreate);
    if (!fresh.ok()) return fresh.status();
    store->db_ = std::move(fresh).value();
    VCFAGENT_RETURN_IF_ERROR(store->Initialise());
    store->db_.reset();
    if (::rename(creating.c_str(), db_path.c_str()) != 0) {
      return Status::IoError(fmt::format("{}: cannot create the store: {}", db_path, std::strerror(errno)));
    }
  }
  auto db = Database::Open(db_path, Database::Mode::kCreate);
  if (!db.ok()) return db.status();
  store->db_ = std::move(db).value();
  VCFAGENT_RETURN_IF_ERROR(store->CheckVersion());
  VCFAGENT_RETURN_IF_ERROR(RegisterFunctions(*store->db_));
  // WAL: readers go on during writes; synchronous=NORMAL keeps every committed batch through a
  // process crash (SIGKILL) and the database consistent through a power loss.
  VCFAGENT_RETURN_IF_ERROR(store->db_->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
      "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=100000;"));
  return store;
}

namespace {
std::atomic<int> g_store_writes{0};
}  // namespace

StoreWriteScope::StoreWriteScope() { g_store_writes.fetch_add(1); }
StoreWriteScope::~StoreWriteScope() { g_store_writes.fetch_sub(1); }
int StoreWritesInProgress() { return g_store_writes.load(); }

Store::~Store() {
  db_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Status Store::Initialise() {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  // A database file someone else created (not empty, no meta table) is not ours to overwrite.
  auto tables = QueryInt(*db_, "SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return tables.status();
  if (tables->value_or(0) > 0) {
    return Status::Usage(fmt::format("{}: is not a vcf-agent store", DatabasePath()));
  }
  VCFAGENT_RETURN_IF_ERROR(db_->Exec(SchemaSql()));
  VCFAGENT_RETURN_IF_ERROR(db_->Exec(fmt::format(
      "INSERT INTO meta VALUES ('schema_version', '{}'), ('generation', '0'),"
      "('created_by', 'vcf-agent {}'), ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));"
      "PRAGMA user_version={};",
      kSchemaVersion, VCFAGENT_VERSION, kSchemaVersion)));
  return tx->Commit();
}

Status Store::CheckVersion() {
  auto version = QueryInt(*db_, "PRAGMA user_version");
  if (!version.ok()) {
    return Status::IoError(fmt::format("{}: is not a readable vcf-agent store: {}", DatabasePath(),
                                       version.status().message()));
  }
  const int64_t found = version->value_or(0);
  if (found == 0) {
    auto meta = QueryInt(*db_, "SELECT count(*) FROM sqlite_schema WHERE name='meta'");
    if (!meta.ok() || meta->value_or(0) == 0) {
      return Status::Usage(fmt::format("{}: is not a vcf-agent store", DatabasePath()));
    }
  }
  if (found > kSchemaVersion) {
    return Status::Usage(fmt::format(
        "{}: the store has schema version {}, written by a newer vcf-agent; this vcf-agent {} "
        "reads versions up to {}. Upgrade vcf-agent to use this store.",
        dir_, found, VCFAGENT_VERSION, kSchemaVersion));
  }
  return Status::Ok();
}

Result<int64_t> Store::Generation() {
  auto value = QueryInt(*db_, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='generation'");
  if (!value.ok()) return value.status();
  return value->value_or(0);
}

Result<StoreCounts> Store::Counts() {
  auto stmt = db_->Prepare(
      "SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM files WHERE status='loading'),"
      " (SELECT count(*) FROM samples), (SELECT count(*) FROM variants),"
      " (SELECT count(*) FROM genotypes), (SELECT count(*) FROM genes)");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  StoreCounts counts;
  counts.files = stmt->Int(0);
  counts.files_loading = stmt->Int(1);
  counts.samples = stmt->Int(2);
  counts.variants = stmt->Int(3);
  counts.genotypes = stmt->Int(4);
  counts.genes = stmt->Int(5);
  return counts;
}

Result<VariantKey> Store::VariantById(int64_t variant_id) {
  auto stmt = db_->Prepare(
      "SELECT c.name, v.pos, v.ref, v.alt FROM variants v JOIN contigs c USING (chrom_id) "
      "WHERE v.variant_id = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, variant_id);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Usage(fmt::format("no variant with id {} in the store", variant_id));
  return VariantKey{variant_id, std::string(stmt->Text(0)), stmt->Int(1), std::string(stmt->Text(2)),
                    std::string(stmt->Text(3))};
}

Result<std::optional<int64_t>> Store::ContigId(const std::string& name) {
  auto stmt = db_->Prepare("SELECT chrom_id FROM contigs WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  auto lookup = [&](std::string_view candidate) -> Result<std::optional<int64_t>> {
    stmt->Reset();
    stmt->Bind(1, candidate);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<int64_t>();
    return std::optional<int64_t>(stmt->Int(0));
  };
  auto exact = lookup(name);
  if (!exact.ok() || exact->has_value()) return exact;
  if (name.rfind("chr", 0) == 0) return lookup(name.substr(3));
  return lookup("chr" + name);
}

Result<VariantKey> Store::ResolveVariant(const std::string& spec) {
  if (!spec.empty() && spec.find_first_not_of("0123456789") == std::string::npos) {
    return VariantById(std::stoll(spec));
  }
  std::vector<std::string> parts;
  const char separator = spec.find(':') != std::string::npos ? ':' : '-';
  size_t start = 0;
  for (;;) {
    const size_t next = spec.find(separator, start);
    parts.push_back(spec.substr(start, next - start));
    if (next == std::string::npos) break;
    start = next + 1;
  }
  if (parts.size() != 4 || parts[1].empty() ||
      parts[1].find_first_not_of("0123456789") != std::string::npos) {
    return Status::Usage(fmt::format(
        "'{}' is not a variant: give its id or chrom:pos:ref:alt (e.g. chr22:16050075:A:G)", spec));
  }
  auto chrom = ContigId(parts[0]);
  if (!chrom.ok()) return chrom.status();
  if (!chrom->has_value()) {
    return Status::Usage(fmt::format("variant {}: chromosome '{}' is not in the store", spec, parts[0]));
  }
  auto stmt = db_->Prepare(
      "SELECT variant_id FROM variants WHERE chrom_id = ? AND pos = ? AND ref = ? AND alt = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, **chrom).Bind(2, static_cast<int64_t>(std::stoll(parts[1]))).Bind(3, parts[2]).Bind(4, parts[3]);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Usage(fmt::format("variant {} is not in the store", spec));
  return VariantById(stmt->Int(0));
}

Result<int64_t> Store::SampleId(const std::string& name) {
  auto stmt = db_->Prepare("SELECT sample_id FROM samples WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, name);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (*row) return stmt->Int(0);
  auto names = db_->Prepare("SELECT name FROM samples ORDER BY sample_id LIMIT 5");
  if (!names.ok()) return names.status();
  std::string known;
  while (true) {
    auto next = names->Step();
    if (!next.ok() || !*next) break;
    known += (known.empty() ? "" : ", ") + std::string(names->Text(0));
  }
  return Status::Usage(fmt::format("sample '{}' is not in the store{}", name,
                                   known.empty() ? " (it has no samples)" : " (samples include " + known + ")"));
}

Result<std::vector<int64_t>> Store::GeneIds(const std::string& name) {
  auto stmt = db_->Prepare("SELECT gene_id FROM genes WHERE name = ? COLLATE NOCASE");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, name);
  std::vector<int64_t> ids;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ids.push_back(stmt->Int(0));
  }
  return ids;
}

Result<std::string> Store::MetaValue(const std::string& key) {
  auto stmt = db_->Prepare("SELECT value FROM meta WHERE key = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, key);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::string();
  return std::string(stmt->Text(0));
}

}  // namespace vcfagent::store
