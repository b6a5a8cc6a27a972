// `vcf-agent backup` and `vcf-agent restore`: consistent copies of the variant store.
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "fmt/format.h"
#include "store/backup.h"
#include "store/store.h"
#include "util/json_text.h"

namespace vcfagent::cli {
namespace {

struct BackupArgs {
  std::string db, path;
  OutputFormat format = OutputFormat::kText;
};

int Report(const char* command, const store::BackupResult& result, OutputFormat format,
           const std::string& store_dir) {
  if (format == OutputFormat::kJson) {
    nlohmann::json result_json = {{"store", store_dir}, {"path", result.path}, {"bytes", result.bytes},
                           {"variants", result.variants}, {"generation", result.generation},
                           {"index_files", result.index_files}, {"seconds", result.seconds}};
    if (std::string_view(command) == "restore") {
      result_json["kept_index_files"] = result.kept_index_files;
      result_json["kept_index_dir"] = result.kept_index_dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.kept_index_dir);
    }
    fmt::print("{}\n", DumpJson(result_json, 2));
  } else if (std::string_view(command) == "backup") {
    fmt::print("backup of {} written to {}: {} variants, {} bytes, {} index file(s), {:.1f} s\n",
               store_dir, result.path, result.variants, result.bytes, result.index_files, result.seconds);
  } else {
    fmt::print("{} restored from {}: {} variants, {} index file(s), {:.1f} s\n", store_dir,
               result.path, result.variants, result.index_files, result.seconds);
    if (result.kept_index_files > 0) {
      fmt::print("the store's previous {} index file(s) were kept in {} (delete them when not needed)\n",
                 result.kept_index_files, result.kept_index_dir);
    }
  }
  return kExitOk;
}

int RunBackup(const BackupArgs& args) {
  const std::string dir = StoreDirectory(args.db);
  auto store = store::Store::Open(dir, store::Store::Access::kRead);
  if (!store.ok()) return ReportError("backup", store.status());
  auto result = store::BackupStore(**store, args.path);
  if (!result.ok()) return ReportError("backup", result.status());
  return Report("backup", *result, args.format, dir);
}

int RunRestore(const BackupArgs& args) {
  const std::string dir = StoreDirectory(args.db);
  auto store = store::Store::Open(dir, store::Store::Access::kWrite);
  if (!store.ok()) return ReportError("restore", store.status());
  auto result = store::RestoreStore(**store, args.path);
  if (!result.ok()) return ReportError("restore", result.status());
  return Report("restore", *result, args.format, dir);
}

}  // namespace

Command AddBackupCommand(CLI::App& root) {
  auto args = std::make_shared<BackupArgs>();
  CLI::App* app = root.add_subcommand("backup", "Copy the store consistently, even while it is in use");
  app->add_option("--to", args->path, "New backup directory")->required();
  AddStoreOption(*app, args->db);
  AddFormatOption(*app, args->format);
  return {app, [args] { return RunBackup(*args); }};
}

Command AddRestoreCommand(CLI::App& root) {
  auto args = std::make_shared<BackupArgs>();
  CLI::App* app = root.add_subcommand("restore", "Replace the store's content with a backup");
  app->add_option("--from", args->path, "Backup directory written by 'vcf-agent backup'")->required();
  AddStoreOption(*app, args->db);
  AddFormatOption(*app, args->format);
  return {app, [args] { return RunRestore(*args); }};
}

}  // namespace vcfagent::cli
