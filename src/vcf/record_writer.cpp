#include "vcf/record_writer.h"

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>

#include <cerrno>
#include <cstring>

#include "fmt/format.h"
#include "util/output_file.h"
#include "vcf/record_writer_text.h"

namespace vcfagent::vcf {

namespace {

// VCF and BCF through htslib, which writes the OutputFile's temporary path.
class HtsRecordWriter : public RecordSink {
 public:
  HtsRecordWriter(std::unique_ptr<OutputFile> out, WriterOptions options)
      : out_(std::move(out)), options_(std::move(options)) {}
  ~HtsRecordWriter() override {
    if (fp_) hts_close(fp_);
  }

  Status Begin(const bcf_hdr_t* header) override {
    const char* mode = "w";
    switch (options_.format) {
      case RecordFormat::kVcfGz: mode = "wz"; break;
      case RecordFormat::kBcf: mode = "wb"; break;
      case RecordFormat::kBcfUncompressed: mode = "wbu"; break;
      default: break;
    }
    errno = 0;
    fp_ = hts_open(out_->temp_path().c_str(), mode);
    if (!fp_) {
      return Status::IoError(fmt::format("{}: cannot write: {}", out_->path(),
                                         errno ? std::strerror(errno) : "cannot open"));
    }
    if (options_.threads > 0 && options_.format != RecordFormat::kVcf &&
        options_.format != RecordFormat::kBcfUncompressed) {
      hts_set_threads(fp_, options_.threads);
    }
    header_ = header;
    const bool is_bcf = options_.format == RecordFormat::kBcf ||
                        options_.format == RecordFormat::kBcfUncompressed;
    if (is_bcf || options_.write_header) {
      if (bcf_hdr_write(fp_, const_cast<bcf_hdr_t*>(header)) < 0) return WriteFailed(out_->path());
    }
    return Status::Ok();
  }

  Status Write(bcf1_t* rec) override {
    // htslib refuses (with a log line we silence) records whose sample columns do not match the
    // header; say so rather than report a write failure.
    if (rec->n_sample != static_cast<uint32_t>(bcf_hdr_nsamples(header_))) {
      return Status::InvalidInput(fmt::format(
          "cannot write the record at {}:{} to {}: it has {} sample column(s) but the header "
          "declares {} sample(s)",
          bcf_seqname_safe(header_, rec), rec->pos + 1, out_->path(),
          static_cast<unsigned>(rec->n_sample), bcf_hdr_nsamples(header_)));
    }
    errno = 0;
    if (bcf_write(fp_, const_cast<bcf_hdr_t*>(header_), rec) < 0) {
      if (errno) return WriteFailed(out_->path());
      // htslib refuses records it cannot encode (a position out of range, too many alleles).
      return Status::InvalidInput(fmt::format(
          "the record at {}:{} cannot be written (missing columns or a value out of range?)",
          bcf_seqname_safe(header_, rec), rec->pos + 1));
    }
    return Status::Ok();
  }

  bool accepts_vcf_lines() const override {
    return options_.format == RecordFormat::kVcf || options_.format == RecordFormat::kVcfGz;
  }

  // The same bytes vcf_write() would put out for a parsed record of this line.
  Status WriteVcfLine(std::string_view line) override {
    const bool ok = fp_->format.compression != no_compression
                        ? bgzf_write(fp_->fp.bgzf, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                              bgzf_write(fp_->fp.bgzf, "\n", 1) == 1
                        : hwrite(fp_->fp.hfile, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                              hwrite(fp_->fp.hfile, "\n", 1) == 1;
    return ok ? Status::Ok() : WriteFailed(out_->path());
  }

  Status Finish() override {
    htsFile* fp = fp_;
    fp_ = nullptr;
    if (fp && hts_close(fp) < 0) return WriteFailed(out_->path());
    return out_->Commit();
  }

 private:
  std::unique_ptr<OutputFile> out_;
  WriterOptions options_;
  htsFile* fp_ = nullptr;
  const bcf_hdr_t* header_ = nullptr;
};

// Text writers (TSV, JSON lines) share the buffered OutputFile stream.
}  // namespace

RecordFormat RecordFormatForPath(std::string_view path) {
  if (path.ends_with(".bcf")) return RecordFormat::kBcf;
  if (path.ends_with(".gz") || path.ends_with(".bgz")) return RecordFormat::kVcfGz;
  return RecordFormat::kVcf;
}

Result<RecordFormat> ParseRecordFormat(std::string_view name) {
  if (name == "v" || name == "vcf") return RecordFormat::kVcf;
  if (name == "z" || name == "vcf.gz") return RecordFormat::kVcfGz;
  if (name == "b" || name == "bcf") return RecordFormat::kBcf;
  if (name == "u") return RecordFormat::kBcfUncompressed;
  if (name == "t" || name == "tsv") return RecordFormat::kTsv;
  if (name == "j" || name == "json" || name == "jsonl") return RecordFormat::kJsonLines;
  return Status::Usage(fmt::format(
      "-O: unknown output type '{}': expected v (VCF), z (bgzipped VCF), b (BCF), "
      "u (uncompressed BCF), t (TSV) or j (JSON lines)", name));
}

Result<std::unique_ptr<RecordSink>> OpenRecordWriter(const std::string& path,
                                                     const WriterOptions& options) {
  const bool is_bcf = options.format == RecordFormat::kBcf ||
                      options.format == RecordFormat::kBcfUncompressed;
  if (is_bcf && !options.write_header) {
    return Status::Usage("-H: a BCF file always carries its header; use -O v or -O t to drop it");
  }
  if (!options.fields.empty() && options.format != RecordFormat::kTsv) {
    return Status::Usage("-f: fields apply to TSV output (-O t)");
  }
  auto out = OutputFile::Open(path);
  if (!out.ok()) return out.status();
  switch (options.format) {
    case RecordFormat::kTsv:
      return NewTsvRecordWriter(std::move(out.value()), options);
    case RecordFormat::kJsonLines:
      return NewJsonLinesRecordWriter(std::move(out.value()), options);
    default:
      return std::unique_ptr<RecordSink>(new HtsRecordWriter(std::move(out.value()), options));
  }
}

}  // namespace vcfagent::vcf
