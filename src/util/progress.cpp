#include "util/progress.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "fmt/format.h"
#include "util/output_file.h"

namespace vcfagent {
namespace {
std::atomic<bool> g_cancel{false};
extern "C" void OnSignal(int signo) {
  if (g_cancel.exchange(true)) {
    // A second interrupt means "now": no temporary output files left behind, then the default
    // action.
    RemoveUncommittedOutputFiles();
    std::signal(signo, SIG_DFL);
    std::raise(signo);
  }
}
}  // namespace

void InstallCancelHandler() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

namespace {
thread_local JobControl* t_job = nullptr;
}  // namespace

bool CancelRequested() {
  return g_cancel.load(std::memory_order_relaxed) ||
         (t_job != nullptr && t_job->cancel.load(std::memory_order_relaxed));
}

void JobControl::SetStep(std::string what) {
  std::lock_guard lock(mutex_);
  step_ = std::move(what);
}

std::string JobControl::step() const {
  std::lock_guard lock(mutex_);
  return step_;
}

JobControl* CurrentJob() { return t_job; }

JobScope::JobScope(JobControl* job) : previous_(t_job) { t_job = job; }
JobScope::~JobScope() { t_job = previous_; }

ProgressMeter::ProgressMeter(std::string what, uint64_t total)
    : what_(std::move(what)), total_(total), enabled_(isatty(STDERR_FILENO) == 1),
      job_(CurrentJob()), start_(std::chrono::steady_clock::now()), last_(start_) {
  if (job_ != nullptr) {
    job_->SetStep(what_);
    job_->done.store(0, std::memory_order_relaxed);
    job_->total.store(total_, std::memory_order_relaxed);
    job_->fraction.store(-1, std::memory_order_relaxed);
  }
}

ProgressMeter::~ProgressMeter() {
  if (drawn_) fputs("\r\033[K", stderr);
}

void ProgressMeter::Finish(uint64_t done) {
  if (enabled_ && drawn_) Draw(done, true);
}

void ProgressMeter::Draw(uint64_t done, bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (!final && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? done / seconds : 0;
  std::string line = fmt::format("\r\033[K{}: {} records, {:.0f}/s", what_, done, rate);
  if (total_ > 0 && done <= total_ && rate > 0) {
    line += fmt::format(", {:.0f}%, ETA {:.0f}s", 100.0 * done / total_, (total_ - done) / rate);
  } else if (fraction_ > 0 && fraction_ <= 1 && !final) {
    line += fmt::format(", {:.0f}%, ETA {:.0f}s", 100.0 * fraction_, seconds * (1 - fraction_) / fraction_);
  }
  fputs(line.c_str(), stderr);
  fflush(stderr);
  drawn_ = true;
}

}  // namespace vcfagent
