// VcfLineReadAhead: reads the record lines of a text VCF on a background thread.
//
// Decompression and line splitting then overlap with parsing on the caller's thread, with one
// hand-over per batch of lines (about 1 MB) instead of one per BGZF block as with htslib's own
// thread pool, which matters when the machine is busy. The reader owns the htsFile while it
// runs: the caller must not touch that file until the read-ahead is destroyed. Memory is bounded
// (a few batches plus one line), whatever the input size: lines are read within `budget` (the
// reader's, see vcf/input_limits.h), so a line past the limit is an error, not an allocation.
#pragma once

#include <htslib/hts.h>
#include <htslib/kstring.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/status.h"
#include "vcf/input_limits.h"

namespace vcfagent::vcf {

class VcfLineReadAhead {
 public:
  // `fp` is positioned after the header; `lines_before` is the number of lines already read, so
  // line numbers continue from there. `name` is used in messages. `reduce`, when given, appends
  // a transformed line instead of the line itself (it runs on the read-ahead thread). `budget`
  // (used on the read-ahead thread until destruction) continues the reader's; without one, the
  // limits in force on the calling thread apply.
  using LineReducer = std::function<void(std::string_view line, std::string* out)>;
  VcfLineReadAhead(htsFile* fp, int64_t lines_before, std::string name,
                   LineReducer reduce = nullptr, InputBudget* budget = nullptr);
  ~VcfLineReadAhead();
  VcfLineReadAhead(const VcfLineReadAhead&) = delete;
  VcfLineReadAhead& operator=(const VcfLineReadAhead&) = delete;

  // Copies the next non-blank line (without its line end) into `line` and its 1-based number
  // into `line_number`. Returns false at the end of the input, or an IoError for a read error.
  Result<bool> Next(kstring_t* line, int64_t* line_number);

 private:
  struct Batch {
    std::string text;             // lines, back to back
    std::vector<size_t> ends;     // end offset of each line in `text`
    std::vector<int64_t> numbers; // line number of each line
  };
  void Produce();

  htsFile* fp_;
  int64_t line_;
  LineReducer reduce_;
  std::string name_;
  InputBudget own_budget_;
  InputBudget* budget_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  bool finished_ = false;   // the producer has pushed its last batch
  bool stopping_ = false;   // the consumer is going away
  Status error_;            // a read error, reported after the batches before it
  std::vector<Batch> spare_;  // consumed batches, reused to avoid reallocations

  Batch current_;
  size_t next_ = 0;
  std::thread thread_;
};

}  // namespace vcfagent::vcf
