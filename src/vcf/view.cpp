#include "vcf/view.h"

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>

#include <algorithm>
#include <memory>
#include <set>

#include "fmt/format.h"
#include "util/progress.h"
#include "vcf/filter_expr.h"
#include "vcf/region.h"
#include "vcf/variant_reader.h"

namespace vcfagent::vcf {

namespace {

struct TbxDeleter {
  void operator()(tbx_t* tbx) const { tbx_destroy(tbx); }
};
struct IdxDeleter {
  void operator()(hts_idx_t* idx) const { hts_idx_destroy(idx); }
};
struct ItrDeleter {
  void operator()(hts_itr_t* itr) const { hts_itr_destroy(itr); }
};

// The record span used for region overlap, as tabix and bcftools: at least one base.
int64_t SpanEnd(const bcf1_t* rec) { return rec->pos + std::max<int64_t>(rec->rlen, 1); }

// Everything that decides whether a record goes out, and the sink it goes to.
class RecordSelector {
 public:
  RecordSelector(RecordSink& sink, ViewSummary& summary) : sink_(sink), summary_(summary) {}

  Status Init(const ViewOptions& options, bcf_hdr_t* header) {
    if (!options.include_expr.empty() && !options.exclude_expr.empty()) {
      return Status::Usage("-i and -e cannot be combined; write one expression");
    }
    const std::string& text = options.include_expr.empty() ? options.exclude_expr : options.include_expr;
    if (!text.empty()) {
      auto expr = FilterExpression::Parse(text, header);
      if (!expr.ok()) return expr.status().WithContext(options.include_expr.empty() ? "-e" : "-i");
      expr_ = std::move(expr.value());
      exclude_ = options.include_expr.empty();
    }
    if (!options.types.empty()) {
      auto mask = ParseVariantTypes(options.types);
      if (!mask.ok()) return mask.status().WithContext("--type");
      type_mask_ = *mask;
    }
    return Status::Ok();
  }

  // True when records need no parsing to be selected: no --type and no expression.
  bool selects_all() const { return !type_mask_ && !expr_; }

  Status OfferLine(std::string_view line) {
    ++summary_.records_written;
    return sink_.WriteVcfLine(line);
  }

  // `text` is the record's VCF line with --verbatim (empty otherwise): VCF output copies it.
  Status Offer(bcf1_t* rec, std::string_view text) {
    if (type_mask_ && !(RecordTypeMask(rec) & type_mask_)) return Status::Ok();
    if (expr_ && expr_->Evaluate(rec) == exclude_) return Status::Ok();
    ++summary_.records_written;
    if (!text.empty() && sink_.accepts_vcf_lines()) return sink_.WriteVcfLine(text);
    return sink_.Write(rec);
  }

