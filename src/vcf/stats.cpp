#include "vcf/stats.h"

#include <sys/stat.h>

#include <string_view>

#include "fmt/format.h"
#include "util/progress.h"
#include "vcf/stats_collector.h"
#include "vcf/stats_line_reducer.h"
#include "vcf/variant_reader.h"
#include "vcf/vcf_line_read_ahead.h"

namespace vcfagent::vcf {

namespace {

// Feeds every record of `in` to `collector`, reading text VCF lines on a second thread when
// `read_ahead` is set (the file must then have no htslib threads of its own).
Status CollectRecords(VariantReader& in, StatsCollector& collector, bool read_ahead,
                      bool drop_sample_columns) {
  BcfRecordPtr rec = NewRecord();
  ProgressMeter progress("stats " + DisplayName(in.path()));
  uint64_t n = 0;
  // `where` names the record, and is only called on an error.
  auto add = [&](auto where) -> Status {
    Status st = collector.Add(rec.get());
    if (!st.ok()) return st.WithContext(where());
    progress.Update(++n);
    if ((n & 0xFFF) == 0 && CancelRequested()) return Status::Cancelled("interrupted");
    return Status::Ok();
  };
  if (read_ahead) {
    const bool keep_samples = !drop_sample_columns && bcf_hdr_nsamples(in.header()) > 0;
    VcfLineReadAhead lines(in.file(), in.line(), DisplayName(in.path()),
                           [keep_samples](std::string_view text, std::string* out) {
                             ReduceVcfLineForStats(text, keep_samples, out);
                           },
                           &in.budget());
    kstring_t line = {0, 0, nullptr};
    int64_t number = 0;
    Status status;
    for (;;) {
      auto more = lines.Next(&line, &number);
      if (!more.ok()) {
        status = more.status();
        break;
      }
      if (!*more) break;
      auto where = [&] { return fmt::format("{}:{}", DisplayName(in.path()), number); };
      status = ParseVcfRecordLine(&line, in.header(), rec.get(), DisplayName(in.path()), number);
      if (!status.ok()) break;
      status = add(where);
      if (!status.ok()) break;
    }
    free(line.s);
    if (!status.ok()) return status;
  } else {
    for (;;) {
      auto more = in.Next(rec.get());
      if (!more.ok()) return more.status();
      if (!*more) break;
      VCFAGENT_RETURN_IF_ERROR(add([&] { return in.Where(); }));
    }
  }
  progress.Finish(n);
  return Status::Ok();
}

}  // namespace

Result<VcfStats> ComputeStats(const std::string& path, const StatsOptions& options) {
  const int threads = options.threads < 0 ? 1 : options.threads;
  // Text VCF is read ahead on our own thread (see VcfLineReadAhead); more threads than one go to
  // htslib's decompression. BCF decompression uses htslib's threads directly.
  // Probing reads the start of the file, so only regular files are probed: a pipe such as
  // <(zcat ...) would lose what the probe consumed. Others are assumed to be text.
  bool is_bcf = false;
  struct stat st {};
  if (path != "-" && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    auto kind = ProbeVariantFile(path);
    if (!kind.ok()) return kind.status();
    is_bcf = kind->is_bcf;
  }
  const bool read_ahead = threads > 0 && !is_bcf;
  ReaderOptions reader_options;
  reader_options.threads = read_ahead ? threads - 1 : threads;
  auto reader = VariantReader::Open(path, reader_options);
  if (!reader.ok()) return reader.status();
  VariantReader& in = **reader;
  auto collector = StatsCollector::Create(in.header(), options);
  if (!collector.ok()) return collector.status().WithContext(DisplayName(path));
  // Without per-sample statistics nothing reads FORMAT: let htslib skip parsing the sample
  // columns of VCF text (BCF leaves them packed anyway).
  const bool drop_sample_columns = options.samples == StatsOptions::Samples::kNone &&
                                   !in.kind().is_bcf && bcf_hdr_nsamples(in.header()) > 0;
  if (drop_sample_columns && bcf_hdr_set_samples(in.header(), nullptr, 0) < 0) {
    return Status::Internal("bcf_hdr_set_samples failed");
  }
  VCFAGENT_RETURN_IF_ERROR(
      CollectRecords(in, **collector, read_ahead && !in.kind().is_bcf, drop_sample_columns));
  return (*collector)->Finish(path);
}

}  // namespace vcfagent::vcf
