// `vcf-agent sql`: read-only SQL over the variant store (schema in docs/store.md).
#include "cli/command.h"
#include "fmt/format.h"
#include "store/sql_query.h"
#include "store/store.h"
#include "util/json_text.h"

namespace vcfagent::cli {
namespace {

struct SqlArgs {
  std::string db, query, format = "table";
  store::SqlLimits limits;
};

int RunSql(const SqlArgs& args) {
  if (args.format != "table" && args.format != "tsv" && args.format != "json") {
    return ReportError("sql", Status::Usage("--format takes table, tsv or json"));
  }
  auto store = store::Store::Open(StoreDirectory(args.db), store::Store::Access::kRead);
  if (!store.ok()) return ReportError("sql", store.status());
  auto result = store::RunReadOnlySql(**store, args.query, args.limits);
  if (!result.ok()) return ReportError("sql", result.status());
  if (args.format == "json") {
    fmt::print("{}\n", DumpJson(store::SqlResultToJson(*result), 2));
  } else if (args.format == "tsv") {
    fmt::print("{}", store::SqlResultToTsv(*result));
  } else {
    fmt::print("{}", store::SqlResultToTable(*result));
  }
  if (result->truncated && args.format != "table") {
    ReportWarning("sql", result->truncated_by == "max_bytes"
                             ? fmt::format("output truncated at {} bytes (--max-bytes)", args.limits.max_bytes)
                             : fmt::format("output truncated at {} rows (--max-rows)", args.limits.max_rows));
  }
  return kExitOk;
}

}  // namespace

Command AddSqlCommand(CLI::App& root) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* app = root.add_subcommand("sql", "Read-only SQL over the variant store");
  app->add_option("query", args->query, "One SELECT statement")->required();
  AddStoreOption(*app, args->db);
  app->add_option("--max-rows", args->limits.max_rows, "Row limit")->check(CLI::Range(int64_t{1}, int64_t{1000000000}));
  app->add_option("--max-bytes", args->limits.max_bytes,
                  "Result size limit in bytes (cell text; default 16 MiB)")
      ->check(CLI::Range(int64_t{1024}, int64_t{1} << 30));
  app->add_option("--timeout", args->limits.timeout_seconds, "Time limit in seconds")->check(CLI::Range(0.01, 3600.0));
  app->add_option("-f,--format", args->format, "table, tsv or json");
  return {app, [args] { return RunSql(*args); }};
}

}  // namespace vcfagent::cli
