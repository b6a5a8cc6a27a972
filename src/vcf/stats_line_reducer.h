// ReduceVcfLineForStats: shrinks a VCF record line to the parts `vcf-agent stats` reads.
//
// Parsing the text is most of the cost of statistics. The read-ahead thread reduces each line
// before htslib parses it on the main thread: ID and FILTER become ".", INFO keeps only AN, AC
// and DP, and the sample columns are dropped (no per-sample statistics) or keep only the GT, DP
// and AD subfields. Everything the statistics depend on is passed through unchanged, in order.
// A line that does not have the expected shape is passed through whole, so htslib judges it.
#pragma once

#include <string>
#include <string_view>

namespace vcfagent::vcf {

// Appends the reduced `line` to `out`.
void ReduceVcfLineForStats(std::string_view line, bool keep_samples, std::string* out);

}  // namespace vcfagent::vcf
