// Read-only SQL over the store for power users and the agent (`vcf-agent sql`).
//
// Enforced by the database, not by inspecting the text: the connection is opened read-only with
// PRAGMA query_only, and an authoriser allows only reading: SELECT and recursive CTEs, reads of the
// store's tables and views, the schema table-valued functions and pragmas (pragma_table_info,
// pragma_table_list, pragma_index_list, ...), json_each/json_tree, and an explicit list of
// functions (aggregates, window, math, string, date, JSON, info_value). Everything else (writes,
// ATTACH, other pragmas, fts3_tokenizer, load_extension, randomblob, ...) is refused with the
// reason. The connection runs defensive (SQLITE_DBCONFIG_DEFENSIVE, no untrusted schema, no
// extension loading, no fts3_tokenizer registration). One statement per call.
//
// Bounded, because the statement is a hostile user's input on a shared service: a time limit
// interrupts it (and Ctrl-C / a job's cancel), one string or blob cannot exceed
// kSqlMaxValueBytes, the statement's page cache and sorter are small and temporary tables spill to
// temporary files instead of memory (no memory-mapped reads either: they would count the whole file
// into the process's memory per query), and the result is cut at a row limit and a byte limit
// (and says which). The schema and the limits are documented in docs/store.md.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace vcfagent::store {

// The longest string or blob a statement may build (SQLITE_LIMIT_LENGTH): randomblob(),
// group_concat(), printf('%.*c', ...) and the like fail beyond it instead of growing the process.
inline constexpr int kSqlMaxValueBytes = 16 << 20;
// The longest statement text accepted (SQLITE_LIMIT_SQL_LENGTH).
inline constexpr int kSqlMaxStatementBytes = 100000;

struct SqlLimits {
  int64_t max_rows = 1000;
  // The result's size: text bytes of every cell (8 per number, 4 per NULL, the placeholder's size
  // for a blob), counted as rows are read; the result is cut before the row that would pass it.
  int64_t max_bytes = 16 << 20;
  double timeout_seconds = 10;
};

struct SqlResult {
  std::vector<std::string> columns;
  // null, integer, real or text cells. A real read straight from a single-precision column
  // (SinglePrecisionColumn) holds JsonFloat() of the float, so that it prints as the float's
  // shortest decimal (0.167); any other real is the double SQLite computed.
  std::vector<std::vector<nlohmann::json>> rows;
  bool truncated = false;
  // Which limit cut the result when truncated: "max_rows" or "max_bytes".
  std::string truncated_by;
  int64_t bytes = 0;  // as counted for max_bytes
  double seconds = 0;
};

// True for the store's REAL columns that hold single-precision values: variants.qual and
// variants.af (QUAL and INFO/AF are floats in the VCF's binary form, stored exactly). Every other
// REAL, and any expression (af * 2, max(qual)), is a double. Documented in docs/store.md.
bool SinglePrecisionColumn(std::string_view table, std::string_view column);

// `store` must be opened for reading (Store::Access::kRead).
Result<SqlResult> RunReadOnlySql(Store& store, const std::string& sql, const SqlLimits& limits);

nlohmann::json SqlResultToJson(const SqlResult& result);
std::string SqlResultToTable(const SqlResult& result);
std::string SqlResultToTsv(const SqlResult& result);

}  // namespace vcfagent::store
