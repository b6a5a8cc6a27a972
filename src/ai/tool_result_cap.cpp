// CapJson (tools.h): a tool result shortened to a byte budget while staying valid JSON, with a
// note of what was cut so the model can narrow its query instead of trusting a partial list.
#include <fmt/format.h>

#include <algorithm>

#include "ai/tools.h"
#include "util/json_text.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

std::string Dump(const json& value) { return DumpJson(value); }

struct Cut {
  std::string path;
  std::string unit;  // "items" or "bytes"
  size_t kept = 0;
  size_t total = 0;
};

// Room kept for the "truncated" note itself.
size_t NoteBudget(size_t cuts) { return 400 + 120 * cuts; }

void CollectContainers(const json& value, const json::json_pointer& at, bool arrays,
                       std::vector<std::pair<json::json_pointer, size_t>>& out) {
  if (value.is_array()) {
    if (arrays && !value.empty()) out.emplace_back(at, Dump(value).size());
    for (size_t i = 0; i < value.size(); ++i) CollectContainers(value[i], at / i, arrays, out);
  } else if (value.is_object()) {
    for (const auto& [key, child] : value.items()) CollectContainers(child, at / key, arrays, out);
  } else if (!arrays && value.is_string() && value.get_ref<const std::string&>().size() > 64) {
    out.emplace_back(at, value.get_ref<const std::string&>().size());
  }
}

// The largest array (or, with arrays=false, the longest string) and its size, if any.
std::optional<json::json_pointer> Largest(const json& doc, bool arrays) {
  std::vector<std::pair<json::json_pointer, size_t>> found;
  CollectContainers(doc, json::json_pointer(), arrays, found);
  if (found.empty()) return std::nullopt;
  return std::max_element(found.begin(), found.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

void RecordCut(std::vector<Cut>& cuts, const std::string& path, const std::string& unit, size_t kept,
               size_t total) {
  for (auto& cut : cuts) {
    if (cut.path == path && cut.unit == unit) {
      cut.kept = kept;  // cut again: the first total is the true one
      return;
    }
  }
  cuts.push_back({path, unit, kept, total});
}

// Keeps the longest prefix of the array at `at` for which the document fits `budget` (at least one
// item is cut). Sizes are summed per item, so the document is serialised about twice, not once
// per candidate length.
void ShortenArray(json& doc, const json::json_pointer& at, size_t budget, std::vector<Cut>& cuts) {
  const json original = doc[at];
  doc[at] = json::array();
  size_t size = Dump(doc).size();
  size_t kept = 0;
  for (; kept + 1 < original.size(); ++kept) {
    const size_t item = Dump(original[kept]).size() + (kept > 0 ? 1 : 0);  // with its comma
    if (size + item > budget) break;
    size += item;
  }
  doc[at] = json(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(kept));
  RecordCut(cuts, at.to_string(), "items", kept, original.size());
}

void ShortenString(json& doc, const json::json_pointer& at, size_t over, std::vector<Cut>& cuts) {
  const std::string original = doc[at].get<std::string>();
  size_t keep = original.size() > over + 32 ? original.size() - over - 32 : 0;
  while (keep > 0 && (static_cast<unsigned char>(original[keep]) & 0xC0) == 0x80) --keep;  // whole characters
  doc[at] = original.substr(0, keep) + "...";
  RecordCut(cuts, at.to_string(), "bytes", keep, original.size());
}

std::string Note(size_t original_bytes, size_t max_bytes, const std::vector<Cut>& cuts) {
  std::string note = fmt::format("the result had {} bytes, more than the {} allowed;", original_bytes, max_bytes);
  for (const auto& cut : cuts) {
    note += fmt::format(" {} keeps the first {} of {} {};", cut.path.empty() ? "(root)" : cut.path, cut.kept,
                        cut.total, cut.unit);
  }
  return note + " ask for less (a narrower region, a filter, a lower limit) to see the rest";
}

}  // namespace

std::string CapJson(const nlohmann::json& result, size_t max_bytes, bool* truncated) {
  std::string text = Dump(result);
  *truncated = text.size() > max_bytes;
  if (!*truncated) return text;
  json doc = result.is_object() ? result : json{{"result", result}};
  std::vector<Cut> cuts;
  for (int round = 0; round < 64; ++round) {
    const size_t budget = max_bytes > NoteBudget(cuts.size() + 1) ? max_bytes - NoteBudget(cuts.size() + 1) : 0;
    const size_t size = Dump(doc).size();
    if (size <= budget) break;
    if (auto array = Largest(doc, true)) {
      ShortenArray(doc, *array, budget, cuts);
    } else if (auto string = Largest(doc, false)) {
      ShortenString(doc, *string, size - budget, cuts);
    } else {
      break;
    }
  }
  doc["output_truncated"] = {{"note", Note(text.size(), max_bytes, cuts)}, {"cuts", json::array()}};
  for (const auto& cut : cuts) {
    doc["output_truncated"]["cuts"].push_back({{"path", cut.path}, {"kept", cut.kept}, {"total", cut.total}, {"unit", cut.unit}});
  }
  std::string capped = Dump(doc);
  if (capped.size() <= max_bytes) return capped;
  // Many small fields (a wide object) cannot be shortened this way: say so rather than cut JSON.
  return Dump(json{{"output_truncated",
                    {{"note", fmt::format("the result had {} bytes, more than the {} allowed, and could not be "
                                          "shortened; ask for less (a filter or a lower limit)",
                                          text.size(), max_bytes)}}}});
}

}  // namespace vcfagent::ai
