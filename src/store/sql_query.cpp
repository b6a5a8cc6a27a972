#include "store/sql_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "obs/service_metrics.h"
#include "obs/timed_span.h"
#include "util/json_text.h"
#include "util/number_text.h"
#include "util/progress.h"

namespace vcfagent::store {
namespace {

using Clock = std::chrono::steady_clock;

// Functions a read-only query may call: what analysis needs, nothing that reaches outside the
// statement (load_extension, fts3_tokenizer's pointers, readfile), reports on the process
// (sqlite_version, changes) or only makes bulk (randomblob, zeroblob).
const std::unordered_set<std::string_view>& AllowedFunctions() {
  static const std::unordered_set<std::string_view> kNames = {
      // aggregates and window functions
      "avg", "count", "group_concat", "max", "min", "sum", "total", "json_group_array",
      "json_group_object", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
      "lag", "lead", "first_value", "last_value", "nth_value",
      // scalar: comparison, text, types
      "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif",
      "instr", "length", "like", "likelihood", "likely", "lower", "ltrim", "nullif", "octet_length",
      "printf", "quote", "random", "replace", "round", "rtrim", "sign", "soundex", "substr",
      "substring", "trim", "typeof", "unhex", "unicode", "unlikely", "upper",
      // math
      "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
      "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians",
      "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
      // date and time
      "date", "time", "datetime", "julianday", "strftime", "unixepoch", "current_date",
      "current_time", "current_timestamp",
      // JSON (json_each and json_tree are tables, below)
      "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object",
      "json_patch", "json_quote", "json_remove", "json_replace", "json_set", "json_type",
      "json_valid", "->", "->>",
      // the store's own
      "info_value",
  };
  return kNames;
}

// Schema pragmas, callable as statements (PRAGMA table_info(variants)) or as table-valued
// functions (pragma_table_info('variants')): they read the schema and change nothing.
const std::unordered_set<std::string_view>& AllowedPragmas() {
  static const std::unordered_set<std::string_view> kNames = {
      "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
      "foreign_key_list"};
  return kNames;
}

// Tables that are not in the store's schema but may be read: the schema itself and the
// table-valued functions above. Other built-in virtual tables (dbstat, sqlite_stmt, ...) are not.
const std::unordered_set<std::string_view>& AllowedBuiltinTables() {
  static const std::unordered_set<std::string_view> kNames = {
      "sqlite_schema", "sqlite_master", "sqlite_temp_schema", "sqlite_temp_master", "json_each",
      "json_tree", "pragma_table_info", "pragma_table_xinfo", "pragma_table_list",
      "pragma_index_list", "pragma_index_info", "pragma_index_xinfo", "pragma_foreign_key_list"};
  return kNames;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Policy {
  std::unordered_set<std::string> tables;  // the store's tables and views, lower case
  std::string denied;                      // why the statement was refused
};

int Authorize(void* data, int action, const char* arg1, const char* arg2, const char* database,
              const char*) {
  auto* policy = static_cast<Policy*>(data);
  const std::string first = arg1 ? Lower(arg1) : "";
  const std::string second = arg2 ? Lower(arg2) : "";
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_READ:
      // No database: a common table expression (an aggregate over a recursive one reads it).
      if (database == nullptr) return SQLITE_OK;
      if (policy->tables.count(first) || AllowedBuiltinTables().count(first)) return SQLITE_OK;
      policy->denied = fmt::format(
          "{} cannot be read here: queries read the store's tables and views, sqlite_schema, "
          "json_each, json_tree and the schema pragmas (pragma_table_info, pragma_table_list, "
          "pragma_index_list, ...)", first);
      return SQLITE_DENY;
    case SQLITE_FUNCTION:
      if (AllowedFunctions().count(second)) return SQLITE_OK;
      policy->denied = fmt::format(
          "function {}() is not available in read-only SQL (docs/store.md lists the functions "
          "that are)", second);
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      if (AllowedPragmas().count(first)) return SQLITE_OK;
      policy->denied = fmt::format(
          "PRAGMA {} is not allowed; the schema pragmas are: table_info, table_xinfo, table_list, "
          "index_list, index_info, index_xinfo, foreign_key_list (also as pragma_table_info(...) "
          "and so on)", first);
      return SQLITE_DENY;
    case SQLITE_UPDATE:
      // SQLite announces an update of the schema table when a table-valued function is first used
      // on a connection (it declares the function's table). Nothing can be written: the connection
      // is read-only with query_only, and the statement must be sqlite3_stmt_readonly().
      if (first == "sqlite_master" || first == "sqlite_temp_master") return SQLITE_OK;
      break;
    default:
      break;
  }
  switch (action) {
    case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
      policy->denied = fmt::format("writing to {} is not allowed: the store is read-only here",
                                   arg1 ? arg1 : "a table");
      break;
    case SQLITE_ATTACH: case SQLITE_DETACH: policy->denied = "ATTACH/DETACH is not allowed"; break;
    case SQLITE_TRANSACTION: case SQLITE_SAVEPOINT: policy->denied = "transactions are not allowed"; break;
    default: policy->denied = "only SELECT statements (and the schema pragmas) are allowed"; break;
  }
  return SQLITE_DENY;
}

struct Deadline {
  Clock::time_point end;
  bool expired = false;
  bool cancelled = false;
};

int CheckDeadline(void* data) {
  auto* deadline = static_cast<Deadline*>(data);
  if (CancelRequested()) {
    deadline->cancelled = true;
    return 1;  // interrupts the statement
  }
  if (Clock::now() > deadline->end) {
    deadline->expired = true;
    return 1;
  }
  return 0;
}

// printf() and format() with a width or precision beyond the value limit: SQLite 3.40 builds
// printf('%.*c', 900000000, 'x') one character at a time for seconds (no progress callback runs
// inside a function) and then returns NULL. On the user's connection they are replaced by a check
// of the widths that hands every other call to SQLite's own printf on a private connection.
class CheckedPrintf {
 public:
  CheckedPrintf() = default;
  ~CheckedPrintf() {
    for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close(db_);
  }
  CheckedPrintf(const CheckedPrintf&) = delete;
  CheckedPrintf& operator=(const CheckedPrintf&) = delete;

