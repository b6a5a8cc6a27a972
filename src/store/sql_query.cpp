#include "store/sql_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cctype>

#include "obs/service_metrics.h"
#include "obs/timed_span.h"
#include "util/json_text.h"

namespace vcfagent::store {
namespace {

using Clock = std::chrono::steady_clock;

int Authorize(void* denied_reason, int action, const char* arg1, const char* arg2, const char*,
              const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    default:
      break;
  }
  auto* reason = static_cast<std::string*>(denied_reason);
  switch (action) {
    case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
      *reason = fmt::format("writing to {} is not allowed: the store is read-only here", arg1 ? arg1 : "a table");
      break;
    case SQLITE_ATTACH: case SQLITE_DETACH: *reason = "ATTACH/DETACH is not allowed"; break;
    case SQLITE_PRAGMA: *reason = fmt::format("PRAGMA {} is not allowed", arg1 ? arg1 : ""); break;
    case SQLITE_TRANSACTION: case SQLITE_SAVEPOINT: *reason = "transactions are not allowed"; break;
    default: *reason = "only SELECT statements are allowed"; break;
  }
  (void)arg2;
  return SQLITE_DENY;
}

struct Deadline {
  Clock::time_point end;
  bool expired = false;
};

int CheckDeadline(void* data) {
  auto* deadline = static_cast<Deadline*>(data);
  if (Clock::now() > deadline->end) {
    deadline->expired = true;
    return 1;  // interrupts the statement
  }
  return 0;
}

std::string Cell(const nlohmann::json& cell) {
  if (cell.is_null()) return "NULL";
  if (cell.is_string()) return cell.get<std::string>();
  if (cell.is_number_float()) return fmt::format("{:g}", cell.get<double>());
  return DumpJson(cell);
}

}  // namespace

Result<SqlResult> RunReadOnlySql(Store& store, const std::string& sql, const SqlLimits& limits) {
  obs::TimedSpan timed("store.query sql", obs::Metrics().query_duration.With({"sql"}));
  if (limits.max_rows < 1) return Status::Usage("the row limit must be at least 1");
  Database& db = store.db();
  (void)db.Exec("PRAGMA query_only=1");
  std::string denied;
  sqlite3_set_authorizer(db.handle(), Authorize, &denied);
  struct Reset {
    sqlite3* handle;
    ~Reset() {
      sqlite3_set_authorizer(handle, nullptr, nullptr);
      sqlite3_progress_handler(handle, 0, nullptr, nullptr);
    }
  } reset{db.handle()};

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  if (rc != SQLITE_OK) {
    if (raw) sqlite3_finalize(raw);
    if (!denied.empty()) return Status::Usage(denied);
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
  for (int i = 0; i < stmt.ColumnCount(); ++i) result.columns.emplace_back(stmt.ColumnName(i));
  for (;;) {
    auto row = stmt.Step();
    if (!row.ok()) {
      if (deadline.expired) {
        return Status::Usage(fmt::format("sql: the query ran longer than {:g} s and was stopped; "
                                         "narrow it (WHERE, LIMIT)", limits.timeout_seconds));
      }
      return Status::Usage(row.status().message());
    }
    if (!*row) break;
    if (static_cast<int64_t>(result.rows.size()) == limits.max_rows) {
      result.truncated = true;
      break;
    }
    std::vector<nlohmann::json> cells;
    for (int i = 0; i < stmt.ColumnCount(); ++i) {
      switch (stmt.ColumnType(i)) {
        case SQLITE_NULL: cells.emplace_back(nullptr); break;
        case SQLITE_INTEGER: cells.emplace_back(stmt.Int(i)); break;
        case SQLITE_FLOAT: cells.emplace_back(stmt.Double(i)); break;
        case SQLITE_BLOB: cells.emplace_back(fmt::format("<blob {} bytes>", sqlite3_column_bytes(raw, i))); break;
        default: cells.emplace_back(std::string(stmt.Text(i))); break;
      }
    }
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
          {"truncated", result.truncated}};
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
                     result.truncated ? ", truncated at the row limit" : "");
  return out;
}

}  // namespace vcfagent::store
