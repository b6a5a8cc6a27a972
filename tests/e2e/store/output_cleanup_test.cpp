// Commands interrupted while their output is open leave neither a temporary file nor a partial
// output: `view - -o FILE` blocked on its input (mid-write, not polling for Ctrl-C) gets SIGINT
// twice (the second one kills it) or SIGTERM once.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../../../bench/gen/synthetic_vcf.h"
#include "support/test_support.h"

extern char** environ;

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
};

// vcf-agent with `args`, its standard input a pipe the test writes (stdout/stderr to /dev/null).
Child SpawnWithPipe(const std::vector<std::string>& args) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::string binary = BinaryPath();
  std::vector<std::string> copies = args;
  std::vector<char*> argv = {binary.data()};
  for (auto& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  child.stdin_fd = fds[1];
  return child;
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  return names;
}

// Spawns `view - -o out.vcf`, feeds it part of a VCF (whole lines) and waits until its output's
// temporary file exists; the input stays open, so the command is blocked mid-write.
Child StartBlockedView(const TempDir& dir) {
  bench::SyntheticVcfOptions options;
  options.sites = 2000;
  options.samples = 4;
  const std::string vcf = bench::SyntheticVcfText(options);
  const std::string part = vcf.substr(0, vcf.rfind('\n', vcf.size() / 2) + 1);
  Child child = SpawnWithPipe({"view", "-", "-o", dir.File("out.vcf")});
  EXPECT_EQ(write(child.stdin_fd, part.data(), part.size()), static_cast<ssize_t>(part.size()));
  for (int i = 0; i < 200 && Entries(dir.path()).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Entries(dir.path()).size(), 1u);  // out.vcf.tmp.XXXXXX
  return child;
}

int WaitFor(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(OutputCleanupTest, SecondSigintKillsWithoutLeavingATemporaryFile) {
  TempDir dir;
  Child child = StartBlockedView(dir);
  kill(child.pid, SIGINT);  // asks to stop; the command is blocked in read() and does not see it
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(child.pid, SIGINT);  // "now": the process dies
  EXPECT_EQ(WaitFor(child.pid), 128 + SIGINT);
  close(child.stdin_fd);
  EXPECT_TRUE(Entries(dir.path()).empty()) << Entries(dir.path()).front();
}

TEST(OutputCleanupTest, SigtermStopsTheCommandWithNoOutput) {
  TempDir dir;
  Child child = StartBlockedView(dir);
  kill(child.pid, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  close(child.stdin_fd);  // the command reads on to the end of its input, then stops
  EXPECT_NE(WaitFor(child.pid), 0);
  EXPECT_TRUE(Entries(dir.path()).empty()) << Entries(dir.path()).front();
}

TEST(OutputCleanupTest, ACommandFailingAfterOpeningItsOutputLeavesNothing) {
  TempDir dir;
  WriteFile(dir.File("bad.vcf"), "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                                 "1\t100\t.\tA\tG\t50\tPASS\t.\n1\tnot-a-number\t.\tA\tG\t50\tPASS\t.\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"analyze", dir.File("bad.vcf"), "-o", dir.File("report.json")},
        std::vector<std::string>{"view", dir.File("bad.vcf"), "-o", dir.File("out.vcf")},
        std::vector<std::string>{"stats", dir.File("bad.vcf"), "-o", dir.File("stats.txt")}}) {
    auto r = RunVcfAgent(args);
    EXPECT_NE(r.exit_code, 0) << args[0];
    std::vector<std::string> left = Entries(dir.path());
    EXPECT_EQ(left, std::vector<std::string>{"bad.vcf"}) << args[0];
  }
}

}  // namespace
}  // namespace vcfagent::testing
