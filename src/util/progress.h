// Progress and cancellation for long operations.
//
// Progress is drawn on stderr only when stderr is a terminal (never into logs or pipes), at most a
// few times a second. InstallCancelHandler() turns SIGINT/SIGTERM into a flag that long loops poll
// with CancelRequested(), so they can stop between records and clean up (no half-written output).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace vcfagent {

void InstallCancelHandler();
// True after SIGINT/SIGTERM, or when the job running on this thread (JobScope) was cancelled.
bool CancelRequested();

// The progress and cancellation of one background job (the REST service's jobs). A thread that
// runs a job installs it with JobScope; every ProgressMeter and CancelRequested() on that thread
// then reports to and obeys it, so library code needs no job-specific parameters. Threads a job
// starts inherit it by capturing CurrentJob() and opening their own JobScope.
struct JobControl {
  std::atomic<bool> cancel{false};
  std::atomic<uint64_t> done{0};     // records processed by the current step
  std::atomic<uint64_t> total{0};    // 0 when unknown
  std::atomic<double> fraction{-1};  // 0..1 when known (bytes read), else -1
  void SetStep(std::string what);
  std::string step() const;

 private:
  mutable std::mutex mutex_;
  std::string step_;
};

JobControl* CurrentJob();

class JobScope {
 public:
  explicit JobScope(JobControl* job);
  ~JobScope();
  JobScope(const JobScope&) = delete;
  JobScope& operator=(const JobScope&) = delete;

 private:
  JobControl* previous_;
};

class ProgressMeter {
 public:
  // `what` names the work ("validate sample.vcf.gz"); `total` is 0 when unknown.
  ProgressMeter(std::string what, uint64_t total = 0);
  ~ProgressMeter();  // clears the line
  // Cheap to call for every record; redraws at most every 200 ms.
  void Update(uint64_t done) {
    if (job_ != nullptr) job_->done.store(done, std::memory_order_relaxed);
    if (!enabled_ || (++calls_ & 0x3FF) != 0) return;
    Draw(done, false);
  }
  // For inputs whose record count is unknown but whose fraction read is (bytes of a file):
  // shows records, rate, percent and an ETA from `fraction` (0..1).
  void Update(uint64_t done, double fraction) {
    fraction_ = fraction;
    if (job_ != nullptr) {
      job_->done.store(done, std::memory_order_relaxed);
      job_->fraction.store(fraction, std::memory_order_relaxed);
    }
    if (!enabled_) return;
    Draw(done, false);
  }
  void Finish(uint64_t done);

 private:
  void Draw(uint64_t done, bool final);
  std::string what_;
  uint64_t total_;
  bool enabled_;
  JobControl* job_;
  uint64_t calls_ = 0;
  double fraction_ = -1;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace vcfagent
