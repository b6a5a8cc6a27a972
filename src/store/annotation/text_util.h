// Small text helpers shared by the annotation parsers (internal to src/store/annotation).
//
// Splitting without allocation, case-insensitive comparison, trimming, strict integer parsing,
// the chromosome-name key that makes "chr1" equal "1" and "chrM" equal "MT", and reading text
// files (plain, gzip or BGZF) line by line through htslib.
#pragma once

#include <htslib/hts.h>
#include <htslib/kseq.h>
#include <htslib/kstring.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "util/status.h"

namespace vcfagent::store {

inline char AsciiLower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

inline std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

inline bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

inline std::string_view Trim(std::string_view text, std::string_view chars = " \t\r\n") {
  const size_t begin = text.find_first_not_of(chars);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(chars);
  return text.substr(begin, end - begin + 1);
}

// Calls fn(part) for every `sep`-separated part of `text`, empty parts included.
template <typename Fn>
void ForEachPart(std::string_view text, char sep, Fn&& fn) {
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      fn(text.substr(start));
      return;
    }
    fn(text.substr(start, end - start));
    start = end + 1;
  }
}

// The whole of `text` as a decimal integer, or nullopt.
inline std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The chromosome key for matching across naming conventions: a leading "chr" (any case) is
// dropped and the mitochondrion ("M", "chrM", "MT") becomes "MT". Views into `chrom` or a literal.
inline std::string_view ChromKey(std::string_view chrom) {
  if (StartsWithIgnoreCase(chrom, "chr") && chrom.size() > 3) chrom.remove_prefix(3);
  if (EqualsIgnoreCase(chrom, "M") || EqualsIgnoreCase(chrom, "MT")) return "MT";
  return chrom;
}

// A text file read line by line through htslib, so plain, gzip and BGZF files all work.
class TextLineReader {
 public:
  static Result<TextLineReader> Open(const std::string& path) {
    // Checked first so the message is ours (htslib would also print its own on stderr).
    struct stat info;
    if (::stat(path.c_str(), &info) != 0 || ::access(path.c_str(), R_OK) != 0) {
      return Status::IoError(path + ": cannot open file: " + std::strerror(errno));
    }
    if (S_ISDIR(info.st_mode)) return Status::IoError(path + ": is a directory, not a file");
    htsFile* fp = hts_open(path.c_str(), "r");
    if (fp == nullptr) return Status::IoError(path + ": cannot open file: " + std::strerror(errno));
    return TextLineReader(fp);
  }
  TextLineReader(TextLineReader&& other) noexcept
      : fp_(std::exchange(other.fp_, nullptr)),
        line_(std::exchange(other.line_, kstring_t{0, 0, nullptr})),
        line_number_(other.line_number_) {}
  TextLineReader(const TextLineReader&) = delete;
  TextLineReader& operator=(const TextLineReader&) = delete;
  TextLineReader& operator=(TextLineReader&&) = delete;
  ~TextLineReader() {
    if (fp_ != nullptr) hts_close(fp_);
    free(line_.s);
  }

  // The next line without its end (a trailing '\r' removed too); false at the end of the file,
  // an I/O error if the file cannot be read or decompressed.
  Result<bool> Next(std::string_view* line) {
    const int ret = hts_getline(fp_, KS_SEP_LINE, &line_);
    if (ret == -1) return false;
    if (ret < -1)
      return Status::IoError("line " + std::to_string(line_number_ + 1) + ": read error");
    ++line_number_;
    std::string_view text(line_.s, line_.l);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    *line = text;
    return true;
  }
  int64_t line_number() const { return line_number_; }

 private:
  explicit TextLineReader(htsFile* fp) : fp_(fp) {}
  htsFile* fp_;
  kstring_t line_ = {0, 0, nullptr};
  int64_t line_number_ = 0;
};

}  // namespace vcfagent::store
