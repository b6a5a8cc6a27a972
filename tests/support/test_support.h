// Shared helpers for tests: where the corpus and the binary are, and running the binary.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vcfagent::testing {

// ../shared/corpus beside the checkout (fails the test if it is missing: CI always has it).
std::string CorpusPath(const std::string& relative = "");
// A file of the bundled examples/ folder.
std::string ExamplePath(const std::string& name);
// The built vcf-agent binary.
std::string BinaryPath();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the vcf-agent binary with `args` (no shell), optionally feeding `stdin_data`.
CommandResult RunVcfAgent(const std::vector<std::string>& args, const std::string& stdin_data = "");
// The same with environment changes in the child: each NAME is set to VALUE, or unset when VALUE
// is empty (e.g. to keep a developer's OPENAI_API_KEY out of a test).
CommandResult RunVcfAgentWithEnv(const std::vector<std::string>& args,
                                 const std::vector<std::pair<std::string, std::string>>& env,
                                 const std::string& stdin_data = "");
CommandResult RunProgramWithEnv(const std::string& program, const std::vector<std::string>& args,
                                const std::vector<std::pair<std::string, std::string>>& env,
                                const std::string& stdin_data = "");
// Runs any program with `args` (no shell).
CommandResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                         const std::string& stdin_data = "");

// A fresh temporary directory, removed with its contents when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// `vcf-agent sql --db DB -f tsv QUERY` (every row); a failure is a test failure.
std::string StoreSql(const std::string& db, const std::string& query);
// Everything an ingest writes that an interrupted and resumed ingest must reproduce exactly
// (variants, genotypes, per-file progress, distinct alleles), in a canonical order.
std::string IngestedContents(const std::string& db);

// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

// Seconds since `start` on the steady clock.
double SecondsSince(std::chrono::steady_clock::time_point start);
// A kB field of /proc/PID/status ("VmRSS", "VmHWM", ...); -1 when it cannot be read.
int64_t ProcStatusKb(pid_t pid, const std::string& field);

}  // namespace vcfagent::testing