  static void Call(sqlite3_context* context, int argc, sqlite3_value** argv) {
    auto* self = static_cast<CheckedPrintf*>(sqlite3_user_data(context));
    const auto* format = argc > 0 ? reinterpret_cast<const char*>(sqlite3_value_text(argv[0])) : nullptr;
    if (!format) {
      sqlite3_result_null(context);
      return;
    }
    if (const int64_t width = LargestWidth(format, argc, argv); width > kSqlMaxValueBytes) {
      const std::string message = fmt::format(
          "printf()/format(): a width or precision of {} is over {} MiB, the limit on one value",
          width, kSqlMaxValueBytes >> 20);
      sqlite3_result_error(context, message.c_str(), -1);
      return;
    }
    sqlite3_stmt* stmt = self->StatementFor(argc);
    if (!stmt) {
      sqlite3_result_error(context, "printf(): cannot be evaluated", -1);
      return;
    }
    for (int i = 0; i < argc; ++i) sqlite3_bind_value(stmt, i + 1, argv[i]);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      sqlite3_result_value(context, sqlite3_column_value(stmt, 0));
    } else {
      sqlite3_result_error(context, sqlite3_errmsg(self->db_), -1);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }

 private:
  // The largest width or precision in `format`, '*' ones taken from their arguments.
  static int64_t LargestWidth(std::string_view format, int argc, sqlite3_value** argv) {
    int64_t largest = 0;
    int next = 1;
    size_t i = 0;
    auto number = [&]() -> int64_t {
      if (i < format.size() && format[i] == '*') {
        ++i;
        const int64_t value = next < argc ? sqlite3_value_int64(argv[next]) : 0;
        ++next;
        return value < 0 ? -value : value;
      }
      int64_t value = 0;
      while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
        value = std::min<int64_t>(value * 10 + (format[i] - '0'), int64_t{1} << 40);
        ++i;
      }
      return value;
    };
    while (i < format.size()) {
      if (format[i++] != '%') continue;
      if (i < format.size() && format[i] == '%') {
        ++i;
        continue;
      }
      while (i < format.size() && std::string_view("-+ #0,!").find(format[i]) != std::string_view::npos) ++i;
      largest = std::max(largest, number());
      if (i < format.size() && format[i] == '.') {
        ++i;
        largest = std::max(largest, number());
      }
      while (i < format.size() && format[i] == 'l') ++i;
      if (i < format.size()) {
        ++i;  // the conversion, which takes an argument
        ++next;
      }
    }
    return largest;
  }

