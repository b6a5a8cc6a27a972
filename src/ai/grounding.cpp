// GroundAnswer (agent.h): which variants and samples from tool results an answer cites, and which
// variant-like ids in it no tool result contained.
#include <cctype>
#include <map>
#include <regex>
#include <set>

#include "ai/agent.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

// chrom:pos:ref:alt, also with '-' separators or "ref>alt", preceded by a non-name character.
const std::regex& VariantPattern() {
  static const std::regex pattern(
      R"((^|[^A-Za-z0-9_.])([A-Za-z0-9_.]+)[:-]([0-9]+)[:-]([ACGTN]+)(?:[:-]|>)([ACGTN*]+|<[A-Za-z0-9:_]+>)(?![A-Za-z0-9_]))");
  return pattern;
}

const std::regex& RsidPattern() {
  static const std::regex pattern(R"((^|[^A-Za-z0-9_])(rs[0-9]+)(?![A-Za-z0-9_]))");
  return pattern;
}

// The same variant whether or not its chromosome carries a "chr" prefix.
std::string CanonicalVariant(const std::string& chrom, const std::string& rest) {
  std::string c = chrom;
  if (c.size() > 3 && (c.compare(0, 3, "chr") == 0 || c.compare(0, 3, "CHR") == 0)) c = c.substr(3);
  return c + ":" + rest;
}

struct Found {
  std::map<std::string, std::string> variants;  // canonical -> as written
  std::set<std::string> samples;
};

void ScanText(const std::string& text, Found& found) {
  for (std::sregex_iterator it(text.begin(), text.end(), VariantPattern()), end; it != end; ++it) {
    const auto& m = *it;
    const std::string rest = m[3].str() + ":" + m[4].str() + ":" + m[5].str();
    found.variants.emplace(CanonicalVariant(m[2].str(), rest), m[2].str() + ":" + rest);
  }
  for (std::sregex_iterator it(text.begin(), text.end(), RsidPattern()), end; it != end; ++it) {
    found.variants.emplace((*it)[2].str(), (*it)[2].str());
  }
}

bool IsSampleKey(const std::string& key) {
  return key == "sample" || key == "sample1" || key == "sample2" || key == "father" || key == "mother";
}

void Walk(const json& value, const std::string& key, Found& found) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (IsSampleKey(key) || key == "samples") {
      if (text.size() >= 2) found.samples.insert(text);
    } else if (text.size() < 400) {  // long strings (INFO, headers) are data, not identifiers
      ScanText(text, found);
    }
    return;
  }
  if (value.is_array()) {
    for (const auto& item : value) Walk(item, key, found);
    return;
  }
  if (!value.is_object()) return;
  if (value.contains("chrom") && value.contains("pos") && value.contains("ref") && value.contains("alt") &&
      value["chrom"].is_string() && value["pos"].is_number_integer() && value["ref"].is_string() &&
      value["alt"].is_string()) {
    const std::string rest = std::to_string(value["pos"].get<int64_t>()) + ":" + value["ref"].get<std::string>() +
                             ":" + value["alt"].get<std::string>();
    const std::string chrom = value["chrom"].get<std::string>();
    found.variants.emplace(CanonicalVariant(chrom, rest), chrom + ":" + rest);
  }
  for (const auto& [child_key, child] : value.items()) Walk(child, child_key, found);
}

bool CitesName(const std::string& answer, const std::string& name) {
  auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; };
  for (size_t at = answer.find(name); at != std::string::npos; at = answer.find(name, at + 1)) {
    const bool left = at == 0 || !is_name_char(answer[at - 1]);
    const size_t end = at + name.size();
    // A trailing '.' ends a sentence; it does not continue the name.
    const bool right = end == answer.size() || !is_name_char(answer[end]) ||
                       (answer[end] == '.' && (end + 1 == answer.size() || !is_name_char(answer[end + 1])));
    if (left && right) return true;
  }
  return false;
}

}  // namespace

Grounding GroundAnswer(const std::string& answer, const std::vector<ChatMessage>& messages) {
  Found in_results;
  for (const auto& message : messages) {
    if (message.role != Role::kTool || message.tool_error) continue;
    json doc = json::parse(message.text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) ScanText(message.text, in_results);
    else Walk(doc, "", in_results);
  }
  Found in_answer;
  ScanText(answer, in_answer);

  Grounding grounding;
  for (const auto& [canonical, written] : in_answer.variants) {
    auto it = in_results.variants.find(canonical);
    if (it != in_results.variants.end()) grounding.source_variants.push_back(it->second);
    else grounding.unverified.push_back(written);
  }
  for (const auto& sample : in_results.samples) {
    if (CitesName(answer, sample)) grounding.source_samples.push_back(sample);
  }
  return grounding;
}

}  // namespace vcfagent::ai
