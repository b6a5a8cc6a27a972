#include "vcf/region.h"

#include <htslib/hts.h>
#include <htslib/kseq.h>
#include <htslib/kstring.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "fmt/format.h"
#include "util/text_limits.h"

namespace vcfagent::vcf {

namespace {

bool NeedsBraces(std::string_view name) {
  return name.find_first_of(":,{}") != std::string_view::npos;
}

// A 1-based position: digits only (no thousands separators: commas separate list items).
std::optional<int64_t> ParsePosition(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// Parses "POS", "POS-", "POS-END" into a 0-based half-open interval, or explains why not.
Status ParseCoordinates(std::string_view coords, Region& region) {
  const size_t dash = coords.find('-');
  const std::string_view first = coords.substr(0, dash);
  const auto begin = ParsePosition(first);
  if (!begin) {
    return Status::Usage(fmt::format("expected a start position after ':', found '{}'", Excerpt(first)));
  }
  if (*begin < 1) return Status::Usage("positions are 1-based: the start must be at least 1");
  region.begin = *begin - 1;
  if (dash == std::string_view::npos) {
    region.end = *begin;  // a single position, as bcftools reads "chr1:100"
    return Status::Ok();
  }
  const std::string_view second = coords.substr(dash + 1);
  if (second.empty()) {
    region.end = kRegionEnd;
    return Status::Ok();
  }
  const auto end = ParsePosition(second);
  if (!end) return Status::Usage(fmt::format("expected an end position after '-', found '{}'", Excerpt(second)));
  if (*end < *begin) {
    return Status::Usage(fmt::format("the end {} is before the start {}", *end, *begin));
  }
  region.end = *end;
  return Status::Ok();
}

// Tries "NAME:COORDS" with the split at `colon`; succeeds only if the coordinates parse.
std::optional<Region> TrySplit(std::string_view item, size_t colon) {
  Region region;
  region.contig = std::string(item.substr(0, colon));
  if (region.contig.empty()) return std::nullopt;
  if (!ParseCoordinates(item.substr(colon + 1), region).ok()) return std::nullopt;
  return region;
}

Result<Region> ParseItem(std::string_view item, const ContigLookup& is_contig) {
  Region region;
  if (item.front() == '{') {
    const size_t close = item.find('}');
    if (close == std::string_view::npos) return Status::Usage("'{' without a matching '}'");
    region.contig = std::string(item.substr(1, close - 1));
    if (region.contig.empty()) return Status::Usage("empty contig name in braces");
    const std::string_view rest = item.substr(close + 1);
    if (rest.empty()) return region;
    if (rest.front() != ':') {
      return Status::Usage(fmt::format("expected ':' or the end of the region after '}}', found '{}'", Excerpt(rest)));
    }
    VCFAGENT_RETURN_IF_ERROR(ParseCoordinates(rest.substr(1), region));
    return region;
  }
  const size_t first_colon = item.find(':');
  if (first_colon == std::string_view::npos) {
    region.contig = std::string(item);
    return region;
  }
  if (is_contig) {
    // bcftools reads the name up to the first ':'; htslib also accepts whole names with colons.
    if (auto split = TrySplit(item, first_colon); split && is_contig(split->contig)) return *split;
    if (is_contig(item)) {
      region.contig = std::string(item);
      return region;
    }
    const size_t last_colon = item.rfind(':');
    if (auto split = TrySplit(item, last_colon); split && is_contig(split->contig)) return *split;
  }
  if (first_colon == 0) return Status::Usage("empty contig name before ':'");
  region.contig = std::string(item.substr(0, first_colon));
  VCFAGENT_RETURN_IF_ERROR(ParseCoordinates(item.substr(first_colon + 1), region));
  return region;
}

}  // namespace

std::string FormatRegion(const Region& region) {
  std::string name = NeedsBraces(region.contig) ? "{" + region.contig + "}" : region.contig;
  if (region.begin == 0 && region.end == kRegionEnd) return name;
  if (region.end == kRegionEnd) return fmt::format("{}:{}-", name, region.begin + 1);
  return fmt::format("{}:{}-{}", name, region.begin + 1, region.end);
}

Result<std::vector<Region>> ParseRegionList(std::string_view text, const ContigLookup& is_contig) {
  VCFAGENT_RETURN_IF_ERROR(CheckTextSize("the region list", text.size(), kMaxRegionListBytes));
  std::vector<Region> regions;
  size_t pos = 0;
  while (pos <= text.size()) {
    // An item ends at the next ',' outside braces.
    size_t end = pos;
    if (end < text.size() && text[end] == '{') {
      const size_t close = text.find('}', end);
      if (close == std::string_view::npos) {
        return Status::Usage(fmt::format("cannot parse region '{}': '{{' without a matching '}}'",
                                         Excerpt(text.substr(pos))));
      }
      end = close;
    }
    end = std::min(text.find(',', end), text.size());
    const std::string_view item = text.substr(pos, end - pos);
    if (item.empty()) {
      return Status::Usage(fmt::format("cannot parse regions '{}': empty region at character {}",
                                       Excerpt(text), pos + 1));
    }
    auto region = ParseItem(item, is_contig);
    if (!region.ok()) {
      return Status::Usage(fmt::format("cannot parse region '{}': {}", Excerpt(item), region.status().message()));
    }
    regions.push_back(std::move(region.value()));
    pos = end + 1;
  }
  return regions;
}

Result<RegionSet> ParseRegionArguments(const std::vector<std::string>& lists,
                                       const ContigLookup& is_contig) {
  RegionSet regions;
  for (const std::string& list : lists) {
    auto parsed = ParseRegionList(list, is_contig);
    if (!parsed.ok()) return parsed.status().WithContext("-r");
    regions.Add(*parsed);
  }
  return regions;
}

Result<std::vector<Region>> LoadRegionsFile(const std::string& path) {
  const bool is_bed = path.ends_with(".bed") || path.ends_with(".bed.gz") || path.ends_with(".bed.bgz");
  errno = 0;
  htsFile* fp = hts_open(path.c_str(), "r");
  if (!fp) {
    return Status::IoError(fmt::format("{}: cannot open: {}", path,
                                       errno ? std::strerror(errno) : "unreadable"));
  }
  std::vector<Region> regions;
  kstring_t line = {0, 0, nullptr};
  int64_t line_number = 0;
  Status status;
  int ret = 0;
  while ((ret = hts_getline(fp, KS_SEP_LINE, &line)) >= 0) {
    ++line_number;
    std::string_view text(line.s, line.l);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty() || text.front() == '#') continue;
    if (is_bed && (text.starts_with("track") || text.starts_with("browser"))) continue;
    std::vector<std::string_view> columns;
    for (size_t start = 0;;) {
      const size_t tab = text.find('\t', start);
      columns.push_back(text.substr(start, tab == std::string_view::npos ? tab : tab - start));
      if (tab == std::string_view::npos || columns.size() == 3) break;
      start = tab + 1;
    }
    const auto where = [&](std::string what) {
      return Status::Usage(fmt::format("{}:{}: {}", path, line_number, what));
    };
    if (columns.size() < 2 || columns[0].empty()) {
      status = where(is_bed ? "expected tab-separated CHROM, BEG and END (BED)"
                            : "expected tab-separated CHROM, POS and optional END");
      break;
    }
    const auto first = ParsePosition(columns[1]);
    std::optional<int64_t> second;
    if (columns.size() > 2) second = ParsePosition(columns[2]);
    if (!first) {
      status = where(fmt::format("column 2: expected a position, found '{}'", columns[1]));
      break;
    }
    if (columns.size() > 2 && !second) {
      status = where(fmt::format("column 3: expected an end position, found '{}'", columns[2]));
      break;
    }
    Region region;
    region.contig = std::string(columns[0]);
    if (is_bed) {
      if (!second) {
        status = where("expected an END column (BED files have CHROM, BEG, END)");
        break;
      }
      region.begin = *first;
      region.end = *second;
    } else {
      if (*first < 1) {
        status = where("column 2: positions are 1-based, expected at least 1");
        break;
      }
      region.begin = *first - 1;
      region.end = second ? *second : *first;
    }
    if (region.end <= region.begin && !(is_bed && region.end == region.begin)) {
      status = where(fmt::format("the end is before the start"));
      break;
    }
    if (region.end > region.begin) regions.push_back(std::move(region));
  }
  free(line.s);
  if (status.ok() && ret < -1) status = Status::IoError(fmt::format("{}: read error", path));
  hts_close(fp);
  if (!status.ok()) return status;
  return regions;
}

void RegionSet::Normalize(std::vector<Interval>& intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  std::vector<Interval> merged;
  for (const Interval& iv : intervals) {
    if (!merged.empty() && iv.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, iv.end);
    } else {
      merged.push_back(iv);
    }
  }
  intervals = std::move(merged);
}