 private:
  RecordSink& sink_;
  ViewSummary& summary_;
  std::unique_ptr<FilterExpression> expr_;
  bool exclude_ = false;
  int type_mask_ = 0;
};

Status CheckCancel(int64_t n) {
  if ((n & 0xFFF) == 0 && CancelRequested()) return Status::Cancelled("interrupted");
  return Status::Ok();
}

// The index beside the input, if any: tabix (.tbi/.csi) for bgzipped VCF, .csi for BCF.
struct InputIndex {
  std::unique_ptr<tbx_t, TbxDeleter> tbx;
  std::unique_ptr<hts_idx_t, IdxDeleter> bcf;
  bool present() const { return tbx || bcf; }
  hts_idx_t* idx() const { return tbx ? tbx->idx : bcf.get(); }
};

InputIndex LoadIndex(const VariantReader& reader) {
  InputIndex index;
  if (reader.path() == "-" || !reader.kind().is_bgzf) return index;
  if (reader.kind().is_bcf) {
    index.bcf.reset(bcf_index_load3(reader.path().c_str(), nullptr, HTS_IDX_SILENT_FAIL));
  } else {
    index.tbx.reset(tbx_index_load3(reader.path().c_str(), nullptr, HTS_IDX_SILENT_FAIL));
  }
  return index;
}

// Contig names of the index in index order (file order for tabix), or the header's for BCF.
std::vector<std::string> IndexedContigs(const InputIndex& index, const bcf_hdr_t* header) {
  std::vector<std::string> names;
  int n = 0;
  if (index.tbx) {
    const char** seqs = tbx_seqnames(index.tbx.get(), &n);
    for (int i = 0; i < n; ++i) if (seqs[i]) names.emplace_back(seqs[i]);
    free(seqs);
  } else {
    const char** seqs = bcf_index_seqnames(index.bcf.get(), const_cast<bcf_hdr_t*>(header), &n);
    for (int i = 0; i < n; ++i) if (seqs[i]) names.emplace_back(seqs[i]);
    free(seqs);
  }
  return names;
}

Status StreamAll(VariantReader& reader, const RegionSet* regions, RecordSelector& selector,
                 ViewSummary& summary, std::set<std::string>& seen_contigs) {
  ProgressMeter progress("view " + DisplayName(reader.path()));  // drawn only on a terminal
  auto rec = NewRecord();
  // Per contig id: its intervals (nullptr when no region is on it); resolved once per contig.
  std::vector<const std::vector<RegionSet::Interval>*> by_rid;
  std::vector<bool> resolved;
  for (;;) {
    auto more = reader.Next(rec.get());
    if (!more.ok()) return more.status();
    if (!*more) {
      progress.Finish(summary.records_read);
      return Status::Ok();
    }
    VCFAGENT_RETURN_IF_ERROR(CheckCancel(++summary.records_read));
    progress.Update(summary.records_read);
    if (regions) {
      const int rid = rec->rid;
      if (rid < 0) continue;
      if (static_cast<size_t>(rid) >= resolved.size()) {
        by_rid.resize(rid + 1, nullptr);
        resolved.resize(rid + 1, false);
      }
      if (!resolved[rid]) {
        const char* name = bcf_hdr_id2name(reader.header(), rid);
        seen_contigs.insert(name);
        by_rid[rid] = regions->IntervalsOf(name);
        resolved[rid] = true;
      }
      if (!by_rid[rid] || !RegionSet::Overlaps(*by_rid[rid], rec->pos, SpanEnd(rec.get()))) continue;
    }
    Status offered = selector.Offer(rec.get(), reader.text());
    if (!offered.ok()) {
      // A record the writer cannot encode: name the input line it came from.
      return offered.kind() == ErrorKind::kInvalidInput ? offered.WithContext(reader.Where()) : offered;
    }
  }
}

// Reads each merged interval through the index. A record overlapping several intervals is
// emitted with the first; later iterators skip it, which keeps file order (see docs/view.md).
Status QueryIndexed(VariantReader& reader, const InputIndex& index, const RegionSet& regions,
                    RecordSelector& selector, RecordSink& sink, bool copy_lines,
                    ViewSummary& summary) {
  htsFile* fp = reader.file();
  bcf_hdr_t* header = reader.header();
  auto rec = NewRecord();
  kstring_t line = {0, 0, nullptr};
  const bool keep_text = copy_lines && index.tbx && sink.accepts_vcf_lines();
  const bool verbatim = keep_text && selector.selects_all();  // no need to parse at all
  std::string text, start;
  Status status;
  for (const std::string& contig : IndexedContigs(index, header)) {
    const auto* intervals = regions.IntervalsOf(contig);
    if (!intervals) continue;
    const int tid = index.tbx ? tbx_name2id(index.tbx.get(), contig.c_str())
                              : bcf_hdr_name2id(header, contig.c_str());
    if (tid < 0) continue;
    for (size_t k = 0; k < intervals->size(); ++k) {
      const auto& iv = (*intervals)[k];
      std::unique_ptr<hts_itr_t, ItrDeleter> itr(
          index.tbx ? tbx_itr_queryi(index.tbx.get(), tid, iv.begin, iv.end)
                    : bcf_itr_queryi(index.bcf.get(), tid, iv.begin, iv.end));
      if (!itr) {
        free(line.s);
        return Status::IoError(fmt::format("{}: cannot query the index for {}", DisplayName(reader.path()),
                                           FormatRegion({contig, iv.begin, iv.end})));
      }
      for (;;) {
        int ret;
        bool parsed = true;
        if (index.tbx) {
          ret = tbx_itr_next(fp, index.tbx.get(), itr.get(), &line);
          parsed = !verbatim;
          // htslib's parser edits the line in place: keep the text for VCF output and for an
          // error message.
          if (ret >= 0 && parsed) text.assign(line.s, line.l);
          if (ret >= 0 && parsed &&
              (vcf_parse(&line, header, rec.get()) < 0 ||
               (rec->errcode & ~(BCF_ERR_TAG_UNDEF | BCF_ERR_CTG_UNDEF)))) {
            start.assign(text, 0, std::min<size_t>(text.size(), 60));
            std::replace(start.begin(), start.end(), '\t', ' ');
            status = Status::InvalidInput(fmt::format("{}: record '{}{}': {}", DisplayName(reader.path()), start,
                                                      text.size() > 60 ? "..." : "",
                                                      DescribeUnparsableRecord(header, text)));
            break;
          }
        } else {
          ret = bcf_itr_next(fp, itr.get(), rec.get());
          // bcf_itr_next() does not see the header, so it cannot drop samples itself.
          if (ret >= 0 && header->keep_samples) bcf_subset_format(header, rec.get());
          if (ret >= 0 && rec->errcode) {
            status = Status::InvalidInput(fmt::format("{}: corrupt BCF record in {}",
                                                      DisplayName(reader.path()),
                                                      FormatRegion({contig, iv.begin, iv.end})));
            break;
          }
        }
        if (ret == -1) break;
        if (ret < -1) {
          status = Status::IoError(fmt::format("{}: read error in {} (truncated file or stale index?)",
                                               DisplayName(reader.path()),
                                               FormatRegion({contig, iv.begin, iv.end})));
          break;
        }
        status = CheckCancel(++summary.records_read);
        if (!status.ok()) break;
        // Parsed records use htslib's rlen, as bcftools; copied lines tabix's own (64-bit) span.
        const int64_t pos = parsed ? rec->pos : itr->curr_beg;
        const int64_t end = parsed ? SpanEnd(rec.get()) : std::max<int64_t>(itr->curr_end, pos + 1);
        if (pos >= iv.end || end <= iv.begin) continue;  // the index's bins are coarse
        // Emitted with an earlier interval already?
        if (pos < iv.begin && RegionSet::FirstEndingAfter(*intervals, pos) < k) continue;
        if (!parsed) {
          status = selector.OfferLine(std::string_view(line.s, line.l));
          if (!status.ok()) break;
          continue;
        }
        status = selector.Offer(rec.get(), keep_text ? std::string_view(text) : std::string_view());
        if (!status.ok()) break;
      }
      if (!status.ok()) break;
    }
    if (!status.ok()) break;
  }
  free(line.s);
  return status;
}

// Restricts the header, and so every record read after it, to the -s samples.
Status SelectSamples(const std::string& samples, bcf_hdr_t* header) {
  if (samples.empty()) return Status::Ok();
  const bool exclude = samples[0] == '^';
  const std::string list = exclude ? samples.substr(1) : samples;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    if (name.empty()) return Status::Usage(fmt::format("-s: empty sample name in '{}'", samples));
    if (bcf_hdr_id2int(header, BCF_DT_SAMPLE, name.c_str()) < 0) {
      return Status::Usage(fmt::format("-s: no sample '{}' in the file ({} samples)", name,
                                       bcf_hdr_nsamples(header)));
    }
    start = end + 1;
  }
  if (bcf_hdr_set_samples(header, samples.c_str(), 0) != 0) {
    return Status::Usage(fmt::format("-s: cannot select samples '{}'", samples));
  }
  return Status::Ok();
}

Result<RegionSet> CollectRegions(const ViewOptions& options, const bcf_hdr_t* header,
                                 const InputIndex& index) {
  std::set<std::string, std::less<>> known;
  for (auto& name : HeaderContigs(header)) known.insert(std::move(name));
  if (index.present()) {
    for (auto& name : IndexedContigs(index, header)) known.insert(name);
  }
  const ContigLookup is_contig = [&known](std::string_view name) { return known.count(name) > 0; };
  auto regions = ParseRegionArguments(options.regions, is_contig);
  if (!regions.ok()) return regions.status();
  if (!options.regions_file.empty()) {
    auto parsed = LoadRegionsFile(options.regions_file);
    if (!parsed.ok()) return parsed.status().WithContext("-R");
    regions->Add(*parsed);
  }
  return regions;
}

}  // namespace

