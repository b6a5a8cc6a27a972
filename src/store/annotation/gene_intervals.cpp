#include "store/annotation/gene_intervals.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <utility>

#include "store/annotation/text_util.h"

namespace vcfagent::store {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         EqualsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

// Splits a line on tabs.
std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  ForEachPart(line, '\t', [&](std::string_view f) { fields.push_back(f); });
  return fields;
}

// GFF3 escapes reserved characters as %XX.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      unsigned value = 0;
      std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The value of `key` in GFF3 attributes "k1=v1;k2=v2", or nullopt.
std::optional<std::string_view> Gff3Attribute(std::string_view attributes, std::string_view key) {
  std::optional<std::string_view> found;
  ForEachPart(attributes, ';', [&](std::string_view item) {
    if (found) return;
    item = Trim(item);
    const size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == key) found = item.substr(eq + 1);
  });
  return found;
}

// The value of `key` in GTF attributes `k1 "v1"; k2 "v2";`, or nullopt.
std::optional<std::string_view> GtfAttribute(std::string_view attributes, std::string_view key) {
  std::optional<std::string_view> found;
  ForEachPart(attributes, ';', [&](std::string_view item) {
    if (found) return;
    item = Trim(item);
    const size_t space = item.find_first_of(" \t");
    if (space == std::string_view::npos || item.substr(0, space) != key) return;
    found = Trim(item.substr(space + 1), " \t\"");
  });
  return found;
}

}  // namespace

Result<GeneFileFormat> GeneFileFormatOf(const std::string& path) {
  std::string_view name = path;
  if (EndsWith(name, ".gz")) name.remove_suffix(3);
  if (EndsWith(name, ".bed")) return GeneFileFormat::kBed;
  if (EndsWith(name, ".gff3") || EndsWith(name, ".gff")) return GeneFileFormat::kGff3;
  if (EndsWith(name, ".gtf")) return GeneFileFormat::kGtf;
  return Status::Usage(path +
                       ": unknown gene annotation format; expected a name ending in .bed, .gff3, "
                       ".gff or .gtf (optionally followed by .gz)");
}

// Reads one file into a GeneIntervals; one instance per Load().
class GeneFileLoader {
 public:
  GeneFileLoader(GeneIntervals* genes, std::string path) : genes_(genes), path_(std::move(path)) {}

  Status Run() {
    auto reader = TextLineReader::Open(path_);
    if (!reader.ok()) return reader.status();
    std::string_view line;
    while (true) {
      auto more = reader->Next(&line);
      if (!more.ok()) return more.status().WithContext(path_);
      if (!*more) break;
      line_ = reader->line_number();
      if (Trim(line).empty()) continue;
      Status status;
      switch (genes_->format_) {
        case GeneFileFormat::kBed:
          status = BedLine(line);
          break;
        case GeneFileFormat::kGff3:
          if (line.substr(0, 7) == "##FASTA") return Finish();  // sequences follow, not features
          status = Gff3Line(line);
          break;
        case GeneFileFormat::kGtf:
          status = GtfLine(line);
          break;
      }
      VCFAGENT_RETURN_IF_ERROR(status);
    }
    return Finish();
  }

 private:
  Status Error(const std::string& message) const {
    return Status::InvalidInput(path_ + ":" + std::to_string(line_) + ": " + message);
  }

  Result<int64_t> Position(std::string_view text, int column, std::string_view what, int64_t min) {
    auto value = ParseInt64(text);
    if (!value || *value < min) {
      return Error("column " + std::to_string(column) + " (" + std::string(what) +
                   "): expected an integer >= " + std::to_string(min) + ", found '" +
                   std::string(text) + "'");
    }
    return *value;
  }

  Status BedLine(std::string_view line) {
    if (line.front() == '#' || line.substr(0, 5) == "track" || line.substr(0, 7) == "browser") {
      return Status::Ok();
    }
    std::vector<std::string_view> fields = SplitTabs(line);
    if (fields.size() < 4) {  // BED may also be space-separated
      fields.clear();
      size_t i = 0;
      while (i < line.size()) {
        const size_t begin = line.find_first_not_of(" \t", i);
        if (begin == std::string_view::npos) break;
        const size_t end = std::min(line.find_first_of(" \t", begin), line.size());
        fields.push_back(line.substr(begin, end - begin));
        i = end;
      }
    }
    if (fields.size() < 4) {
      return Error("expected at least 4 columns (chrom, start, end, name), found " +
                   std::to_string(fields.size()));
    }
    auto start0 = Position(fields[1], 2, "start", 0);
    if (!start0.ok()) return start0.status();
    auto end = Position(fields[2], 3, "end", 0);
    if (!end.ok()) return end.status();
    if (*end < *start0) {
      return Error("column 3 (end): " + std::string(fields[2]) + " is before the start " +
                   std::string(fields[1]));
    }
    const std::string_view name = Trim(fields[3]);
    if (name.empty()) return Error("column 4 (name): empty gene name");
    // BED [start0, end) is 1-based [start0 + 1, end]; an empty BED interval marks the point between
    // two bases, kept as the base after it.
    genes_->Add(fields[0], *start0 + 1, std::max(*end, *start0 + 1), name);
    return Status::Ok();
  }

  // The nine GFF/GTF columns, with start and end checked.
  Status GffColumns(std::string_view line, std::vector<std::string_view>* fields, int64_t* start1,
                    int64_t* end1) {
    *fields = SplitTabs(line);
    if (fields->size() != 9) {
      return Error("expected 9 tab-separated columns, found " + std::to_string(fields->size()));
    }
    auto start = Position((*fields)[3], 4, "start", 1);
    if (!start.ok()) return start.status();
    auto end = Position((*fields)[4], 5, "end", 1);
    if (!end.ok()) return end.status();
    if (*end < *start) {
      return Error("column 5 (end): " + std::string((*fields)[4]) + " is before the start " +
                   std::string((*fields)[3]));
    }
    *start1 = *start;
    *end1 = *end;
    return Status::Ok();
  }

