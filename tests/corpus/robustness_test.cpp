// Every command ends cleanly on every file of ../shared/corpus.
//
// The corpus holds far more than valid VCFs: invalid conformance files, plain gzip, bzip2, xz, zip,
// truncated and binary data, empty and header-only files, indexes (.tbi/.csi), FASTA, BED, TSV,
// expected outputs (.out) and names with '#'. For each file, `validate FILE`, `stats FILE`,
// `view FILE` (output to /dev/null) and `compare FILE FILE` must:
//   - end by themselves (killed and reported as a hang after kTimeout),
//   - exit with 0, 1 or 2, never by a signal,
//   - print no sanitizer report ("Sanitizer", "runtime error") on stderr,
//   - when the exit status is not 0, print exactly one "vcf-agent COMMAND: ..." error line
//     (warnings "vcf-agent COMMAND: warning: ..." aside) that names the file; except validate's
//     exit 1 (the file is invalid), its normal result, where the report on stdout must name the
//     file and stderr may carry at most one error line.
//
// Every file is run through every command in release builds; under the sanitizers validate still
// sees every file and the others a deterministic sample (see RunsOn()). To run in parallel under
// ctest -j, each command's file list is split into kShards interleaved shards (file i goes to
// shard i % kShards), one test each; every failure names its file and command.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"

extern char** environ;

namespace vcfagent::testing {
namespace {

#if defined(VCFAGENT_SANITIZED)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Far above what any corpus file needs (the largest, 3 MB, takes well under a second).
constexpr auto kTimeout = std::chrono::seconds(kSanitized ? 60 : 20);
constexpr int kShards = 12;
constexpr int kConcurrentRuns = 4;
constexpr size_t kMaxCapture = 1024 * 1024;

struct Outcome {
  bool timed_out = false;
  int signal = 0;      // the signal that ended the process, or 0
  int exit_code = -1;  // when it exited normally
  std::string out;     // the first kMaxCapture bytes of stdout, when captured
  std::string err;     // the first kMaxCapture bytes of stderr
};

// Runs the binary with stdin on /dev/null, collecting stderr and, with `capture_stdout`, stdout
// (otherwise stdout goes to /dev/null); kills it with SIGKILL at the deadline (SIGTERM is a
// cancel request vcf-agent may handle slowly).
Outcome RunWithTimeout(const std::vector<std::string>& args, bool capture_stdout) {
  Outcome outcome;
  int err_pipe[2], out_pipe[2] = {-1, -1};
  // O_CLOEXEC: runs are concurrent, and a pipe leaked into another child would delay its EOF.
  if (pipe2(err_pipe, O_CLOEXEC) != 0 || (capture_stdout && pipe2(out_pipe, O_CLOEXEC) != 0)) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return outcome;
  }
  std::vector<char*> argv;
  const std::string binary = BinaryPath();
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  // posix_spawn, not fork: forking this (sanitized, multi-threaded) test process copies its large
  // page tables for every run, which doubled the cost of a run under ASan.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (capture_stdout) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    ADD_FAILURE() << "posix_spawn " << argv[0] << ": " << std::strerror(spawned);
    close(err_pipe[0]);
    close(err_pipe[1]);
    if (capture_stdout) {
      close(out_pipe[0]);
      close(out_pipe[1]);
    }
    return outcome;
  }
  close(err_pipe[1]);
  if (capture_stdout) close(out_pipe[1]);
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  char buffer[8192];
  bool err_open = true, out_open = capture_stdout;
  while (err_open || out_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      outcome.timed_out = true;
      break;
    }
    pollfd fds[2];
    int n = 0;
    if (err_open) fds[n++] = {err_pipe[0], POLLIN, 0};
    if (out_open) fds[n++] = {out_pipe[0], POLLIN, 0};
    const int ready = poll(fds, n, static_cast<int>(left.count()));
    if (ready <= 0) continue;  // EINTR or the deadline, which the check above handles
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      const bool is_err = fds[i].fd == err_pipe[0];
      const ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
      if (got <= 0) {  // EOF: the process closed it (normally: it exited)
        (is_err ? err_open : out_open) = false;
        continue;
      }
      std::string& text = is_err ? outcome.err : outcome.out;
      if (text.size() < kMaxCapture) text.append(buffer, got);
    }
  }
  close(err_pipe[0]);
  if (capture_stdout) close(out_pipe[0]);
  int status = 0;
  if (outcome.timed_out) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return outcome;
  }
  // The pipes are closed; the exit follows at once unless the process closed them and kept running.
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      outcome.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return outcome;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  return outcome;
}

