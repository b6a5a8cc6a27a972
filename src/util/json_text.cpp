#include "util/json_text.h"

#include <charconv>

#include "util/number_text.h"

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

void AppendString(std::string_view text, std::string* out) {
  if (PlainAscii(text)) {  // the common case, without building a json value
    out->push_back('"');
    out->append(text);
    out->push_back('"');
    return;
  }
  out->append(nlohmann::json(std::string(text))
                  .dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace));
}

template <typename Integer>
void AppendInteger(Integer value, std::string* out) {
  char text[24];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  out->append(text, end);
}

void Indent(int indent, int level, std::string* out) {
  if (indent < 0) return;
  out->push_back('\n');
  out->append(static_cast<size_t>(indent) * level, ' ');
}

// Numbers: each number_float is written as the shortest decimal that reads back as the same double
// (util/number_text.h), which nlohmann's own printer does not always do. A float (QUAL, a
// Type=Float value, a distance) goes into a json value through JsonFloat() so that it comes out as
// the float's own shortest decimal (0.167), not the widened double (0.16699999570846558).
//
// nlohmann::json's own layout (compact, or pretty with `indent` spaces), with two differences
// that are the point: strings follow the U+FFFD rule above and numbers are written by
// util/number_text.h (the shortest round-trip decimal; nlohmann's Grisu2 sometimes is not).
void Write(const nlohmann::json& value, int indent, int level, std::string* out) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::object: {
      const auto& object = value.get_ref<const nlohmann::json::object_t&>();
      if (object.empty()) {
        out->append("{}");
        return;
      }
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : object) {
        if (!first) out->push_back(',');
        first = false;
        Indent(indent, level + 1, out);
        AppendString(key, out);
        out->append(indent >= 0 ? ": " : ":");
        Write(item, indent, level + 1, out);
      }
      Indent(indent, level, out);
      out->push_back('}');
      return;
    }
    case Type::array: {
      const auto& array = value.get_ref<const nlohmann::json::array_t&>();
      if (array.empty()) {
        out->append("[]");
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const auto& item : array) {
        if (!first) out->push_back(',');
        first = false;
        Indent(indent, level + 1, out);
        Write(item, indent, level + 1, out);
      }
      Indent(indent, level, out);
      out->push_back(']');
      return;
    }
    case Type::string: AppendString(value.get_ref<const std::string&>(), out); return;
    case Type::boolean: out->append(value.get<bool>() ? "true" : "false"); return;
    case Type::number_integer: AppendInteger(value.get<int64_t>(), out); return;
    case Type::number_unsigned: AppendInteger(value.get<uint64_t>(), out); return;
    case Type::number_float: AppendJsonNumber(value.get<double>(), out); return;
    case Type::null: out->append("null"); return;
    default:  // binary and discarded values (never built by the project): as nlohmann writes them
      out->append(value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
  }
}

}  // namespace

std::string DumpJson(const nlohmann::json& value, int indent) {
  std::string out;
  Write(value, indent, 0, &out);
  return out;
}

void AppendJsonString(std::string_view text, std::string* out) { AppendString(text, out); }

std::string ValidUtf8(std::string_view text) {
  if (PlainAscii(text)) return std::string(text);
  const std::string quoted = DumpJson(nlohmann::json(std::string(text)));
  // Undo the JSON escaping of the quoted form: only '"', '\' and control characters are escaped.
  return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace vcfagent
