#include "store/sqlite.h"

#include <fmt/format.h>

namespace vcfagent::store {

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, Mode mode) {
  // Before SQLite's first use: no memory statistics (a global mutex on every allocation).
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize() == SQLITE_OK;
  }();
  if (!configured) return Status::Internal("SQLite cannot be initialised");
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case Mode::kReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case Mode::kReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::kCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
  }
  auto db = std::unique_ptr<Database>(new Database());
  db->path_ = path;
  const int rc = sqlite3_open_v2(path.c_str(), &db->db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db->db_ ? sqlite3_errmsg(db->db_) : sqlite3_errstr(rc);
    return Status::IoError(fmt::format("{}: cannot open the store database: {}", path, why));
  }
  sqlite3_extended_result_codes(db->db_, 1);
  // Writers wait for each other instead of failing at once; readers never wait in WAL mode.
  sqlite3_busy_timeout(db->db_, 10000);
  return db;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

std::string Database::ErrorMessage() const { return sqlite3_errmsg(db_); }

Status Database::Exec(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : ErrorMessage();
    sqlite3_free(error);
    return Status::IoError(fmt::format("{}: {}", path_, message));
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return Status::Internal(fmt::format("{}: cannot prepare a statement: {}", path_, ErrorMessage()));
  }
  return Statement(db_, stmt);
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindView(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string message = sqlite3_errmsg(db_);
  const int primary = rc & 0xff;
  if (primary == SQLITE_INTERRUPT) return Status::Cancelled("the query was interrupted: " + message);
  if (primary == SQLITE_AUTH) return Status::Usage(message);
  if (primary == SQLITE_FULL) return Status::IoError("the disk is full: " + message);
  if (primary == SQLITE_READONLY) return Status::Usage("the store is read-only here: " + message);
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return Status::IoError("the store database is damaged: " + message);
  }
  return Status::IoError(message);
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) {
      Reset();
      return row.status();
    }
    if (!*row) break;
  }
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::Text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!text) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

Result<Transaction> Transaction::Begin(Database& db) {
  VCFAGENT_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Result<Transaction> Transaction::BeginRead(Database& db) {
  if (sqlite3_get_autocommit(db.handle()) == 0) return Transaction(nullptr);
  VCFAGENT_RETURN_IF_ERROR(db.Exec("BEGIN DEFERRED"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!db_) return Status::Ok();
  Status status = db_->Exec("COMMIT");
  if (status.ok()) db_ = nullptr;
  return status;
}

Result<std::optional<int64_t>> QueryInt(Database& db, std::string_view sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row || stmt->IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

}  // namespace vcfagent::store
