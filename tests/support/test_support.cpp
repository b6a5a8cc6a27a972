#include "support/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace vcfagent::testing {

std::string CorpusPath(const std::string& relative) {
  const char* env = std::getenv("VCFAGENT_CORPUS_DIR");
  std::string root = env && *env ? env : VCFAGENT_CORPUS_DIR;
  if (!std::filesystem::is_directory(root)) {
    ADD_FAILURE() << "the test corpus is missing: " << root
                  << " (../shared/corpus beside the checkout, or set VCFAGENT_CORPUS_DIR)";
  }
  return relative.empty() ? root : root + "/" + relative;
}

std::string ExamplePath(const std::string& name) {
  return std::string(VCFAGENT_EXAMPLES_DIR) + "/" + name;
}

std::string BinaryPath() { return VCFAGENT_BINARY; }

CommandResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                         const std::string& stdin_data) {
  return RunProgramWithEnv(program, args, {}, stdin_data);
}

CommandResult RunProgramWithEnv(const std::string& program, const std::vector<std::string>& args,
                                const std::vector<std::pair<std::string, std::string>>& env,
                                const std::string& stdin_data) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) || pipe(out_pipe) || pipe(err_pipe)) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    for (const auto& [name, value] : env) {
      if (value.empty()) unsetenv(name.c_str()); else setenv(name.c_str(), value.c_str(), 1);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(program.c_str(), argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult result;
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (stdin_data.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  bool out_open = true, err_open = true;
  char buffer[65536];
  while (out_open || err_open || in_fd >= 0) {
    pollfd fds[3];
    int n = 0;
    if (out_open) fds[n++] = {out_pipe[0], POLLIN, 0};
    if (err_open) fds[n++] = {err_pipe[0], POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_fd) {
        const ssize_t w = write(in_fd, stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += w;
        if (w < 0 || written == stdin_data.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      const ssize_t r = read(fds[i].fd, buffer, sizeof buffer);
      if (r <= 0) {
        if (fds[i].fd == out_pipe[0]) out_open = false; else err_open = false;
        continue;
      }
      (fds[i].fd == out_pipe[0] ? result.out : result.err).append(buffer, r);
    }
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

CommandResult RunVcfAgent(const std::vector<std::string>& args, const std::string& stdin_data) {
  return RunProgram(BinaryPath(), args, stdin_data);
}

CommandResult RunVcfAgentWithEnv(const std::vector<std::string>& args,
                                 const std::vector<std::pair<std::string, std::string>>& env,
                                 const std::string& stdin_data) {
  return RunProgramWithEnv(BinaryPath(), args, env, stdin_data);
}

TempDir::TempDir() {
  std::string pattern = std::filesystem::temp_directory_path().string() + "/vcfagent-test-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string StoreSql(const std::string& db, const std::string& query) {
  auto r = RunVcfAgent({"sql", "--db", db, "-f", "tsv", "--max-rows", "100000000", query});
  EXPECT_EQ(r.exit_code, 0) << query << ": " << r.err;
  return r.out;
}

std::string IngestedContents(const std::string& db) {
  return StoreSql(db,
                  "SELECT chrom, pos, end_pos, ref, alt, rsid, qual, filter, class, af, n_het, n_hom_alt,"
                  " n_missing, n_called, info FROM variant_view ORDER BY chrom, pos, ref, alt") +
         StoreSql(db,
                  "SELECT v.chrom, v.pos, v.ref, v.alt, g.sample, g.gt, g.zygosity, g.dp, g.gq"
                  " FROM genotype_view g JOIN variant_view v USING (variant_id)"
                  " ORDER BY v.chrom, v.pos, v.ref, v.alt, g.sample") +
         StoreSql(db, "SELECT status, records_done, alleles_done FROM files ORDER BY file_id") +
         StoreSql(db, "SELECT count(*), count(DISTINCT chrom_id || ':' || pos || ref || alt) FROM variants");
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int64_t ProcStatusKb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

}  // namespace vcfagent::testing
