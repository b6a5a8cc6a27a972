// VariantReader: streams records from a VCF (plain, gzip or BGZF) or BCF file, or standard input.
//
// One reader per input, used by every command that needs parsed records. It opens the input with
// htslib, refuses what is not VCF/BCF with a precise message (a BAM, a zip, an xz archive, a
// directory), and reads the text header itself so that every record error can name its line.
// Records are decoded lazily by htslib: callers bcf_unpack() what they need.
//
// Lines (VCF) and records (BCF) longer than the InputLimits in force when the reader opens are
// refused with a message naming the line and the limit (vcf/input_limits.h).
//
// Not thread-safe; one reader per thread. `threads` adds BGZF decompression threads.
#pragma once

#include <htslib/hts.h>
#include <htslib/vcf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vcf/input_limits.h"

namespace vcfagent::vcf {

struct HtsFileCloser {
  void operator()(htsFile* fp) const;
};
struct BcfHeaderDeleter {
  void operator()(bcf_hdr_t* hdr) const;
};
struct BcfRecordDeleter {
  void operator()(bcf1_t* rec) const;
};
using HtsFilePtr = std::unique_ptr<htsFile, HtsFileCloser>;
using BcfHeaderPtr = std::unique_ptr<bcf_hdr_t, BcfHeaderDeleter>;
using BcfRecordPtr = std::unique_ptr<bcf1_t, BcfRecordDeleter>;

BcfRecordPtr NewRecord();

struct ReaderOptions {
  int threads = 0;  // extra BGZF decompression threads
  bool keep_text = false;  // keep each VCF record's line for text() (htslib's parser edits it)
};

// What an input turned out to be, for messages and for choosing a code path.
struct InputKind {
  bool is_bcf = false;
  bool is_compressed = false;  // gzip or BGZF
  bool is_bgzf = false;        // BGZF (indexable); plain gzip is readable but not indexable
};

// Checks that `path` can be opened as VCF/BCF and says what it is; "-" is standard input and is
// reported as plain VCF without being consumed.
Result<InputKind> ProbeVariantFile(const std::string& path);

class VariantReader {
 public:
  static Result<std::unique_ptr<VariantReader>> Open(const std::string& path,
                                                     const ReaderOptions& options = {});
  ~VariantReader();
  VariantReader(const VariantReader&) = delete;
  VariantReader& operator=(const VariantReader&) = delete;

  // Reads the next record into `rec`. Returns true for a record, false at the end of the input,
  // or an InvalidInput status naming the line (VCF) or record (BCF) that could not be parsed.
  Result<bool> Next(bcf1_t* rec);

  bcf_hdr_t* header() const { return header_.get(); }
  htsFile* file() const { return file_.get(); }
  const std::string& path() const { return path_; }
  const InputKind& kind() const { return kind_; }
  // The 1-based line of the last record read (VCF) or its 1-based record number (BCF).
  int64_t line() const { return line_; }
  int64_t records_read() const { return records_read_; }
  // With ReaderOptions::keep_text, the text of the last VCF record read without its line end;
  // otherwise, and for BCF, empty. Valid until the next Next(). Lets VCF output copy records.
  std::string_view text() const { return text_; }
  // "file:line" (VCF) or "file: record N" (BCF), for messages about the last record.
  std::string Where() const;
  // What this input has used of its limits; a VcfLineReadAhead on file() continues it.
  InputBudget& budget() { return budget_; }

 private:
  VariantReader() = default;
  Status ReadTextHeader();
  Status CheckBcfRecordSize();

  std::string path_;
  InputKind kind_;
  HtsFilePtr file_;
  BcfHeaderPtr header_;
  kstring_t line_buffer_ = {0, 0, nullptr};
  bool keep_text_ = false;
  std::string text_;
  int64_t line_ = 0;
  int64_t records_read_ = 0;
  InputBudget budget_;
};

// Parses one VCF record line into `rec` with the acceptance rules of VariantReader::Next()
// (htslib's parser, plus a numeric POS which htslib does not insist on); errors name
// "display_name:line_number". htslib edits `line` in place.
Status ParseVcfRecordLine(kstring_t* line, bcf_hdr_t* header, bcf1_t* rec,
                          std::string_view display_name, int64_t line_number);

// Why htslib could not parse `line` (the record's text before parsing), as validate says it:
// "INFO: Info field value is not ..." (vcf/validate), else "the record could not be parsed".
std::string DescribeUnparsableRecord(const bcf_hdr_t* header, std::string_view line);

// The header's contig names in dictionary order. Unlike bcf_hdr_seqnames() it tolerates the
// holes that IDX= attributes can leave in the dictionary (bcf_hdr_seqnames asserts on them).
std::vector<std::string> HeaderContigs(const bcf_hdr_t* header);

// The name shown for an input in messages ("<stdin>" for "-").
std::string DisplayName(const std::string& path);

}  // namespace vcfagent::vcf
