// A thin RAII layer over the SQLite C API: a connection, prepared statements and transactions,
// with every failure turned into a Status that names the statement's purpose.
//
// The store opens one read-write connection per writer process (SQLite allows one writer; WAL
// lets readers go on during a write) and read-only connections for queries.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vcfagent::store {

class Statement;

class Database {
 public:
  enum class Mode { kReadOnly, kReadWrite, kCreate };
  static Result<std::unique_ptr<Database>> Open(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // The current error text of the connection, for messages.
  std::string ErrorMessage() const;
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  Database() = default;
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept { *this = std::move(other); }
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Binding is 1-based as in SQLite. std::nullopt binds NULL.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);  // copied (SQLITE_TRANSIENT)
  // Not copied (SQLITE_STATIC): `value` must outlive the next Step()/Run(). For hot insert loops.
  Statement& BindView(int index, std::string_view value);
  Statement& BindNull(int index);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // Steps once: true when a row is available, false when done, or an error.
  Result<bool> Step();
  // Steps to completion (for INSERT/UPDATE), then resets for reuse.
  Status Run();
  void Reset();

  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string_view Text(int col) const;
  std::optional<int64_t> OptionalInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
  std::optional<double> OptionalDouble(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<double>(Double(col));
  }
  std::string_view ColumnName(int col) const { return sqlite3_column_name(stmt_, col); }
  int ColumnType(int col) const { return sqlite3_column_type(stmt_, col); }
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db);
  // A read transaction (BEGIN DEFERRED): every read until it ends sees one snapshot, even while
  // another connection commits (WAL). Inside an open transaction it does nothing.
  static Result<Transaction> BeginRead(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// Runs a query expected to return one integer (e.g. SELECT count(*)); nullopt for no row or NULL.
Result<std::optional<int64_t>> QueryInt(Database& db, std::string_view sql);

}  // namespace vcfagent::store
