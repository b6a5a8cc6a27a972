// RecordSink and the record writers: where streamed VCF records go.
//
// A RecordSink receives the header once (Begin), then records (Write), then Finish, which flushes
// and publishes the output. Writers exist for VCF (-O v), bgzipped VCF (z), BCF (b), uncompressed
// BCF (u), a TSV of chosen fields (t) and JSON lines (j). File outputs go through OutputFile: the
// target appears only after a successful Finish(), so an error or Ctrl-C leaves no partial file;
// htslib writers write to OutputFile::temp_path().
//
// TSV: a header line "#CHROM\tPOS..." naming the fields (unless header=false), then one row per
// record: CHROM POS ID REF ALT (comma-joined, "." when none) QUAL FILTER (';'-joined) TYPE END and
// INFO/TAG (or TAG) values formatted as in VCF ("." when missing; a set flag is 1), as bcftools query.
// JSON lines: one object per record:
//   {"chrom":"1","pos":100,"id":null|"rs1","ref":"A","alt":["G"],"qual":null|50,
//    "filter":["PASS"],"info":{"DP":10,"AF":[0.5],"DB":true}}
// INFO tags with Number=1 (or flags) are scalars, other numbers arrays; missing values are null.
// With json_samples, "samples":{"NA1":{"GT":"0|1","DP":12,"AD":[5,7]},...} in header order,
// FORMAT fields following the same scalar/array rule; GT as VCF text ("./." when missing).

#pragma once

#include <htslib/vcf.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vcfagent::vcf {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status Begin(const bcf_hdr_t* header) = 0;
  virtual Status Write(bcf1_t* rec) = 0;
  virtual Status Finish() = 0;

  // VCF text sinks can take a record's line verbatim (as tabix prints it), which saves parsing
  // and keeps values htslib cannot represent (an INFO/END beyond 2^31). `line` has no newline.
  virtual bool accepts_vcf_lines() const { return false; }
  // False when the sink never looks at sample columns: the reader then skips parsing them.
  virtual bool needs_samples() const { return true; }
  virtual Status WriteVcfLine(std::string_view line) {
    return Status::Internal("this sink takes parsed records only");
  }
};

enum class RecordFormat { kVcf, kVcfGz, kBcf, kBcfUncompressed, kTsv, kJsonLines };

// "v", "z", "b", "u", "t", "j" (also "vcf", "vcf.gz", "bcf", "tsv", "json", "jsonl").
Result<RecordFormat> ParseRecordFormat(std::string_view name);

// VCF/BCF chosen by a file name: ".bcf" BCF, ".gz"/".bgz" bgzipped VCF, anything else VCF.
RecordFormat RecordFormatForPath(std::string_view path);

struct WriterOptions {
  RecordFormat format = RecordFormat::kVcf;
  bool write_header = true;          // VCF and TSV only; BCF always carries its header
  std::vector<std::string> fields;   // TSV columns; empty: CHROM,POS,ID,REF,ALT,QUAL,FILTER
  int threads = 0;                   // BGZF compression threads for z and b
  bool json_samples = false;         // JSON lines: add "samples":{NAME:{GT:"0/1",DP:12,...}}
};

// Opens a writer on `path` ("-" for standard output). Option errors are Usage errors.
Result<std::unique_ptr<RecordSink>> OpenRecordWriter(const std::string& path,
                                                     const WriterOptions& options);

}  // namespace vcfagent::vcf
