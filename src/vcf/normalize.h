// Normalisation of VCF records, as `bcftools norm -m -any [-f REF]` does it.
//
// SplitMultiallelic() turns a record with N ALT alleles into N biallelic records: Number=A/R/G
// INFO and FORMAT fields are subset, and a genotype allele that is not the kept ALT becomes the
// reference allele 0 (bcftools norm's default, --multi-overlaps 0). LeftAlignAndTrim() checks
// REF against the reference, moves indels to their leftmost equivalent position and removes bases
// shared by all alleles (also of same-length records; REF-only records keep one base). RecordNormalizer streams both steps over sorted input: records
// that move left are held in a small window (1000 bp, bcftools norm's --site-win) so that the
// output stays sorted and memory depends on the window, not on the input size.
#pragma once

#include <htslib/faidx.h>
#include <htslib/vcf.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "util/status.h"
#include "vcf/variant_reader.h"

namespace vcfagent::vcf {

// A FASTA reference opened through its .fai index (built on first use, like samtools faidx).
class ReferenceGenome {
 public:
  static Result<std::unique_ptr<ReferenceGenome>> Open(const std::string& path);
  ~ReferenceGenome();
  ReferenceGenome(const ReferenceGenome&) = delete;
  ReferenceGenome& operator=(const ReferenceGenome&) = delete;

  // Bases [beg, end] (0-based, inclusive), upper case; shorter at the end of the sequence.
  Result<std::string> Fetch(const std::string& contig, int64_t beg, int64_t end) const;
  const std::string& path() const { return path_; }

 private:
  ReferenceGenome() = default;
  std::string path_;
  faidx_t* index_ = nullptr;
};

// Appends one biallelic record per ALT of `rec` to `out` (a copy of `rec` itself when it has at
// most one ALT). `rec` is left unchanged.
Status SplitMultiallelic(const bcf_hdr_t* header, bcf1_t* rec, std::vector<BcfRecordPtr>& out);

// Left-aligns and trims `rec` in place, as bcftools norm -f: records with symbolic, breakend, '*'
// or IUPAC alleles are left unchanged. Returns whether the record changed; InvalidInput if REF
// disagrees with the reference.
Result<bool> LeftAlignAndTrim(const bcf_hdr_t* header, bcf1_t* rec, const ReferenceGenome& reference);

struct NormalizeOptions {
  bool split_multiallelic = true;
  const ReferenceGenome* reference = nullptr;  // left-align and trim when set
  int64_t window = 1000;                       // how far a record may move left
};

// Normalises a sorted stream of records of one file and gives them back sorted.
class RecordNormalizer {
 public:
  explicit RecordNormalizer(NormalizeOptions options) : options_(options) {}

  // Takes an input record; appends the normalised records that can no longer be overtaken to
  // `ready`. `where` ("file:line") names the record in error messages.
  Status Push(const bcf_hdr_t* header, BcfRecordPtr rec, const std::string& where,
              std::vector<BcfRecordPtr>& ready);
  // Releases everything still held (at the end of the input).
  void Flush(std::vector<BcfRecordPtr>& ready);

 private:
  void Release(int64_t before, std::vector<BcfRecordPtr>& ready);

  NormalizeOptions options_;
  std::deque<BcfRecordPtr> held_;  // sorted by position, input order among equal positions
  int32_t held_rid_ = -1;
  int64_t released_pos_ = -1;      // position of the last record given out on held_rid_
  std::vector<BcfRecordPtr> split_;
};

}  // namespace vcfagent::vcf
