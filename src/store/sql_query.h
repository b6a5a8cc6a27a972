// Read-only SQL over the store for power users and the agent (`vcf-agent sql`).
//
// Enforced by the database, not by inspecting the text: the connection is opened read-only with
// PRAGMA query_only, and an authoriser allows only reading (SELECT, reads of tables and columns,
// functions, recursive CTEs); ATTACH, PRAGMA, writes and schema changes are refused. One
// statement per call. Bounded: a time limit interrupts the query, a row limit truncates the
// result (and says so). The schema is documented in docs/store.md.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace vcfagent::store {

struct SqlLimits {
  int64_t max_rows = 1000;
  double timeout_seconds = 10;
};

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;  // null, integer, real or text cells
  bool truncated = false;
  double seconds = 0;
};

// `store` must be opened for reading (Store::Access::kRead).
Result<SqlResult> RunReadOnlySql(Store& store, const std::string& sql, const SqlLimits& limits);

nlohmann::json SqlResultToJson(const SqlResult& result);
std::string SqlResultToTable(const SqlResult& result);
std::string SqlResultToTsv(const SqlResult& result);

}  // namespace vcfagent::store
