// Limits on the text users hand to the library's parsers: filter and where expressions, region
// lists and YAML config files.
//
// Each parser of user-written text checks its input against these before or while parsing, so a
// hostile or mistaken input (20,000 nested parentheses, a megabyte of region list) ends with a
// Usage error naming the limit (CLI exit 2, API 400) instead of exhausting the stack of a
// recursive-descent parser or the memory of a shared server. The values are far above what a
// person writes; they live in one place so that the CLI, the API and the docs agree.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "util/status.h"

namespace vcfagent {

// Filter expressions (`view -i/-e`, /api/v1/view) and where-expressions (`variants -w`,
// `similar --where`, /api/v1/variants, /api/v1/similar).
inline constexpr size_t kMaxExpressionBytes = 16 * 1024;
// How deeply parentheses and negations ('!', 'not') may nest. Each level is a stack frame of the
// parser and of the evaluator, and a where-expression's levels become parentheses in SQL, whose
// parser gives up near 100.
inline constexpr int kMaxExpressionDepth = 32;
// Tests (comparisons or bare fields) in one expression. A chain of N terms joined by && or || is an
// SQL expression tree N deep, and SQLite refuses trees deeper than 1000.
inline constexpr int kMaxExpressionTerms = 500;
// A regular expression inside a filter (FIELD ~ "regex"): POSIX regcomp recurses per group.
inline constexpr size_t kMaxRegexBytes = 1024;

// Region lists given as text (-r, the API's region parameters). -R files are read line by line and
// are not limited.
inline constexpr size_t kMaxRegionListBytes = 256 * 1024;

// YAML config files (--config, VCF_AGENT_CONFIG, serve's config). yaml-cpp parses recursively.
inline constexpr size_t kMaxConfigFileBytes = 1024 * 1024;
inline constexpr int kMaxConfigDepth = 16;        // nested mappings and sequences
inline constexpr size_t kMaxConfigNodes = 100000;  // values, counting each use of an alias

// At most this many bytes of user text are quoted back in an error message.
inline constexpr size_t kMaxQuotedBytes = 80;

// `text` as quoted in a message: whole when short, else its first kMaxQuotedBytes and "...".
inline std::string Excerpt(std::string_view text) {
  if (text.size() <= kMaxQuotedBytes) return std::string(text);
  return std::string(text.substr(0, kMaxQuotedBytes)) + "...";
}

// A Usage error when `size` exceeds `limit`: "<what> is 40000 bytes long; the limit is 16384 bytes".
inline Status CheckTextSize(std::string_view what, size_t size, size_t limit) {
  if (size <= limit) return Status::Ok();
  return Status::Usage(fmt::format("{} is {} bytes long; the limit is {} bytes", what, size, limit));
}

}  // namespace vcfagent