Result<ViewSummary> RunView(const ViewOptions& options, RecordSink& sink) {
  ReaderOptions reader_options;
  reader_options.threads = options.threads;
  // Lines cannot be copied when samples are dropped from them.
  reader_options.keep_text = options.verbatim && options.samples.empty() && sink.accepts_vcf_lines();
  auto opened = VariantReader::Open(options.input, reader_options);
  if (!opened.ok()) return opened.status();
  VariantReader& reader = **opened;
  bcf_hdr_t* header = reader.header();
  VCFAGENT_RETURN_IF_ERROR(SelectSamples(options.samples, header));
  // Sample columns are most of the parsing work; skip them when nothing reads them (as
  // bcftools query does). Expressions only use site fields.
  if (!sink.needs_samples() && options.samples.empty() && bcf_hdr_nsamples(header) > 0) {
    if (bcf_hdr_set_samples(header, nullptr, 0) != 0) return Status::Internal("cannot drop samples");
  }

  const bool want_regions = !options.regions.empty() || !options.regions_file.empty();
  InputIndex index;
  if (want_regions) index = LoadIndex(reader);
  auto regions = CollectRegions(options, header, index);
  if (!regions.ok()) return regions.status();

  ViewSummary summary;
  RecordSelector selector(sink, summary);
  VCFAGENT_RETURN_IF_ERROR(selector.Init(options, header));
  VCFAGENT_RETURN_IF_ERROR(sink.Begin(header));

  std::set<std::string> known_contigs;  // to warn about regions on contigs the file lacks
  for (auto& name : HeaderContigs(header)) known_contigs.insert(std::move(name));
  if (want_regions && index.present()) {
    summary.used_index = true;
    for (auto& name : IndexedContigs(index, header)) known_contigs.insert(name);
    VCFAGENT_RETURN_IF_ERROR(QueryIndexed(reader, index, *regions, selector, sink,
                                          options.verbatim && options.samples.empty(), summary));
  } else {
    VCFAGENT_RETURN_IF_ERROR(
        StreamAll(reader, want_regions ? &*regions : nullptr, selector, summary, known_contigs));
  }
  if (options.warn) {
    for (const std::string& contig : regions->contigs()) {
      if (!known_contigs.count(contig)) {
        options.warn(fmt::format("{}: no contig '{}' in the file; its regions select no records",
                                 DisplayName(options.input), contig));
      }
    }
  }
  VCFAGENT_RETURN_IF_ERROR(sink.Finish());
  return summary;
}

}  // namespace vcfagent::vcf
