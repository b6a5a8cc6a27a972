#include "vcf/variant_reader.h"

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/kseq.h>
#include <htslib/kstring.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fmt/format.h"
#include "vcf/validate/validator.h"

namespace vcfagent::vcf {

void HtsFileCloser::operator()(htsFile* fp) const {
  if (fp) hts_close(fp);
}
void BcfHeaderDeleter::operator()(bcf_hdr_t* hdr) const {
  if (hdr) bcf_hdr_destroy(hdr);
}
void BcfRecordDeleter::operator()(bcf1_t* rec) const {
  if (rec) bcf_destroy(rec);
}

BcfRecordPtr NewRecord() { return BcfRecordPtr(bcf_init()); }

std::vector<std::string> HeaderContigs(const bcf_hdr_t* header) {
  std::vector<std::string> names;
  for (int i = 0; i < header->n[BCF_DT_CTG]; ++i) {
    if (const char* name = header->id[BCF_DT_CTG][i].key) names.emplace_back(name);
  }
  return names;
}

std::string DisplayName(const std::string& path) { return path == "-" ? "<stdin>" : path; }

namespace {

const char* CompressionName(htsCompression c) {
  switch (c) {
    case bzip2_compression: return "bzip2";
    case xz_compression: return "xz";
    case zstd_compression: return "zstd";
    case razf_compression: return "razf";
    default: return "an unsupported method";
  }
}

// Explains why an opened input is not something vcf-agent reads, or returns ok.
Status CheckFormat(const htsFormat& format) {
  switch (format.compression) {
    case no_compression:
    case gzip:
    case bgzf:
      break;
    default:
      return Status::InvalidInput(fmt::format(
          "compressed with {}; expected plain, gzip- or bgzip-compressed VCF, or BCF",
          CompressionName(format.compression)));
  }
  switch (format.format) {
    case htsExactFormat::vcf:
    case htsExactFormat::bcf:
    case text_format:  // a VCF without its ##fileformat line; the header parser decides
      return Status::Ok();
    case unknown_format:
    case binary_format:
      return Status::InvalidInput("not a VCF or BCF file (unrecognised binary content)");
    default: {
      char* description = hts_format_description(&format);
      std::string text = description ? description : "another format";
      free(description);
      return Status::InvalidInput(
          fmt::format("not a VCF or BCF file (it looks like {})", text));
    }
  }
}

Status CheckPath(const std::string& path) {
  if (path == "-") return Status::Ok();
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return Status::IoError(fmt::format("cannot open: {}", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return Status::IoError("is a directory, expected a VCF or BCF file");
  return Status::Ok();
}

// Reads a BCF header as bcf_hdr_read() does, but allocates as the text arrives instead of the
// length the file declares: htslib mallocs that length up front, so a 9-byte file could make it
// allocate 4 GiB (found by tests/fuzz/reader_fuzz).
Result<BcfHeaderPtr> ReadBcfHeader(htsFile* file) {
  BGZF* fp = file->fp.bgzf;
  uint8_t magic[5];
  uint8_t length_bytes[4];
  if (bgzf_read(fp, magic, 5) != 5 || std::memcmp(magic, "BCF\2", 4) != 0) {
    return Status::InvalidInput("cannot read the BCF header: no BCF magic number");
  }
  if (magic[4] != 2) {
    return Status::InvalidInput(fmt::format(
        "cannot read the BCF header: BCF version 2.{} is not supported, expected 2.2", magic[4]));
  }
  if (bgzf_read(fp, length_bytes, 4) != 4) {
    return Status::InvalidInput("cannot read the BCF header: the file ends in its length field");
  }
  const uint64_t length = uint64_t{length_bytes[0]} | uint64_t{length_bytes[1]} << 8 |
                          uint64_t{length_bytes[2]} << 16 | uint64_t{length_bytes[3]} << 24;
  std::string text;
  constexpr uint64_t kChunk = 1 << 20;
  while (text.size() < length) {
    const size_t have = text.size();
    const auto want = static_cast<size_t>(std::min(kChunk, length - have));
    text.resize(have + want);
    const ssize_t got = bgzf_read(fp, text.data() + have, want);
    if (got < 0) {
      return Status::InvalidInput(
          "cannot read the BCF header: corrupt or truncated compressed data");
    }
    text.resize(have + static_cast<size_t>(got));
    if (static_cast<size_t>(got) < want) {
      return Status::InvalidInput(fmt::format(
          "cannot read the BCF header: it declares {} bytes but the file ends after {}", length,
          text.size()));
    }
  }
  BcfHeaderPtr header(bcf_hdr_init("r"));
  if (!header || bcf_hdr_parse(header.get(), text.data()) < 0) {
    return Status::InvalidInput("cannot read the BCF header: its text could not be parsed");
  }
  if (bcf_hdr_sync(header.get()) < 0) return Status::Internal("bcf_hdr_sync failed");
  return header;
}

}  // namespace

Result<InputKind> ProbeVariantFile(const std::string& path) {
  const std::string name = DisplayName(path);
  if (path == "-") return InputKind{};
  VCFAGENT_RETURN_IF_ERROR(CheckPath(path).WithContext(name));
  hFILE* hf = hopen(path.c_str(), "r");
  if (!hf) return Status::IoError(fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
  htsFormat format{};
  const int detected = hts_detect_format2(hf, path.c_str(), &format);
  hclose_abruptly(hf);
  if (detected < 0) return Status::IoError(name + ": cannot read");
  VCFAGENT_RETURN_IF_ERROR(CheckFormat(format).WithContext(name));
  InputKind kind;
  kind.is_bcf = format.format == htsExactFormat::bcf;
  kind.is_compressed = format.compression != no_compression;
  kind.is_bgzf = format.compression == bgzf;
  return kind;
}

Result<std::unique_ptr<VariantReader>> VariantReader::Open(const std::string& path,
                                                           const ReaderOptions& options) {
  const std::string name = DisplayName(path);
  VCFAGENT_RETURN_IF_ERROR(CheckPath(path).WithContext(name));
  std::unique_ptr<VariantReader> reader(new VariantReader());
  reader->path_ = path;
  reader->keep_text_ = options.keep_text;
  errno = 0;
  reader->file_.reset(hts_open(path.c_str(), "r"));
  if (!reader->file_) {
    const int open_errno = errno;
    // htslib refuses formats it cannot decode (zip, compress, xz) with ENOEXEC; probing says
    // what the file is, which is a statement about the input, not an I/O failure.
    if (path != "-") {
      auto probe = ProbeVariantFile(path);
      if (!probe.ok()) return probe.status();
    }
    return Status::IoError(fmt::format("{}: cannot open: {}", name,
                                       open_errno ? std::strerror(open_errno) : "unreadable input"));
  }
  const htsFormat& format = reader->file_->format;
  VCFAGENT_RETURN_IF_ERROR(CheckFormat(format).WithContext(name));
  reader->kind_.is_bcf = format.format == htsExactFormat::bcf;
  reader->kind_.is_compressed = format.compression != no_compression;
  reader->kind_.is_bgzf = format.compression == bgzf;
  if (options.threads > 0 && reader->kind_.is_compressed) {
    hts_set_threads(reader->file_.get(), options.threads);
  }
  if (reader->kind_.is_bcf) {
    auto header = ReadBcfHeader(reader->file_.get());
    if (!header.ok()) return header.status().WithContext(name);
    reader->header_ = std::move(header).value();
  } else {
    VCFAGENT_RETURN_IF_ERROR(reader->ReadTextHeader().WithContext(name));
  }
  return reader;
}

VariantReader::~VariantReader() { free(line_buffer_.s); }

// Reads "##" meta lines and the "#CHROM" line, counting lines, then hands the text to htslib.
// Doing this here rather than in vcf_hdr_read() is what lets record errors name their line.
Status VariantReader::ReadTextHeader() {
  kstring_t text = {0, 0, nullptr};
  bool have_chrom_line = false;
  Status read_error;
  for (;;) {
    auto more = ReadTextLine(file_.get(), &line_buffer_, budget_);
    if (!more.ok()) {
      read_error = more.status().WithContext(fmt::format("line {}", line_ + 1));
      break;
    }
    if (!*more) break;
    ++line_;
    if (line_buffer_.l == 0 || line_buffer_.s[0] != '#') {
      free(text.s);
      if (line_ == 1 && line_buffer_.l == 0) return Status::InvalidInput("line 1: empty line, expected ##fileformat");
      return Status::InvalidInput(fmt::format(
          "line {}: expected a header line starting with '#' before the first record; "
          "the #CHROM line is missing", line_));
    }
    // The specification requires ##fileformat first; without it htslib (and so bcftools) does not
    // recognise the input as VCF, and neither do we.
    if (line_ == 1 && std::strncmp(line_buffer_.s, "##fileformat=", 13) != 0) {
      free(text.s);
      return Status::InvalidInput(
          "line 1: expected ##fileformat=VCFv4.x as the first line (is this a VCF file?)");
    }
    kputsn(line_buffer_.s, line_buffer_.l, &text);
    kputc('\n', &text);
    if (line_buffer_.l >= 6 && std::strncmp(line_buffer_.s, "#CHROM", 6) == 0) {
      have_chrom_line = true;
      break;
    }
  }
  if (!read_error.ok()) {
    free(text.s);
    return read_error;
  }
  if (!have_chrom_line) {
    free(text.s);
    if (line_ == 0) return Status::InvalidInput("empty file, expected a VCF header");
    return Status::InvalidInput(
        fmt::format("no #CHROM header line in {} header line(s)", line_));
  }
  // "r" as vcf_hdr_read(): the file's ##fileformat is kept and bcf_hdr_parse() adds FILTER PASS.
  header_.reset(bcf_hdr_init("r"));
  const int parsed = bcf_hdr_parse(header_.get(), text.s);
  free(text.s);
  if (parsed < 0) {
    header_.reset();
    return Status::InvalidInput("the header could not be parsed");
  }
  if (bcf_hdr_sync(header_.get()) < 0) return Status::Internal("bcf_hdr_sync failed");
  return Status::Ok();
}

Result<bool> VariantReader::Next(bcf1_t* rec) {
  if (kind_.is_bcf) {
    Status size = CheckBcfRecordSize();
    if (!size.ok()) return size.WithContext(fmt::format("{}: record {}", DisplayName(path_), line_ + 1));
    const int ret = bcf_read(file_.get(), header_.get(), rec);
    if (ret == -1) return false;
    ++line_;
    if (ret < -1 || rec->errcode) {
      return Status::InvalidInput(fmt::format("{}: corrupt or truncated BCF record", Where()));
    }
    ++records_read_;
    return true;
  }
  for (;;) {
    auto more = ReadTextLine(file_.get(), &line_buffer_, budget_);
    if (!more.ok()) return more.status().WithContext(fmt::format("{}:{}", DisplayName(path_), line_ + 1));
    if (!*more) return false;
    ++line_;
    if (line_buffer_.l == 0) continue;  // blank lines carry no record
    break;
  }
  if (keep_text_) text_.assign(line_buffer_.s, line_buffer_.l);
  VCFAGENT_RETURN_IF_ERROR(
      ParseVcfRecordLine(&line_buffer_, header_.get(), rec, DisplayName(path_), line_));
  ++records_read_;
  return true;
}

namespace {

// htslib reads a non-numeric POS as 0 without complaint; a record at an unknown position would
// silently corrupt statistics and region queries, so it is refused here.
Status CheckPosition(const kstring_t& line) {
  const char* p = static_cast<const char*>(memchr(line.s, '\t', line.l));
  if (!p) return Status::InvalidInput("expected tab-separated fields, found one field");
  const char* end = line.s + line.l;
  const char* q = ++p;
  while (q < end && *q >= '0' && *q <= '9') ++q;
  if (q == p || (q < end && *q != '\t')) {
    const char* field_end = static_cast<const char*>(memchr(p, '\t', end - p));
    return Status::InvalidInput(fmt::format("POS: expected a non-negative integer, found '{}'",
                                            std::string(p, field_end ? field_end : end)));
  }
  return Status::Ok();
}

}  // namespace

Status ParseVcfRecordLine(kstring_t* line, bcf_hdr_t* header, bcf1_t* rec,
                          std::string_view display_name, int64_t line_number) {
  Status st = CheckPosition(*line);
  if (st.ok()) {
    // htslib edits the line as it parses: keep its text to explain a failure.
    thread_local std::string original;
    original.assign(line->s, line->l);
    if (vcf_parse(line, header, rec) < 0 || (rec->errcode & ~(BCF_ERR_TAG_UNDEF | BCF_ERR_CTG_UNDEF))) {
      st = Status::InvalidInput(DescribeUnparsableRecord(header, original));
    }
  }
  return st.WithContext(fmt::format("{}:{}", display_name, line_number));
}

std::string DescribeUnparsableRecord(const bcf_hdr_t* header, std::string_view line) {
  kstring_t text = {0, 0, nullptr};
  std::string reason;
  if (bcf_hdr_format(header, 0, &text) == 0) reason = DiagnoseRecordLine(std::string_view(text.s, text.l), line);
  free(text.s);
  return reason.empty() ? "the record could not be parsed" : reason;
}

// htslib allocates a BCF record's declared length and reads it whole: look at the two lengths at
// the front of the next record (when they lie in the current block) and refuse one past the
// limit before it is read.
Status VariantReader::CheckBcfRecordSize() {
  BGZF* bg = file_->fp.bgzf;
  if (bg->block_offset >= bg->block_length && bgzf_read_block(bg) != 0) return Status::Ok();  // bcf_read reports it
  if (bg->block_length - bg->block_offset < 8) return Status::Ok();
  const auto* p = static_cast<const uint8_t*>(bg->uncompressed_block) + bg->block_offset;
  auto le32 = [](const uint8_t* b) { return uint64_t{b[0]} | uint64_t{b[1]} << 8 | uint64_t{b[2]} << 16 | uint64_t{b[3]} << 24; };
  const uint64_t bytes = le32(p) + le32(p + 4);
  if (bytes > static_cast<uint64_t>(budget_.limits().max_line_bytes)) {
    return Status::InvalidInput(fmt::format("the record is {} bytes, more than the limit of {} bytes ($VCF_AGENT_MAX_LINE_BYTES)",
                                            bytes, budget_.limits().max_line_bytes));
  }
  return budget_.Consume(static_cast<int64_t>(bytes) + 8);
}

std::string VariantReader::Where() const {
  if (kind_.is_bcf) return fmt::format("{}: record {}", DisplayName(path_), line_);
  return fmt::format("{}:{}", DisplayName(path_), line_);
}

}  // namespace vcfagent::vcf
