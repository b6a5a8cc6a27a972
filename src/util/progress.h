// Progress and cancellation for long operations.
//
// Progress is drawn on stderr only when stderr is a terminal (never into logs or pipes), at most a
// few times a second. InstallCancelHandler() turns SIGINT/SIGTERM into a flag that long loops poll
// with CancelRequested(), so they can stop between records and clean up (no half-written output).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vcfagent {

void InstallCancelHandler();
bool CancelRequested();

class ProgressMeter {
 public:
  // `what` names the work ("validate sample.vcf.gz"); `total` is 0 when unknown.
  ProgressMeter(std::string what, uint64_t total = 0);
  ~ProgressMeter();  // clears the line
  // Cheap to call for every record; redraws at most every 200 ms.
  void Update(uint64_t done) {
    if (!enabled_ || (++calls_ & 0x3FF) != 0) return;
    Draw(done, false);
  }
  // For inputs whose record count is unknown but whose fraction read is (bytes of a file):
  // shows records, rate, percent and an ETA from `fraction` (0..1).
  void Update(uint64_t done, double fraction) {
    fraction_ = fraction;
    if (!enabled_) return;
    Draw(done, false);
  }
  void Finish(uint64_t done);

 private:
  void Draw(uint64_t done, bool final);
  std::string what_;
  uint64_t total_;
  bool enabled_;
  uint64_t calls_ = 0;
  double fraction_ = -1;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace vcfagent