  Status Gff3Line(std::string_view line) {
    if (line.front() == '#') return Status::Ok();
    std::vector<std::string_view> fields;
    int64_t start1 = 0, end1 = 0;
    VCFAGENT_RETURN_IF_ERROR(GffColumns(line, &fields, &start1, &end1));
    const std::string_view type = fields[2];
    if (type != "gene" && type != "ncRNA_gene" && type != "pseudogene") return Status::Ok();
    std::optional<std::string_view> name = Gff3Attribute(fields[8], "Name");
    if (!name || name->empty()) name = Gff3Attribute(fields[8], "gene_name");
    if (!name || name->empty()) {
      name = Gff3Attribute(fields[8], "ID");
      if (name && name->substr(0, 5) == "gene:") name->remove_prefix(5);
    }
    if (!name || name->empty()) {
      return Error("column 9 (attributes): a gene without Name=, gene_name= or ID=");
    }
    genes_->Add(fields[0], start1, end1, PercentDecode(*name));
    return Status::Ok();
  }

  Status GtfLine(std::string_view line) {
    if (line.front() == '#') return Status::Ok();
    std::vector<std::string_view> fields;
    int64_t start1 = 0, end1 = 0;
    VCFAGENT_RETURN_IF_ERROR(GffColumns(line, &fields, &start1, &end1));
    const bool is_gene = fields[2] == "gene";
    if (!is_gene && saw_gene_line_) return Status::Ok();
    std::optional<std::string_view> name = GtfAttribute(fields[8], "gene_name");
    const std::optional<std::string_view> id = GtfAttribute(fields[8], "gene_id");
    if (!name || name->empty()) name = id;
    if (!name || name->empty()) {
      if (!is_gene) return Status::Ok();
      return Error("column 9 (attributes): a gene without gene_name or gene_id");
    }
    if (is_gene) {
      if (!saw_gene_line_) spans_.clear();  // gene lines are authoritative once there are any
      saw_gene_line_ = true;
      genes_->Add(fields[0], start1, end1, *name);
      return Status::Ok();
    }
    // No gene lines so far: remember each gene's span over its transcripts and exons.
    std::string key(fields[0]);
    key += '\t';
    key += id ? *id : *name;
    auto [it, inserted] = spans_.try_emplace(std::move(key));
    Span& span = it->second;
    if (inserted) {
      span = Span{std::string(fields[0]), std::string(*name), start1, end1};
    } else {
      span.start1 = std::min(span.start1, start1);
      span.end1 = std::max(span.end1, end1);
    }
    return Status::Ok();
  }

  Status Finish() {
    if (!saw_gene_line_) {
      for (const auto& [key, span] : spans_)
        genes_->Add(span.chrom, span.start1, span.end1, span.name);
    }
    genes_->Finish();
    return Status::Ok();
  }

  struct Span {
    std::string chrom;
    std::string name;
    int64_t start1 = 0;
    int64_t end1 = 0;
  };

  GeneIntervals* genes_;
  std::string path_;
  int64_t line_ = 0;
  bool saw_gene_line_ = false;
  std::map<std::string, Span> spans_;  // ordered, so the fallback adds genes deterministically
};

Result<GeneIntervals> GeneIntervals::Load(const std::string& path) {
  auto format = GeneFileFormatOf(path);
  if (!format.ok()) return format.status();
  GeneIntervals genes;
  genes.format_ = *format;
  GeneFileLoader loader(&genes, path);
  VCFAGENT_RETURN_IF_ERROR(loader.Run());
  return genes;
}

void GeneIntervals::Add(std::string_view chrom, int64_t start1, int64_t end1,
                        std::string_view name) {
  auto [it, inserted] =
      name_index_.try_emplace(std::string(name), static_cast<uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(name);
  by_chrom_[std::string(ChromKey(chrom))].push_back(Interval{start1, end1, end1, it->second});
  ++gene_count_;
}

void GeneIntervals::Finish() {
  for (auto& [chrom, intervals] : by_chrom_) {
    std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) {
      return a.start1 != b.start1 ? a.start1 < b.start1 : a.end1 < b.end1;
    });
    int64_t running = INT64_MIN;
    for (Interval& interval : intervals) {
      running = std::max(running, interval.end1);
      interval.max_end1 = running;
    }
  }
  name_index_.clear();  // only needed while loading
}

std::vector<std::string_view> GeneIntervals::Overlapping(std::string_view chrom, int64_t start1,
                                                         int64_t end1) const {
  std::vector<std::string_view> out;
  if (end1 < start1) std::swap(start1, end1);
  auto it = by_chrom_.find(ChromKey(chrom));
  if (it == by_chrom_.end()) return out;
  const std::vector<Interval>& intervals = it->second;
  // Intervals starting after end1 cannot overlap; scan back from there while ends can reach start1.
  auto past = std::upper_bound(intervals.begin(), intervals.end(), end1,
                               [](int64_t value, const Interval& iv) { return value < iv.start1; });
  std::vector<uint32_t> hits;
  for (auto i = past; i != intervals.begin();) {
    --i;
    if (i->max_end1 < start1) break;
    if (i->end1 >= start1) hits.push_back(i->name);
  }
  // Collected from the last start backwards: reverse to gene start order, then drop repeats.
  std::reverse(hits.begin(), hits.end());
  for (uint32_t name : hits) {
    std::string_view text = names_[name];
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  return out;
}

}  // namespace vcfagent::store
