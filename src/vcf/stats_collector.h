// StatsCollector: the counting rules of `bcftools stats` 1.16, applied record by record.
//
// ComputeStats() (stats.h) drives a collector over a file; callers that already stream records
// can use one directly. Not thread-safe; memory is bounded by samples and bins.
#pragma once

#include <htslib/vcf.h>

#include <memory>
#include <string>

#include "util/status.h"
#include "vcf/stats.h"

namespace vcfagent::vcf {

// Accumulates statistics record by record; ComputeStats() drives it over a file. Exposed so that
// callers which already stream records (and tests) can reuse the counting rules.
class StatsCollector {
 public:
  // `header` must outlive the collector (htslib may add undefined tags to it while reading). The
  // header's sample count is taken now, so a reader may drop sample columns afterwards when no
  // samples are selected.
  static Result<std::unique_ptr<StatsCollector>> Create(bcf_hdr_t* header,
                                                        const StatsOptions& options);
  ~StatsCollector();
  StatsCollector(const StatsCollector&) = delete;
  StatsCollector& operator=(const StatsCollector&) = delete;

  // Counts one record. Fails (InvalidInput, without a location) on data bcftools refuses, e.g.
  // INFO/AN smaller than the sum of INFO/AC or a genotype naming an allele that does not exist.
  Status Add(bcf1_t* record);
  VcfStats Finish(const std::string& input) const;

 private:
  struct State;
  explicit StatsCollector(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace vcfagent::vcf
