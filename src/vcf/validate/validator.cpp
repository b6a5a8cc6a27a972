// ValidateText / ValidateFile: feed lines to the LineChecker from memory, from plain/gzip/BGZF
// files (htslib BGZF), from bzip2 files (through the bzip2 program) or from BCF files (decoded by
// htslib: site columns as VCF text, sample columns judged from their decoded values).
#include "vcf/validate/validator.h"

#include <bzlib.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "fmt/format.h"
#include "util/progress.h"
#include "vcf/validate/findings.h"
#include "vcf/input_limits.h"
#include "vcf/validate/line_checker.h"
#include "vcf/variant_reader.h"

extern char** environ;

namespace vcfagent::vcf {

std::string_view SeverityName(Severity severity) { return severity == Severity::kError ? "error" : "warning"; }

namespace {

using validate::FindingSink;
using validate::LineChecker;

// Splits a byte stream into lines for the checker; keeps only the unfinished last line between
// chunks, so memory is bounded by the longest line, and a line longer than the limit
// (vcf/input_limits.h) is reported (rule line-too-long) and skipped without being held.
class LineSplitter {
 public:
  LineSplitter(LineChecker& checker, FindingSink& sink, int64_t max_line_bytes, const ValidationTaps* taps = nullptr)
      : checker_(checker), sink_(sink), max_line_(static_cast<size_t>(max_line_bytes)), taps_(taps) {}
  // The first error a tap returned (the reading stops there).
  const Status& tap_status() const { return tap_status_; }
  void Feed(std::string_view chunk) {
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      const size_t length = nl == std::string_view::npos ? chunk.size() : nl;
      if (!skipping_ && pending_.size() + length > max_line_) {
        sink_.Error("line-too-long", line_ + 1, "line",
                    fmt::format("The line is longer than {} bytes, the limit ($VCF_AGENT_MAX_LINE_BYTES); it was not checked",
                                max_line_),
                    "Check that the file is a VCF; raise $VCF_AGENT_MAX_LINE_BYTES for files with longer lines");
        skipping_ = true;
        pending_.clear();
        pending_.shrink_to_fit();
        Tap(std::string_view(), line_ + 1, true);
      }
      if (nl == std::string_view::npos) {
        if (!skipping_) pending_.append(chunk);
        return;
      }
      line_++;
      if (skipping_) {
        skipping_ = false;
      } else if (pending_.empty()) {
        checker_.Line(chunk.substr(0, nl), line_);
        Tap(chunk.substr(0, nl), line_, false);
      } else {
        pending_.append(chunk.substr(0, nl));
        checker_.Line(pending_, line_);
        Tap(pending_, line_, false);
        pending_.clear();
      }
      chunk.remove_prefix(nl + 1);
      if (!tap_status_.ok()) return;
    }
  }
  // Ends the input; returns the number of lines.
  int64_t Finish() {
    bool ended_with_newline = pending_.empty() && !skipping_;
    if (!pending_.empty() || skipping_) {
      line_++;
      if (!skipping_) {
        checker_.Line(pending_, line_);
        Tap(pending_, line_, false);
      }
    }
    checker_.Finish(line_ == 0 ? 1 : line_, ended_with_newline);
    return line_;
  }
  int64_t line() const { return line_; }

  // One BCF record as the next line, checked from its decoded values when the checker can
  // (LineChecker::DecodedRecord); `site` is its text up to FORMAT and `length_bound` a bound on
  // the length of its whole text. False, with nothing done, when the caller must Feed the text.
  bool Decoded(std::string_view site, size_t length_bound, const bcf_hdr_t* header, bcf1_t* rec) {
    if (!pending_.empty() || skipping_ || length_bound > max_line_) return false;
    if (!checker_.DecodedRecord(site, header, rec, line_ + 1)) return false;
    line_++;
    return true;
  }

 private:
  void Tap(std::string_view line, int64_t number, bool too_long) {
    if (taps_ == nullptr || !taps_->text_line || number <= taps_->skip_lines || !tap_status_.ok()) return;
    tap_status_ = taps_->text_line(line, number, too_long);
  }

