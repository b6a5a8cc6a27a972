// SortedInput: one input of `vcf-agent compare` as a checked, sorted stream of records.
//
// Reads a VCF/BCF with VariantReader and enforces the order the merge sweep relies on: each contig
// in one block, positions non-decreasing (an InvalidInput error names the file and line
// otherwise). Records outside the -r regions are skipped, and with normalisation the records are
// split (and left-aligned) and given back in sorted order. Records come back with BCF_UN_STR
// unpacked; give them back with Recycle() to reuse their memory.
//
// HasContig() tells the merge sweep whether the file has records on a contig it has not reached
// yet, which decides the contig order when the two files are on different contigs.
#pragma once

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "util/status.h"
#include "vcf/region.h"
#include "vcf/normalize.h"
#include "vcf/variant_reader.h"

namespace vcfagent::vcf {

struct SortedInputOptions {
  int threads = 0;
  const RegionSet* regions = nullptr;           // null or empty: every record
  bool normalize = false;                       // split multiallelic records
  const ReferenceGenome* reference = nullptr;   // with normalize: left-align and trim
};

class SortedInput {
 public:
  static Result<std::unique_ptr<SortedInput>> Open(const std::string& path, const SortedInputOptions& options);
  ~SortedInput() { free(line_.s); }
  SortedInput(const SortedInput&) = delete;
  SortedInput& operator=(const SortedInput&) = delete;

  const bcf_hdr_t* header() const { return reader_->header(); }
  const std::string& path() const { return reader_->path(); }
  std::string Where() const;

  // The next record, or null at the end of the input.
  Result<BcfRecordPtr> Next();
  void Recycle(BcfRecordPtr rec) {
    if (pool_.size() < kPoolSize) pool_.push_back(std::move(rec));
  }
  // Records given out so far.
  uint64_t records() const { return records_; }

  // Whether the file has a record on `contig` anywhere (before or after the current record),
  // learnt once from its index (.csi/.tbi not older than the file) or, without one, from a
  // second pass over the file's CHROM column. nullopt when the input cannot be read twice
  // (standard input, a pipe). With -r regions, a contig counts even if its records are all
  // outside them.
  Result<std::optional<bool>> HasContig(const std::string& contig);

  // The loaded index (after HasContig), for reading one contig at a time when the two files order
  // their shared contigs differently, which one pass front to back cannot pair.
  struct Index {
    struct TbxDeleter {
      void operator()(tbx_t* tbx) const;
    };
    struct IdxDeleter {
      void operator()(hts_idx_t* idx) const;
    };
    std::unique_ptr<tbx_t, TbxDeleter> tbx;     // bgzipped VCF (.tbi or .csi)
    std::unique_ptr<hts_idx_t, IdxDeleter> idx; // BCF (.csi)
    std::vector<std::string> contigs;           // with records, in index order
  };
  bool CanSeek() const { return index_.tbx || index_.idx; }
  const std::vector<std::string>& IndexContigs() const { return index_.contigs; }
  // From now on Next() gives the records of `contig` from its start (by the index), then null.
  // Records given out before are the caller's; buffered ones are dropped.
  Status SeekContig(const std::string& contig);

 private:
  static constexpr size_t kPoolSize = 64;
  SortedInput() = default;
  BcfRecordPtr TakeRecord();
  Status CheckOrder(bcf1_t* rec);

  std::unique_ptr<VariantReader> reader_;
  const RegionSet* regions_ = nullptr;
  std::unique_ptr<RecordNormalizer> normalizer_;
  std::vector<BcfRecordPtr> ready_;
  size_t ready_next_ = 0;
  std::vector<BcfRecordPtr> pool_;
  struct ItrDeleter {
    void operator()(hts_itr_t* itr) const;
  };
  Result<bool> Read(bcf1_t* rec);  // the next record of the file, or of the sought contig

  std::vector<bool> seen_rids_;
  int threads_ = 0;
  NormalizeOptions normalize_options_;
  Index index_;
  bool by_index_ = false;
  std::unique_ptr<hts_itr_t, ItrDeleter> itr_;
  std::string seek_contig_;
  int64_t seek_records_ = 0;
  kstring_t line_ = {0, 0, nullptr};
  bool contigs_looked_up_ = false;
  std::optional<std::unordered_set<std::string>> contigs_;  // every contig with records
  int32_t last_rid_ = -1;
  int64_t last_pos_ = -1;
  bool at_end_ = false;
  uint64_t records_ = 0;
};

}  // namespace vcfagent::vcf
