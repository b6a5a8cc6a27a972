#include "util/json_text.h"

namespace vcfagent {

namespace {

// True when `text` can be copied between quotes as it is: printable ASCII without '"' or '\'.
bool PlainAscii(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::string DumpJson(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

void AppendJsonString(std::string_view text, std::string* out) {
  if (PlainAscii(text)) {  // the common case, without building a json value
    out->push_back('"');
    out->append(text);
    out->push_back('"');
    return;
  }
  out->append(DumpJson(nlohmann::json(std::string(text))));
}

std::string ValidUtf8(std::string_view text) {
  if (PlainAscii(text)) return std::string(text);
  const std::string quoted = DumpJson(nlohmann::json(std::string(text)));
  // Undo the JSON escaping of the quoted form: only '"', '\' and control characters are escaped.
  return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace vcfagent