  LineChecker& checker_;
  FindingSink& sink_;
  size_t max_line_;
  const ValidationTaps* taps_;
  Status tap_status_;
  std::string pending_;
  bool skipping_ = false;  // inside a line past the limit
  int64_t line_ = 0;
};

ValidationReport Finalize(const std::string& path, FindingSink& sink, const LineChecker& checker, int64_t lines) {
  ValidationReport report;
  report.path = DisplayName(path);
  report.vcf_version = checker.version();
  report.records = checker.records();
  report.lines = lines;
  sink.MoveInto(report);
  return report;
}

ValidationReport UnreadableReport(const std::string& path, std::string_view rule, const std::string& what) {
  FindingSink sink(1);
  sink.Error(rule, 0, "file", what, "Give a plain, gzip/bgzip or bzip2 VCF, or a BCF file (decompress archives first)");
  ValidationReport report;
  report.path = path;
  sink.MoveInto(report);
  return report;
}

// The compression formats the validator cannot read as a VCF stream, by magic bytes.
const char* UnreadableFormat(const unsigned char* m, size_t n) {
  if (n >= 6 && m[0] == 0xFD && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) return "xz";
  if (n >= 4 && m[0] == 'P' && m[1] == 'K' && (m[2] == 3 || m[2] == 5 || m[2] == 7)) return "zip";
  if (n >= 2 && m[0] == 0x1F && m[1] == 0x9D) return "compress (.Z)";
  if (n >= 2 && m[0] == 0x1F && m[1] == 0xA0) return "compress (LZH)";
  if (n >= 2 && m[0] == 0x78 && (m[1] == 0x01 || m[1] == 0x5E || m[1] == 0x9C || m[1] == 0xDA)) return "zlib";
  if (n >= 6 && m[0] == '7' && m[1] == 'z' && m[2] == 0xBC && m[3] == 0xAF) return "7z";
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD) return "zstd";
  return nullptr;
}

Status ReadWithBgzf(const std::string& path, LineSplitter& splitter, InputBudget& budget, int threads) {
  BGZF* fp = bgzf_open(path.c_str(), "r");
  if (fp == nullptr) return Status::IoError(fmt::format("{}: cannot open: {}", DisplayName(path), std::strerror(errno)));
  std::unique_ptr<BGZF, int (*)(BGZF*)> guard(fp, bgzf_close);
  if (threads > 0 && fp->is_compressed && bgzf_mt(fp, threads, 256) != 0) {
    return Status::Internal(fmt::format("{}: cannot start decompression threads", DisplayName(path)));
  }
  std::string buffer(1 << 20, '\0');
  ProgressMeter progress("validate " + DisplayName(path));
  while (true) {
    ssize_t got = bgzf_read(fp, buffer.data(), buffer.size());
    if (got < 0) {
      return Status::InvalidInput(fmt::format("{}: decompression failed after line {} (corrupt gzip/BGZF data)",
                                              DisplayName(path), splitter.line()));
    }
    if (got == 0) break;
    VCFAGENT_RETURN_IF_ERROR(budget.Consume(got).WithContext(fmt::format("{}: after line {}", DisplayName(path), splitter.line())));
    splitter.Feed(std::string_view(buffer.data(), static_cast<size_t>(got)));
    if (!splitter.tap_status().ok()) return Status::Ok();
    progress.Update(static_cast<uint64_t>(splitter.line()));
    if (CancelRequested()) return Status::Cancelled("interrupted");
  }
  return Status::Ok();
}

// libbz2 is always installed with htslib (which links it for CRAM); it is loaded at run time so
// the build needs no extra library.
struct Bzip2Api {
  BZFILE* (*read_open)(int*, FILE*, int, int, void*, int) = nullptr;
  int (*read)(int*, BZFILE*, void*, int) = nullptr;
  void (*read_close)(int*, BZFILE*) = nullptr;
  bool ok() const { return read_open && read && read_close; }
};