// Every regular file of the corpus, sorted so shards are stable.
const std::vector<std::string>& CorpusFiles() {
  static const std::vector<std::string> files = [] {
    std::vector<std::string> found;
    const std::string root = CorpusPath();
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    return found;
  }();
  return files;
}

std::vector<std::string> ArgumentsFor(const std::string& command, const std::string& file) {
  if (command == "compare") return {command, file, file};
  return {command, file};
}

// What is wrong with one run, or "" when it ended cleanly.
std::string Problems(const std::string& command, const std::string& file, const Outcome& run) {
  std::ostringstream problems;
  if (run.timed_out) {
    problems << "did not end within " << kTimeout.count() << " s (hang?); ";
  } else if (run.signal != 0) {
    problems << "killed by signal " << run.signal << " (" << strsignal(run.signal) << "); ";
  } else if (run.exit_code < 0 || run.exit_code > 2) {
    problems << "exit status " << run.exit_code << ", expected 0, 1 or 2; ";
  }
  if (run.err.find("Sanitizer") != std::string::npos ||
      run.err.find("runtime error") != std::string::npos) {
    problems << "sanitizer report on stderr; ";
  }
  const bool validate_findings = command == "validate" && run.exit_code == 1;
  if (!run.timed_out && run.signal == 0 && run.exit_code != 0) {
    const std::string prefix = "vcf-agent " + command + ": ";
    const std::string warning = prefix + "warning:";
    int error_lines = 0;
    bool names_file = false;
    std::istringstream lines(run.err);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind(prefix, 0) != 0 || line.rfind(warning, 0) == 0) continue;
      ++error_lines;
      names_file = names_file || line.find(file) != std::string::npos;
    }
    if (validate_findings) {
      // An invalid file is validate's normal result: the report on stdout names the file and
      // lists the findings; stderr carries at most one error line.
      if (run.out.find(file) == std::string::npos) {
        problems << "validate exit 1 without a report naming the file on stdout; ";
      }
      if (error_lines > 1) {
        problems << "validate exit 1 with " << error_lines << " error lines on stderr; ";
      }
    } else if (error_lines != 1) {
      problems << "exit " << run.exit_code << " with " << error_lines << " '" << prefix
               << "' error lines on stderr, expected exactly 1; ";
    } else if (!names_file) {
      problems << "the '" << prefix << "' error line does not name the file; ";
    }
  }
  std::string text = problems.str();
  if (text.empty()) return text;
  std::string err = run.err.substr(0, 2000);
  return text + "stderr:\n" + err + (run.out.empty() ? "" : "\nstdout:\n" + run.out.substr(0, 1000));
}

// Which files a command runs on. In a release build, every file for every command (~10,300 runs,
// ~25 s on 2 cores). Under the sanitizers a run costs ~50 ms of CPU (start-up of a 70 MB
// instrumented binary) instead of ~3 ms, so: validate sees every file, in batches (below); stats
// every 2nd file of each shard; view and compare (the same reader again) every 4th: a
// deterministic sample of ~2,600 processes.
bool RunsOn(const std::string& command, size_t index) {
  if (!kSanitized || command == "validate") return true;
  return (index / kShards) % (command == "stats" ? 2 : 4) == 0;
}

// Under the sanitizers validate takes kValidateBatch files per process (it accepts FILE...). A
// batch passes when it ends cleanly and names every one of its files (in the report on stdout or
// an error line on stderr); otherwise each of its files is run alone, with every per-file check,
// so a failure still names its file.
constexpr size_t kValidateBatch = 16;

std::string BatchProblems(const std::vector<std::string>& batch, const Outcome& run) {
  if (run.timed_out || run.signal != 0 || run.exit_code < 0 || run.exit_code > 2 ||
      run.err.find("Sanitizer") != std::string::npos ||
      run.err.find("runtime error") != std::string::npos) {
    return "batch failed";
  }
  for (const auto& file : batch) {
    if (run.out.find(file) == std::string::npos && run.err.find(file) == std::string::npos) {
      return "batch did not name " + file;
    }
  }
  return "";
}

class CorpusRobustnessTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(CorpusRobustnessTest, EveryFileEndsCleanly) {
  // Copies, not structured bindings: the lambdas below capture them (clang 14 cannot capture a binding).
  const std::string command = std::get<0>(GetParam());
  const size_t shard = std::get<1>(GetParam());
  const auto& files = CorpusFiles();
  ASSERT_GT(files.size(), 1000u) << "the corpus looks incomplete: " << CorpusPath();
  std::vector<size_t> mine;
  for (size_t i = shard; i < files.size(); i += kShards) {
    if (RunsOn(command, i)) mine.push_back(i);
  }
  ASSERT_FALSE(mine.empty());
  // Tasks are ranges of `mine`: one file each, or a validate batch under the sanitizers.
  const size_t batch = kSanitized && command == "validate" ? kValidateBatch : 1;
  std::vector<std::string> problems(mine.size());
  auto run_alone = [&](size_t k) {
    const std::string& file = files[mine[k]];
    problems[k] = Problems(command, file,
                           RunWithTimeout(ArgumentsFor(command, file), command == "validate"));
  };
  auto run_task = [&](size_t first) {
    const size_t last = std::min(first + batch, mine.size());
    if (last - first == 1) return run_alone(first);
    std::vector<std::string> names;
    std::vector<std::string> args = {command};
    for (size_t k = first; k < last; ++k) {
      names.push_back(files[mine[k]]);
      args.push_back(files[mine[k]]);
    }
    if (!BatchProblems(names, RunWithTimeout(args, true)).empty()) {
      for (size_t k = first; k < last; ++k) run_alone(k);
    }
  };
  // A few processes at a time: much of a run's wall time is process start-up and exit, not CPU.
  // Results are collected per file and reported from this thread.
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t first = next.fetch_add(batch); first < mine.size(); first = next.fetch_add(batch)) {
      run_task(first);
    }
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < kConcurrentRuns; ++t) workers.emplace_back(worker);
  for (auto& t : workers) t.join();
  for (size_t k = 0; k < mine.size(); ++k) {
    EXPECT_TRUE(problems[k].empty())
        << "vcf-agent " << command << " " << files[mine[k]] << ": " << problems[k];
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllCommands, CorpusRobustnessTest,
    ::testing::Combine(::testing::Values("validate", "stats", "view", "compare"),
                       ::testing::Range(0, kShards)),
    [](const ::testing::TestParamInfo<CorpusRobustnessTest::ParamType>& param_info) {
      char shard[8];
      std::snprintf(shard, sizeof shard, "%02d", std::get<1>(param_info.param));
      return std::get<0>(param_info.param) + "_shard" + shard;
    });

// The harness itself: a hang, a signal and a wrong error line are caught, not passed.
TEST(CorpusRobustnessHarnessTest, RecognisesBadOutcomes) {
  Outcome hang;
  hang.timed_out = true;
  EXPECT_NE(Problems("stats", "f.vcf", hang), "");
  Outcome crash;
  crash.signal = SIGSEGV;
  EXPECT_NE(Problems("stats", "f.vcf", crash), "");
  Outcome odd_exit;
  odd_exit.exit_code = 3;
  odd_exit.err = "vcf-agent stats: f.vcf: bad\n";
  EXPECT_NE(Problems("stats", "f.vcf", odd_exit), "");
  Outcome two_lines;
  two_lines.exit_code = 1;
  two_lines.err = "vcf-agent stats: f.vcf:3: bad\nvcf-agent stats: f.vcf:4: bad\n";
  EXPECT_NE(Problems("stats", "f.vcf", two_lines), "");
  Outcome unnamed;
  unnamed.exit_code = 2;
  unnamed.err = "vcf-agent stats: cannot open\n";
  EXPECT_NE(Problems("stats", "f.vcf", unnamed), "");
  Outcome sanitizer;
  sanitizer.exit_code = 0;
  sanitizer.err = "f.cpp:1:2: runtime error: signed integer overflow\n";
  EXPECT_NE(Problems("stats", "f.vcf", sanitizer), "");
  Outcome silent_invalid;
  silent_invalid.exit_code = 1;
  EXPECT_NE(Problems("validate", "f.vcf", silent_invalid), "");
  Outcome reported_invalid;
  reported_invalid.exit_code = 1;
  reported_invalid.out = "f.vcf: INVALID (VCF 4.2, 3 records, 1 error(s))\n";
  EXPECT_EQ(Problems("validate", "f.vcf", reported_invalid), "");
  Outcome validate_io;
  validate_io.exit_code = 2;
  validate_io.out = "f.vcf: INVALID\n";
  EXPECT_NE(Problems("validate", "f.vcf", validate_io), "");
  Outcome good;
  good.exit_code = 1;
  good.err = "vcf-agent stats: warning: something\nvcf-agent stats: f.vcf:3: bad\n";
  EXPECT_EQ(Problems("stats", "f.vcf", good), "");
}

// The runner itself: a real exit status and stderr come through from the binary. (A real hang
// would cost kTimeout, so the kill path is exercised only by the corpus runs.)
TEST(CorpusRobustnessHarnessTest, RunnerReportsExitStatusAndStderr) {
  const Outcome run = RunWithTimeout({"no-such-command"}, true);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.signal, 0);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err.rfind("vcf-agent: ", 0), 0u) << run.err;
}

}  // namespace
}  // namespace vcfagent::testing
