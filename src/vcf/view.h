// RunView: streams the records of one VCF/BCF input that fall in regions and pass filters.
//
// Regions (-r lists, -R files) select records whose span [POS, POS+rlen) overlaps any region, each
// record once, in file order, as `bcftools view -r` does. With an index beside the input (.tbi or
// .csi for bgzipped VCF, .csi for BCF) only the regions' blocks are read; otherwise (plain VCF,
// gzip, stdin, BGZF without index) the whole input is streamed and filtered, with the same result.
// A region on a contig the file does not know yields no records and a warning.
// Then --type (bcftools -v classes) and -i/-e expressions (see filter_expr.h) select records, and
// the survivors go to the RecordSink: parsed by htslib and written as bcftools would, or, with
// `verbatim`, VCF lines copied as stored.
//
// Memory does not grow with the input. Errors: malformed regions or expressions are Usage errors
// (exit 2), unreadable inputs I/O errors, unparsable records InvalidInput naming the record.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vcf/record_writer.h"

namespace vcfagent::vcf {

struct ViewOptions {
  std::string input = "-";
  std::vector<std::string> regions;  // -r: each a comma-separated list
  std::string regions_file;          // -R
  std::string include_expr;          // -i
  std::string exclude_expr;          // -e
  std::string types;                 // --type: "snps,indels,mnps,other,ref,bnd"
  // -s: samples to keep ("A,B"), or to drop ("^A,B"); empty keeps all. INFO is not recomputed
  // (as bcftools view -I).
  std::string samples;
  int threads = 0;                   // BGZF decompression threads
  // VCF input to VCF output: copy record lines exactly as stored (as tabix prints them) instead
  // of re-formatting them through htslib (as bcftools does: "1.50" becomes "1.5"). Also keeps
  // values htslib 1.16 cannot hold, such as an INFO/END beyond 2^31.
  bool verbatim = false;
  // Receives warnings (a region's contig absent from the file); may be empty.
  std::function<void(std::string_view)> warn;
};

struct ViewSummary {
  int64_t records_read = 0;     // records examined (only those in the regions' blocks if indexed)
  int64_t records_written = 0;
  bool used_index = false;
};

Result<ViewSummary> RunView(const ViewOptions& options, RecordSink& sink);

}  // namespace vcfagent::vcf