const Bzip2Api& LoadBzip2() {
  static const Bzip2Api api = [] {
    Bzip2Api a;
    void* lib = dlopen("libbz2.so.1.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) lib = dlopen("libbz2.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) return a;
    a.read_open = reinterpret_cast<decltype(a.read_open)>(dlsym(lib, "BZ2_bzReadOpen"));
    a.read = reinterpret_cast<decltype(a.read)>(dlsym(lib, "BZ2_bzRead"));
    a.read_close = reinterpret_cast<decltype(a.read_close)>(dlsym(lib, "BZ2_bzReadClose"));
    return a;
  }();
  return api;
}

Status ReadWithLibbz2(const Bzip2Api& api, const std::string& path, LineSplitter& splitter, InputBudget& budget) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return Status::IoError(fmt::format("{}: cannot open: {}", DisplayName(path), std::strerror(errno)));
  std::string buffer(1 << 20, '\0');
  // Concatenated bzip2 streams (as from pbzip2) follow each other: reopen after each stream end.
  while (true) {
    int error = BZ_OK;
    BZFILE* bz = api.read_open(&error, file.get(), 0, 0, nullptr, 0);
    if (error != BZ_OK) return Status::InvalidInput(fmt::format("{}: not valid bzip2 data", DisplayName(path)));
    while (error == BZ_OK) {
      int got = api.read(&error, bz, buffer.data(), static_cast<int>(buffer.size()));
      if (error != BZ_OK && error != BZ_STREAM_END) break;
      if (Status st = budget.Consume(got); !st.ok()) {
        api.read_close(&error, bz);
        return st.WithContext(fmt::format("{}: after line {}", DisplayName(path), splitter.line()));
      }
      splitter.Feed(std::string_view(buffer.data(), static_cast<size_t>(got)));
    }
    int close_error = BZ_OK;
    api.read_close(&close_error, bz);
    if (error != BZ_STREAM_END) {
      return Status::InvalidInput(fmt::format("{}: bzip2 decompression failed after line {}", DisplayName(path), splitter.line()));
    }
    int next = std::fgetc(file.get());
    if (next == EOF) return Status::Ok();
    std::ungetc(next, file.get());
  }
}

// bzip2 is not an htslib stream format: decompress with libbz2, or the bzip2 program if the
// library cannot be loaded.
Status ReadWithBzip2(const std::string& path, LineSplitter& splitter, InputBudget& budget) {
  if (const Bzip2Api& api = LoadBzip2(); api.ok()) return ReadWithLibbz2(api, path, splitter, budget);
  int fds[2];
  if (pipe(fds) != 0) return Status::IoError("cannot create a pipe for bzip2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::string arg0 = "bzip2", arg1 = "-dc", arg2 = "--";
  std::string arg3 = path;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), arg3.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "bzip2", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return Status::IoError(fmt::format("{}: bzip2-compressed, but the bzip2 program is not available", DisplayName(path)));
  }
  std::string buffer(1 << 20, '\0');
  while (true) {
    ssize_t got = read(fds[0], buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (Status st = budget.Consume(got); !st.ok()) {
      close(fds[0]);
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
      return st.WithContext(fmt::format("{}: after line {}", DisplayName(path), splitter.line()));
    }
    splitter.Feed(std::string_view(buffer.data(), static_cast<size_t>(got)));
  }
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status::InvalidInput(fmt::format("{}: bzip2 decompression failed after line {}", DisplayName(path), splitter.line()));
  }
  return Status::Ok();
}

// A bound on the length of the VCF text of `rec`'s sample columns (as vcf_format writes them).
size_t SampleTextBound(const bcf1_t* rec) {
  size_t per_sample = 1;
  for (int i = 0; i < rec->n_fmt; ++i) {
    const bcf_fmt_t& f = rec->d.fmt[i];
    if (f.p == nullptr) continue;
    const size_t value = f.type == BCF_BT_CHAR ? 1 : f.type == BCF_BT_FLOAT ? 24 : 12;
    per_sample += 1 + (static_cast<size_t>(std::max(f.n, 1)) * (value + 1));
  }
  return per_sample * rec->n_sample;
}