void RegionSet::Add(const Region& region) { Add(std::vector<Region>{region}); }

void RegionSet::Add(const std::vector<Region>& regions) {
  std::vector<std::vector<Interval>*> touched;
  for (const Region& region : regions) {
    auto& list = by_contig_[region.contig];
    if (std::find(touched.begin(), touched.end(), &list) == touched.end()) touched.push_back(&list);
    list.push_back({region.begin, region.end});
  }
  for (auto* list : touched) Normalize(*list);
}

std::vector<std::string> RegionSet::contigs() const {
  std::vector<std::string> names;
  for (const auto& [name, intervals] : by_contig_) names.push_back(name);
  return names;
}

const std::vector<RegionSet::Interval>* RegionSet::IntervalsOf(std::string_view contig) const {
  auto it = by_contig_.find(contig);
  return it == by_contig_.end() ? nullptr : &it->second;
}

size_t RegionSet::FirstEndingAfter(const std::vector<Interval>& intervals, int64_t pos) {
  auto it = std::upper_bound(intervals.begin(), intervals.end(), pos,
                             [](int64_t p, const Interval& iv) { return p < iv.end; });
  return static_cast<size_t>(it - intervals.begin());
}

bool RegionSet::Overlaps(const std::vector<Interval>& intervals, int64_t begin, int64_t end) {
  const size_t i = FirstEndingAfter(intervals, begin);
  return i < intervals.size() && intervals[i].begin < end;
}

bool RegionSet::Overlaps(std::string_view contig, int64_t begin, int64_t end) const {
  const auto* intervals = IntervalsOf(contig);
  return intervals && Overlaps(*intervals, begin, end);
}

}  // namespace vcfagent::vcf