  sqlite3_stmt* StatementFor(int argc) {
    if (!db_) {
      if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        return nullptr;
      }
      sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, kSqlMaxValueBytes);
    }
    if (statements_.size() <= static_cast<size_t>(argc)) statements_.resize(argc + 1, nullptr);
    if (!statements_[argc]) {
      std::string sql = "SELECT printf(?1";
      for (int i = 2; i <= argc; ++i) sql += fmt::format(", ?{}", i);
      sql += ")";
      if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statements_[argc], nullptr) != SQLITE_OK) return nullptr;
    }
    return statements_[argc];
  }

  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

// The connection as the user's statement finds it, and as the store's own queries find it again
// afterwards (limits, cache, memory mapping, temporary storage, authoriser, progress handler).
class UntrustedSqlScope {
 public:
  UntrustedSqlScope(Database& db, Policy* policy) : db_(db) {
    sqlite3* h = db.handle();
    // Safe for every use of a read connection, so they stay on.
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    (void)db.Exec("PRAGMA query_only=1");
    for (const auto& [id, value] : kLimits) saved_limits_.emplace_back(id, sqlite3_limit(h, id, value));
    saved_pragmas_ = {{"cache_size", QueryInt(db, "PRAGMA cache_size")},
                      {"mmap_size", QueryInt(db, "PRAGMA mmap_size")},
                      {"temp_store", QueryInt(db, "PRAGMA temp_store")}};
    // A small page cache (the sorter spills past it too), no memory-mapped reads (each statement
    // would add the file to the process's resident memory), temporary tables in files.
    (void)db.Exec("PRAGMA cache_size=-16384; PRAGMA mmap_size=0; PRAGMA temp_store=FILE;");
    for (const char* name : {"printf", "format"}) {
      sqlite3_create_function_v2(h, name, -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, &printf_,
                                 CheckedPrintf::Call, nullptr, nullptr, nullptr);
    }
    sqlite3_set_authorizer(h, Authorize, policy);
  }
  ~UntrustedSqlScope() {
    sqlite3* h = db_.handle();
    sqlite3_set_authorizer(h, nullptr, nullptr);
    sqlite3_progress_handler(h, 0, nullptr, nullptr);
    for (const char* name : {"printf", "format"}) {  // SQLite's own again
      sqlite3_create_function_v2(h, name, -1, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr, nullptr);
    }
    for (const auto& [id, value] : saved_limits_) sqlite3_limit(h, id, value);
    for (const auto& [name, value] : saved_pragmas_) {
      if (value.ok() && value->has_value()) (void)db_.Exec(fmt::format("PRAGMA {}={}", name, *value.value()));
    }
  }
  UntrustedSqlScope(const UntrustedSqlScope&) = delete;
  UntrustedSqlScope& operator=(const UntrustedSqlScope&) = delete;

 private:
  static constexpr std::pair<int, int> kLimits[] = {
      {SQLITE_LIMIT_LENGTH, kSqlMaxValueBytes},
      {SQLITE_LIMIT_SQL_LENGTH, kSqlMaxStatementBytes},
      {SQLITE_LIMIT_VDBE_OP, 250000},
      {SQLITE_LIMIT_ATTACHED, 0},
      {SQLITE_LIMIT_WORKER_THREADS, 0},
  };
  Database& db_;
  CheckedPrintf printf_;
  std::vector<std::pair<int, int>> saved_limits_;
  std::vector<std::pair<const char*, Result<std::optional<int64_t>>>> saved_pragmas_;
};