// The text of `rec` from CHROM to the FORMAT column, as vcf_format writes it, in `out`; false
// when it cannot be had that way (no FORMAT field, a tab or newline inside a value, an unknown key).
bool FormatSiteColumns(const bcf_hdr_t* header, bcf1_t* rec, kstring_t* out) {
  if (rec->n_sample == 0 || rec->n_fmt == 0) return false;
  bcf_unpack(rec, BCF_UN_ALL);  // with the samples: vcf_format must not unpack them below
  const uint32_t samples = rec->n_sample;
  out->l = 0;
  rec->n_sample = 0;  // vcf_format then stops after INFO
  const int rc = vcf_format(header, rec, out);
  rec->n_sample = samples;
  if (rc != 0 || out->l == 0 || out->s[out->l - 1] != '\n') return false;
  out->l--;
  const std::string_view site(out->s, out->l);
  if (site.find('\n') != std::string_view::npos || std::count(site.begin(), site.end(), '\t') != 7) return false;
  bool first = true;
  const int max_id = header->n[BCF_DT_ID];
  for (int i = 0; i < rec->n_fmt; ++i) {
    const bcf_fmt_t& f = rec->d.fmt[i];
    if (f.p == nullptr) continue;
    if (f.id < 0 || f.id >= max_id || header->id[BCF_DT_ID][f.id].key == nullptr) return false;
    kputc(first ? '\t' : ':', out);
    kputs(header->id[BCF_DT_ID][f.id].key, out);
    first = false;
  }
  return !first;
}

// BCF: the header is formatted as VCF text and checked like a VCF file's; each record is checked
// from its decoded values where the checker can (its site columns as text, its samples decoded),
// else formatted as VCF text and checked as a line.
Status ReadBcf(const std::string& path, LineSplitter& splitter, int threads, const ValidationTaps* taps,
               Status* tap_error) {
  ReaderOptions reader_options;
  reader_options.threads = threads;
  auto reader = VariantReader::Open(path, reader_options);
  if (!reader.ok()) return reader.status();
  struct KString {
    kstring_t s = {0, 0, nullptr};
    ~KString() { free(s.s); }
  } text;
  const bcf_hdr_t* header = (*reader)->header();
  if (bcf_hdr_format(header, 0, &text.s) != 0) {
    return Status::InvalidInput(fmt::format("{}: cannot format the BCF header", DisplayName(path)));
  }
  splitter.Feed(std::string_view(text.s.s, text.s.l));
  const bool tap_records = taps != nullptr && static_cast<bool>(taps->bcf_record);
  BcfRecordPtr rec = NewRecord();
  while (true) {
    Result<bool> next = (*reader)->Next(rec.get());
    if (!next.ok()) return next.status();
    if (!next.value()) break;
    if (FormatSiteColumns(header, rec.get(), &text.s) &&
        splitter.Decoded(std::string_view(text.s.s, text.s.l), text.s.l + SampleTextBound(rec.get()), header,
                         rec.get())) {
    } else {
      text.s.l = 0;
      if (vcf_format(header, rec.get(), &text.s) != 0) {
        return Status::InvalidInput(fmt::format("{}: cannot format record {}", DisplayName(path), (*reader)->records_read()));
      }
      splitter.Feed(std::string_view(text.s.s, text.s.l));
    }
    if (tap_records) {
      *tap_error = taps->bcf_record(rec.get());
      if (!tap_error->ok()) return Status::Ok();
    }
    if (CancelRequested()) return Status::Cancelled("interrupted");
  }
  return Status::Ok();
}

}  // namespace

