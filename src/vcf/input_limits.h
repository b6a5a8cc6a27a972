// InputLimits: how much one input may make vcf-agent hold in memory or decompress.
//
// A VCF line is held whole while it is parsed, so one line of 1 GB (4 MB of gzip) would take 1 GB
// of memory; and a small compressed upload can expand without end. Every reader of VCF text
// (VariantReader, VcfLineReadAhead, the validator) therefore
// - refuses a line longer than max_line_bytes, without holding more of it than the limit
//   (default 64 MiB: the longest lines of real files, a million samples with a few FORMAT fields,
//   stay well below it; $VCF_AGENT_MAX_LINE_BYTES overrides it);
// - stops once it has decompressed more than max_decompressed_bytes of one input (0: no limit,
//   the default; the REST service sets one per request, ServiceRequestLimits()).
// Both give an InvalidInput error naming the line and the limit.
//
// The limits in force are the process defaults unless a thread installs others with
// InputLimitsScope (as the service does around a request); readers read them when they open. A
// scope opened under a job (util/progress.h JobScope) also holds for the threads that job starts
// under the same JobScope (analyze's concurrent passes), as its cancellation does.
#pragma once

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>

#include <cstdint>
#include <string>

#include "util/status.h"

namespace vcfagent::vcf {

constexpr int64_t kDefaultMaxLineBytes = int64_t{64} << 20;

struct InputLimits {
  int64_t max_line_bytes = kDefaultMaxLineBytes;
  int64_t max_decompressed_bytes = 0;  // 0: unlimited
};

// The limits in force on this thread.
InputLimits CurrentInputLimits();

// The limits for one request to the REST service: the process defaults, and at most
// $VCF_AGENT_MAX_DECOMPRESSED_BYTES (default 64 GiB) of text decompressed from each input.
InputLimits ServiceRequestLimits();

class InputLimitsScope {
 public:
  explicit InputLimitsScope(const InputLimits& limits);
  ~InputLimitsScope();
  InputLimitsScope(const InputLimitsScope&) = delete;
  InputLimitsScope& operator=(const InputLimitsScope&) = delete;

 private:
  const InputLimits* previous_;
  InputLimits limits_;
  const void* job_;                 // the job the limits were registered for, or null
  const InputLimits* job_previous_;  // what that job had before
};

// What one input has used of its limits.
class InputBudget {
 public:
  explicit InputBudget(const InputLimits& limits = CurrentInputLimits()) : limits_(limits) {}
  const InputLimits& limits() const { return limits_; }
  // Counts `bytes` more decompressed text; an error once the total passes the limit.
  Status Consume(int64_t bytes);
  // The error for a line longer than the limit.
  Status LineTooLong() const;

 private:
  InputLimits limits_;
  int64_t consumed_ = 0;
};

// Reads the next line of a text VCF into `line` (without its "\n" or "\r\n") as hts_getline()
// does, but within `budget`. Returns true for a line, false at the end of the input, or an error
// (a read error, a line too long, too much decompressed) without a location: callers add
// "file:line".
Result<bool> ReadTextLine(htsFile* fp, kstring_t* line, InputBudget& budget);
// The same on a BGZF stream (gzip or BGZF), as bgzf_getline() (tabix's record reader).
Result<bool> ReadBgzfLine(BGZF* fp, kstring_t* line, InputBudget& budget);

}  // namespace vcfagent::vcf