Result<std::unordered_set<std::string>> SchemaTables(Database& db) {
  auto stmt = db.Prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')");
  if (!stmt.ok()) return stmt.status();
  std::unordered_set<std::string> names;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    names.insert(Lower(stmt->Text(0)));
  }
  return names;
}

// The message for a statement SQLite stopped: the limit that was reached when it was one of ours.
Status StepFailure(Database& db, const Status& status, const Deadline& deadline, const SqlLimits& limits) {
  if (deadline.cancelled) return Status::Cancelled("the query was interrupted");
  if (deadline.expired) {
    return Status::Usage(fmt::format("the query ran longer than {:g} s and was stopped; "
                                     "narrow it (WHERE, LIMIT)", limits.timeout_seconds));
  }
  const int code = sqlite3_errcode(db.handle()) & 0xff;
  if (code == SQLITE_TOOBIG) {
    return Status::Usage(fmt::format("a string or blob in the query would exceed {} MiB "
                                     "(the limit on one value); narrow it", kSqlMaxValueBytes >> 20));
  }
  if (code == SQLITE_NOMEM) {
    return Status::Usage("the query needs more memory than a read-only query may use; narrow it");
  }
  return Status::Usage(status.message());
}

// What a cell adds to the result's size (see SqlLimits::max_bytes).
int64_t CellBytes(const nlohmann::json& cell) {
  if (cell.is_null()) return 4;
  if (cell.is_string()) return static_cast<int64_t>(cell.get_ref<const std::string&>().size());
  return 8;
}

std::string Cell(const nlohmann::json& cell) {
  if (cell.is_null()) return "NULL";
  if (cell.is_string()) return cell.get<std::string>();
  // Shortest round trip; a single-precision column's cell already holds JsonFloat() of its float.
  if (cell.is_number_float()) return DoubleText(cell.get<double>());
  return DumpJson(cell);
}

// Whether result column `i` is read straight from a single-precision column (through a view or
// a subquery too: SQLite resolves the origin; an expression has none).
bool FromSinglePrecisionColumn(sqlite3_stmt* stmt, int i) {
  const char* table = sqlite3_column_table_name(stmt, i);
  const char* column = sqlite3_column_origin_name(stmt, i);
  return table && column && SinglePrecisionColumn(table, column);
}

}  // namespace

bool SinglePrecisionColumn(std::string_view table, std::string_view column) {
  return table == "variants" && (column == "qual" || column == "af");
}