ValidationReport ValidateText(std::string_view text, const ValidationOptions& options, const std::string& path) {
  FindingSink sink(options.max_findings);
  LineChecker checker(options, sink);
  LineSplitter splitter(checker, sink, CurrentInputLimits().max_line_bytes);
  splitter.Feed(text);
  int64_t lines = splitter.Finish();
  return Finalize(path, sink, checker, lines);
}

std::string DiagnoseRecordLine(std::string_view header_text, std::string_view line) {
  const size_t chrom = header_text.rfind("\n#CHROM");
  std::string text(header_text.substr(0, chrom == std::string_view::npos ? 0 : chrom + 1));
  text += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO";
  const size_t columns = 1 + static_cast<size_t>(std::count(line.begin(), line.end(), '\t'));
  if (columns > 8) text += "\tFORMAT";
  for (size_t i = 10; i <= columns; ++i) text += fmt::format("\tS{}", i - 9);
  text += '\n';
  const auto record_line = static_cast<int64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  text.append(line);
  text += '\n';
  ValidationOptions options;
  options.max_findings = static_cast<size_t>(record_line) * 4 + 100;  // whatever the header's own findings
  const ValidationReport report = ValidateText(text, options);
  for (const ValidationFinding& finding : report.findings) {
    if (finding.line == record_line && finding.severity == Severity::kError) {
      return fmt::format("{}: {}", finding.field, finding.message);
    }
  }
  return "";
}

Result<ValidationReport> ValidateFile(const std::string& path, const ValidationOptions& options) {
  return ValidateFile(path, options, ValidationTaps());
}

Result<ValidationReport> ValidateFile(const std::string& path, const ValidationOptions& options,
                                      const ValidationTaps& taps) {
  enum class Reader { kBgzf, kBzip2, kBcf } reader = Reader::kBgzf;
  if (path != "-") {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    }
    if (S_ISDIR(st.st_mode)) return Status::IoError(fmt::format("{}: is a directory, not a VCF file", path));
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    unsigned char magic[8] = {0};
    size_t n = std::fread(magic, 1, sizeof(magic), f);
    std::fclose(f);
    if (const char* format = UnreadableFormat(magic, n)) {
      return UnreadableReport(path, "unreadable-compression", fmt::format("The file is compressed with {}, which is not a readable VCF stream "
                                                "(expected plain, gzip/bgzip or bzip2 VCF, or BCF)", format));
    }
    if (n >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
      reader = Reader::kBzip2;
    } else {
      auto kind = ProbeVariantFile(path);
      if (kind.ok() && kind->is_bcf) reader = Reader::kBcf;
      // Another format htslib recognises (BAM, CRAM, SAM, an index...): one clean finding.
      if (!kind.ok() && kind.status().kind() != ErrorKind::kInvalidInput) return kind.status();
      if (!kind.ok() && st.st_size > 0) return UnreadableReport(path, "not-vcf", kind.status().message());
    }
  }
  FindingSink sink(options.max_findings);
  LineChecker checker(options, sink);
  InputBudget budget;
  LineSplitter splitter(checker, sink, budget.limits().max_line_bytes, &taps);
  // A tap's error stops the reading; ReadBcf returns it, the text readers leave it in the splitter.
  Status tap_error;
  Status status;
  switch (reader) {
    case Reader::kBgzf: status = ReadWithBgzf(path, splitter, budget, options.threads); break;
    case Reader::kBzip2: status = ReadWithBzip2(path, splitter, budget); break;
    case Reader::kBcf: status = ReadBcf(path, splitter, options.threads, &taps, &tap_error); break;
  }
  if (!tap_error.ok()) return tap_error;
  if (!splitter.tap_status().ok()) return splitter.tap_status();
  if (!status.ok() && status.kind() != ErrorKind::kInvalidInput) return status;
  int64_t lines = splitter.Finish();
  if (!splitter.tap_status().ok()) return splitter.tap_status();
  if (!status.ok()) {
    sink.Error("unreadable-data", lines, "file", status.message(), "Check that the file is complete and not corrupt");
  }
  return Finalize(path, sink, checker, lines);
}

}  // namespace vcfagent::vcf
