// How vcf-agent writes JSON: every JSON document, line or string the project emits goes through
// the functions here, so one rule decides how text that is not UTF-8 is carried.
//
// The rule: JSON is UTF-8, and VCF files are not always (a Latin-1 sample name, a CP-1252 INFO
// value). Each invalid UTF-8 byte sequence is written as U+FFFD (the replacement character,
// "\xEF\xBF\xBD"), exactly as nlohmann::json's error_handler_t::replace does; valid UTF-8 is
// written as is (not \u-escaped). The output is always valid JSON, a reader sees where the bad
// byte was, and nothing readable is lost. Control characters are \u-escaped as JSON requires.
// Never call nlohmann::json::dump() directly: its default throws type_error.316 on such bytes.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vcfagent {

// `value` serialised; indent < 0 gives one line, otherwise pretty-printed with that many spaces.
std::string DumpJson(const nlohmann::json& value, int indent = -1);

// Appends `text` as a quoted JSON string to `out` (for writers that stream JSON by hand).
void AppendJsonString(std::string_view text, std::string* out);

// `text` with each invalid UTF-8 sequence replaced by U+FFFD, by the same rule.
std::string ValidUtf8(std::string_view text);

}  // namespace vcfagent