Result<SqlResult> RunReadOnlySql(Store& store, const std::string& sql, const SqlLimits& limits) {
  obs::TimedSpan timed("store.query sql", obs::Metrics().query_duration.With({"sql"}));
  if (limits.max_rows < 1) return Status::Usage("the row limit must be at least 1");
  if (limits.max_bytes < 1) return Status::Usage("the byte limit must be at least 1");
  if (sql.size() > static_cast<size_t>(kSqlMaxStatementBytes)) {
    return Status::Usage(fmt::format("the statement is {} bytes; the limit is {}", sql.size(),
                                     kSqlMaxStatementBytes));
  }
  Database& db = store.db();
  Policy policy;
  auto tables = SchemaTables(db);
  if (!tables.ok()) return tables.status();
  policy.tables = std::move(*tables);
  UntrustedSqlScope scope(db, &policy);

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  if (rc != SQLITE_OK) {
    if (raw) sqlite3_finalize(raw);
    if (!policy.denied.empty()) return Status::Usage(policy.denied);
    return Status::Usage(db.ErrorMessage());
  }
  if (!raw) return Status::Usage("no statement given");
  Statement stmt(db.handle(), raw);
  for (const char* p = tail; p && *p; ++p) {
    if (!std::isspace(static_cast<unsigned char>(*p)) && *p != ';') {
      return Status::Usage("one statement at a time");
    }
  }
  if (!sqlite3_stmt_readonly(raw)) return Status::Usage("only statements that read are allowed");

  Deadline deadline{Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(limits.timeout_seconds * 1000))};
  sqlite3_progress_handler(db.handle(), 1000, CheckDeadline, &deadline);
  const auto start = Clock::now();
  SqlResult result;
  std::vector<bool> single_precision;
  for (int i = 0; i < stmt.ColumnCount(); ++i) {
    result.columns.emplace_back(stmt.ColumnName(i));
    single_precision.push_back(FromSinglePrecisionColumn(raw, i));
  }
  for (;;) {
    auto row = stmt.Step();
    if (!row.ok()) return StepFailure(db, row.status(), deadline, limits);
    if (!*row) break;
    if (static_cast<int64_t>(result.rows.size()) == limits.max_rows) {
      result.truncated = true;
      result.truncated_by = "max_rows";
      break;
    }
    std::vector<nlohmann::json> cells;
    int64_t bytes = 0;
    for (int i = 0; i < stmt.ColumnCount(); ++i) {
      switch (stmt.ColumnType(i)) {
        case SQLITE_NULL: cells.emplace_back(nullptr); break;
        case SQLITE_INTEGER: cells.emplace_back(stmt.Int(i)); break;
        case SQLITE_FLOAT:
          if (single_precision[i]) cells.emplace_back(JsonFloat(static_cast<float>(stmt.Double(i))));
          else cells.emplace_back(stmt.Double(i));
          break;
        case SQLITE_BLOB: cells.emplace_back(fmt::format("<blob {} bytes>", sqlite3_column_bytes(raw, i))); break;
        default: cells.emplace_back(std::string(stmt.Text(i))); break;
      }
      bytes += CellBytes(cells.back());
    }
    if (result.bytes + bytes > limits.max_bytes) {
      result.truncated = true;
      result.truncated_by = "max_bytes";
      break;
    }
    result.bytes += bytes;
    result.rows.push_back(std::move(cells));
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

nlohmann::json SqlResultToJson(const SqlResult& result) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : result.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (size_t i = 0; i < row.size(); ++i) object[result.columns[i]] = row[i];
    rows.push_back(std::move(object));
  }
  return {{"columns", result.columns}, {"rows", rows}, {"returned", result.rows.size()},
          {"truncated", result.truncated},
          {"truncated_by", result.truncated ? nlohmann::json(result.truncated_by) : nlohmann::json(nullptr)}};
}

std::string SqlResultToTsv(const SqlResult& result) {
  std::string out;
  for (size_t i = 0; i < result.columns.size(); ++i) out += (i ? "\t" : "") + result.columns[i];
  out += "\n";
  for (const auto& row : result.rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "\t" : "") + Cell(row[i]);
    out += "\n";
  }
  return out;
}

std::string SqlResultToTable(const SqlResult& result) {
  std::vector<size_t> width;
  for (const auto& name : result.columns) width.push_back(name.size());
  for (const auto& row : result.rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], std::min<size_t>(Cell(row[i]).size(), 60));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string cell = cells[i].size() > 60 ? cells[i].substr(0, 59) + "~" : cells[i];
      text += fmt::format("{:<{}}", cell, width[i]) + (i + 1 < cells.size() ? "  " : "");
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(result.columns);
  for (const auto& row : result.rows) {
    std::vector<std::string> cells;
    for (const auto& cell : row) cells.push_back(Cell(cell));
    line(cells);
  }
  out += fmt::format("({} row{}{})\n", result.rows.size(), result.rows.size() == 1 ? "" : "s",
                     !result.truncated                      ? ""
                     : result.truncated_by == "max_bytes" ? ", truncated at the byte limit"
                                                          : ", truncated at the row limit");
  return out;
}

}  // namespace vcfagent::store
