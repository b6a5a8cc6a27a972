#include "vcf/compare_regions.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "fmt/format.h"

namespace vcfagent::vcf {

namespace {

// Parses a 1-based coordinate; thousands separators are allowed as in samtools ("1,000" is not,
// because commas separate regions here, so only digits).
bool ParsePosition(const std::string& text, int64_t& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && value >= 1;
}

}  // namespace

Result<CompareRegions> CompareRegions::Parse(const std::vector<std::string>& args) {
  CompareRegions regions;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 2;
  for (const std::string& arg : args) {
    size_t begin = 0;
    while (begin <= arg.size()) {
      size_t comma = arg.find(',', begin);
      if (comma == std::string::npos) comma = arg.size();
      const std::string region = arg.substr(begin, comma - begin);
      begin = comma + 1;
      if (region.empty()) return Status::Usage(fmt::format("-r {}: empty region", arg));
      std::string contig = region;
      int64_t beg = 0, end = kMax;
      const size_t colon = region.rfind(':');
      if (colon != std::string::npos) {
        contig = region.substr(0, colon);
        const std::string range = region.substr(colon + 1);
        const size_t dash = range.find('-');
        int64_t first = 0, last = 0;
        const std::string first_text = range.substr(0, dash);
        if (!ParsePosition(first_text, first)) {
          return Status::Usage(fmt::format(
              "-r {}: bad region '{}', expected CHROM, CHROM:POS or CHROM:BEG-END", arg, region));
        }
        beg = first - 1;
        if (dash == std::string::npos) {
          end = first - 1;
        } else if (dash + 1 < range.size()) {
          if (!ParsePosition(range.substr(dash + 1), last) || last < first) {
            return Status::Usage(fmt::format(
                "-r {}: bad region '{}', expected CHROM:BEG-END with BEG <= END", arg, region));
          }
          end = last - 1;
        }
      }
      if (contig.empty()) return Status::Usage(fmt::format("-r {}: region without a contig", arg));
      regions.by_contig_[contig].emplace_back(beg, end);
      if (comma == arg.size()) break;
    }
  }
  for (auto& [contig, intervals] : regions.by_contig_) {
    std::sort(intervals.begin(), intervals.end());
    std::vector<std::pair<int64_t, int64_t>> merged;
    for (const auto& iv : intervals) {
      if (!merged.empty() && iv.first <= merged.back().second + 1) {
        merged.back().second = std::max(merged.back().second, iv.second);
      } else {
        merged.push_back(iv);
      }
    }
    intervals = std::move(merged);
  }
  return regions;
}

bool CompareRegions::Overlaps(const std::string& contig, int64_t beg, int64_t end) const {
  auto it = by_contig_.find(contig);
  if (it == by_contig_.end()) return false;
  const auto& intervals = it->second;
  // The first interval ending at or after `beg`.
  auto iv = std::lower_bound(intervals.begin(), intervals.end(), beg,
                             [](const std::pair<int64_t, int64_t>& r, int64_t b) { return r.second < b; });
  return iv != intervals.end() && iv->first <= end;
}

}  // namespace vcfagent::vcf
