// Meta-information lines (##...) and the #CHROM header line (VCF specification sections 1.2-1.5).
#include <set>
#include <string>

#include "fmt/format.h"
#include "vcf/validate/lexical.h"
#include "vcf/validate/line_checker.h"

namespace vcfagent::vcf::validate {

namespace {

// A cursor over one meta line that recognises the pieces of the structured forms.
class MetaCursor {
 public:
  explicit MetaCursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Literal(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }
  // Characters while pred holds.
  template <typename Pred>
  std::string_view While(Pred pred) {
    size_t start = pos_;
    while (pos_ < s_.size() && pred(s_[pos_])) pos_++;
    return s_.substr(start, pos_ - start);
  }
  // The inside of "..." with backslash escapes; the cursor must be on the opening quote.
  bool Quoted(std::string_view* out) {
    if (!Literal("\"")) return false;
    size_t start = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size() && IsPrint(s_[pos_ + 1])) {
        pos_ += 2;
      } else if (c == '"') {
        if (out) *out = s_.substr(start, pos_ - start);
        pos_++;
        return true;
      } else if (IsPrint(c)) {
        pos_++;
      } else {
        return false;
      }
    }
    return false;
  }
  std::string_view Rest() const { return s_.substr(pos_); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool IsIdentifierChar(char c, int minor) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '-' || c == '+';
}

bool ReadIdentifier(MetaCursor& cur, int minor, std::string_view* out = nullptr) {
  std::string_view id = cur.While([minor](char c) { return IsIdentifierChar(c, minor); });
  if (out) *out = id;
  return HasAlnum(id);
}

bool IsUrl(std::string_view s) {
  // scheme "://" authority path ...: a letter, then characters other than :/?#, then "://".
  size_t sep = s.find("://");
  if (sep == std::string_view::npos || sep < 2) return false;
  if (!IsAlpha(s[0])) return false;
  for (size_t i = 1; i < sep; i++) {
    char c = s[i];
    if (c == ':' || c == '/' || c == '?' || c == '#') return false;
  }
  std::string_view rest = s.substr(sep + 3);
  if (rest.empty()) return false;
  if (IsAlpha(rest[0])) return true;
  // Otherwise the authority must be an IPv4 address (digit{1,3} . x3) followed by / ? # or the end.
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= rest.size() || rest[i] != '.') return false;
      i++;
    }
    size_t d = i;
    while (i < rest.size() && IsDigit(rest[i]) && i - d < 3) i++;
    if (i == d) return false;
  }
  return true;  // the path after the address may hold anything (a port, too)
}

// (',' identifier '="' description '"')* up to '>' and the end of the line.
bool QuotedExtras(MetaCursor& cur, int minor, std::string* problem) {
  while (cur.Literal(",")) {
    if (!ReadIdentifier(cur, minor)) {
      *problem = "id";
      return false;
    }
    if (!cur.Literal("=") || !cur.Quoted(nullptr)) {
      *problem = "description";
      return false;
    }
  }
  if (!cur.Literal(">") || !cur.AtEnd()) {
    *problem = "syntax";
    return false;
  }
  return true;
}

// (',' identifier '=' (quoted | unquoted value))* up to '>' and the end of the line.
bool AnyExtras(MetaCursor& cur, int minor, std::string_view* bad_key = nullptr) {
  while (cur.Literal(",")) {
    std::string_view key;
    if (!ReadIdentifier(cur, minor, &key)) return false;
    if (!cur.Literal("=")) return false;
    if (cur.Peek() == '"') {
      if (!cur.Quoted(nullptr)) return false;
    } else {
      std::string_view v = cur.While([](char c) { return IsPrint(c) && c != ',' && c != '>' && c != '"'; });
      if (v.empty()) return false;
    }
  }
  return cur.Literal(">") && cur.AtEnd();
}

}  // namespace

void LineChecker::CheckFileformat(std::string_view line, int64_t n) {
  static constexpr std::string_view kPrefix = "##fileformat=VCFv4.";
  if (line.size() == kPrefix.size() + 1 && line.substr(0, kPrefix.size()) == kPrefix &&
      line.back() >= '1' && line.back() <= '4') {
    minor_ = line.back() - '0';
    version_known_ = true;
    return;
  }
  sink_.Error("fileformat-invalid", n, "fileformat",
              "The fileformat declaration is not valid: the first line must be ##fileformat=VCFv4.1, "
              "VCFv4.2, VCFv4.3 or VCFv4.4",
              "Start the file with a line such as ##fileformat=VCFv4.2");
  // vcf-validator keeps reading the rest as a meta line when it is one.
  if (line.size() >= 2 && line.substr(0, 2) == "##" && line.substr(0, 13) != "##fileformat=") {
    CheckMetaLine(line, n);
  }
}

void LineChecker::CheckMetaLine(std::string_view line, int64_t n) {
  // Every meta line is "##KEY=VALUE" with printable ASCII only.
  for (char c : line) {
    if (!IsPrint(c)) {
      sink_.Error("meta-syntax", n, "meta", "Meta-information line contains a character that is not printable ASCII (a tab or a non-ASCII byte)",
                  "Remove tabs and non-ASCII characters from meta-information lines");
      return;
    }
  }
  size_t eq = line.find('=');
  if (eq == std::string_view::npos || eq == 2) {
    sink_.Error("meta-syntax", n, "meta", "Meta-information line is not ##KEY=VALUE",
                "Write meta-information lines as ##KEY=VALUE or ##KEY=<ID=...,...>");
    return;
  }
  std::string_view key = line.substr(2, eq - 2);
  std::string_view value = line.substr(eq + 1);
  MetaCursor cur(value);
  std::string problem;

  auto meta_error = [&](std::string_view rule, std::string message, std::string_view suggestion) {
    sink_.Error(rule, n, key, std::move(message), suggestion);
  };
  auto id_error = [&] {
    meta_error("meta-id-invalid", fmt::format("{} metadata ID contains a character different from alphanumeric, dot, underscore, dash and plus", key),
               "Use only letters, digits, '.', '_', '-' in IDs");
  };

  if (key == "INFO" || key == "FORMAT") {
    CheckInfoOrFormatMeta(value, n, key == "INFO");
    return;
  }
  if (key == "FILTER") {
    std::string_view id;
    if (!cur.Literal("<ID=")) return meta_error("meta-filter-invalid", "Error in FILTER metadata", "Write ##FILTER=<ID=name,Description=\"...\">");
    if (!ReadIdentifier(cur, minor_, &id)) return id_error();
    if (!QuotedExtras(cur, minor_, &problem)) {
      if (problem == "id") return id_error();
      return meta_error(problem == "description" ? "meta-description-invalid" : "meta-filter-invalid",
                        problem == "description" ? "Metadata description string is not valid" : "Error in FILTER metadata",
                        "Quote every FILTER attribute value: Description=\"...\"");
    }
    if (minor_ < 4 && value.find(",Description=") == std::string_view::npos) {
      return meta_error("meta-filter-invalid", "FILTER metadata does not contain a key called 'Description'", "Add Description=\"...\"");
    }
    filter_ids_.emplace(id);
    return;
  }
  if (key == "ALT") {
    std::string_view id;
    if (!cur.Literal("<ID=")) return meta_error("meta-alt-invalid", "Error in ALT metadata", "Write ##ALT=<ID=type,Description=\"...\">");
    id = cur.While([this](char c) {
      if (minor_ >= 3) return IsAlnum(c) || (IsPunct(c) && c != ',' && c != '<' && c != '>');
      return IsAlnum(c) || c == ':' || c == '_' || c == '.' || c == '-' || c == '+' || c == '*';
    });
    if (!HasAlnum(id)) {
      return meta_error("meta-alt-invalid", "ALT metadata ID is not prefixed by DEL/INS/DUP/INV/CNV/BND and suffixed by ':' and a text sequence",
                        "Use an ALT ID such as DEL, DUP:TANDEM or INS:ME:ALU");
    }
    if (!QuotedExtras(cur, minor_, &problem)) {
      if (problem == "id") return id_error();
      return meta_error(problem == "description" ? "meta-description-invalid" : "meta-alt-invalid",
                        problem == "description" ? "Metadata description string is not valid" : "Error in ALT metadata",
                        "Quote every ALT attribute value: Description=\"...\"");
    }
    size_t colon = id.find(':');
    if (colon != std::string_view::npos) {
      static const std::set<std::string_view> kTypes = {"DEL", "INS", "DUP", "INV", "CNV", "BND"};
      std::string_view top = id.substr(0, colon);
      // "*:DEL" (GATK's spanning deletion) is accepted by vcf-validator.
      if (top != "*" && (!kTypes.count(top) || (minor_ >= 4 && top == "BND"))) {
        return meta_error("meta-alt-type-invalid",
                          fmt::format("In ALT metadata IDs containing colon-separated type and subtypes, the top level type must be one of: {}",
                                      minor_ >= 4 ? "CNV, DEL, DUP, INS, INV" : "BND, CNV, DEL, DUP, INS, INV"),
                          "Start the ALT ID with DEL, INS, DUP, INV or CNV");
      }
    }
    if (minor_ < 4 && value.find(",Description=") == std::string_view::npos) {
      return meta_error("meta-alt-invalid", "ALT metadata does not contain a key called 'Description'", "Add Description=\"...\"");
    }
    alt_ids_.emplace(id);
    return;
  }
  if (key == "contig") {
    if (!cur.Literal("<ID=")) return meta_error("meta-contig-invalid", "Error in contig metadata", "Write ##contig=<ID=name,length=N>");
    std::string_view id = cur.While([this](char c) { return IsContigChar(c, minor_); });
    if (id.empty() || (minor_ >= 3 && id[0] == '#') || (minor_ < 3 && !HasAlnum(id))) return id_error();
    if (!AnyExtras(cur, minor_)) return meta_error("meta-contig-invalid", "Error in contig metadata", "Write ##contig=<ID=name,length=N>");
    contig_ids_.emplace(id);
    return;
  }
  if (key == "assembly") {
    if (!IsUrl(value)) return meta_error("meta-url-invalid", "Metadata URL is not valid", "Give a URL such as https://host/path");
    return;
  }
  if (key == "pedigreeDB") {
    if (!cur.Literal("<") || value.empty() || value.back() != '>' || !IsUrl(value.substr(1, value.size() - 2))) {
      return meta_error("meta-url-invalid", "Metadata URL is not valid", "Write ##pedigreeDB=<URL>");
    }
    return;
  }
  if (key == "META" && minor_ >= 3) {
    if (!cur.Literal("<ID=")) return meta_error("meta-meta-invalid", "Error in META metadata", "Write ##META=<ID=x,Number=.,Type=String,Values=[a, b]>");
    if (!ReadIdentifier(cur, minor_)) return id_error();
    if (!cur.Literal(",Number=")) return meta_error("meta-meta-invalid", "Error in META metadata", "");
    if (!cur.Literal(".")) return meta_error("meta-meta-invalid", "META metadata Number is not a dot", "Use Number=.");
    if (!cur.Literal(",Type=")) return meta_error("meta-meta-invalid", "Error in META metadata", "");
    if (!cur.Literal("String")) return meta_error("meta-meta-invalid", "META metadata Type is not String", "Use Type=String");
    if (!cur.Literal(",Values=[")) return meta_error("meta-meta-invalid", "META metadata Values is not a square-bracket delimited list of values", "");
    std::string_view rest = cur.Rest();
    if (rest.size() < 3 || rest.substr(rest.size() - 2) != "]>") {
      return meta_error("meta-meta-invalid", "META metadata Values is not a square-bracket delimited list of values", "");
    }
    std::string_view list = rest.substr(0, rest.size() - 2);
    bool ok = true;
    ForEachPiece(list, ',', [&](std::string_view v) {
      if (!v.empty() && v[0] == ' ') v.remove_prefix(1);
      if (v.empty()) ok = false;
      for (char c : v) {
        if (!IsPrint(c) || c == ',' || c == '<' || c == '>' || IsSpace(c)) ok = false;
      }
    });
    if (!ok) return meta_error("meta-meta-invalid", "META metadata Values is not a square-bracket delimited list of values", "");
    return;
  }
  if (key == "SAMPLE") {
    if (!cur.Literal("<ID=")) return meta_error("meta-sample-invalid", "Error in SAMPLE metadata", "Write ##SAMPLE=<ID=name,...>");
    if (!ReadIdentifier(cur, minor_)) return id_error();
    if (minor_ <= 2) {
      // VCF 4.1/4.2: ID, Genomes, Mixture and Description, in this order, the first two unquoted.
      auto unquoted = [&] { return !cur.While([](char c) { return IsPrint(c) && c != ',' && c != '>' && c != '"'; }).empty(); };
      if (!cur.Literal(",Genomes=") || !unquoted()) {
        return meta_error("meta-sample-invalid", "SAMPLE metadata Genomes is not a valid string (maybe it contains quotes?)", "Write ##SAMPLE=<ID=..,Genomes=..,Mixture=..,Description=\"..\">");
      }
      if (!cur.Literal(",Mixture=") || !unquoted()) {
        return meta_error("meta-sample-invalid", "SAMPLE metadata Mixture is not a valid string (maybe it contains quotes?)", "Write ##SAMPLE=<ID=..,Genomes=..,Mixture=..,Description=\"..\">");
      }
      if (!cur.Literal(",Description=") || !cur.Quoted(nullptr) || !cur.Literal(">") || !cur.AtEnd()) {
        return meta_error("meta-description-invalid", "Metadata description string is not valid", "Quote the Description");
      }
      return;
    }
    if (!AnyExtras(cur, minor_)) return meta_error("meta-sample-invalid", "Error in SAMPLE metadata", "Write ##SAMPLE=<ID=name,...>");
    return;
  }
  if (key == "PEDIGREE") {
    if (!cur.Literal("<")) return meta_error("meta-pedigree-invalid", "Error in PEDIGREE metadata", "");
    if (minor_ >= 3) {
      if (!cur.Literal("ID=")) return meta_error("meta-pedigree-invalid", "Error in PEDIGREE metadata", "");
      if (!ReadIdentifier(cur, minor_)) return id_error();
      if (cur.Literal(",Original=")) {
        if (!ReadIdentifier(cur, minor_)) return meta_error("meta-pedigree-invalid", "PEDIGREE metadata Original is not valid", "");
      } else if (cur.Literal(",Father=")) {
        if (!ReadIdentifier(cur, minor_) || !cur.Literal(",Mother=") || !ReadIdentifier(cur, minor_)) {
          return meta_error("meta-pedigree-invalid", "PEDIGREE metadata Father or Mother is not valid", "");
        }
      } else {
        bool any = false;
        while (cur.Literal(",")) {
          any = true;
          if (!cur.Literal("Name_") || cur.While(IsDigit).empty() || !cur.Literal("=") || !ReadIdentifier(cur, minor_)) {
            return meta_error("meta-pedigree-invalid", "PEDIGREE metadata sequence of Name_N is not valid", "");
          }
        }
        if (!any) return meta_error("meta-pedigree-invalid", "Error in PEDIGREE metadata", "");
      }
      if (!cur.Literal(">") || !cur.AtEnd()) return meta_error("meta-pedigree-invalid", "Error in PEDIGREE metadata", "");
      return;
    }
    // VCF 4.1/4.2: <key=value,...> pairs.
    bool first = true;
    do {
      if (!first && cur.Peek() == '>') break;
      first = false;
      if (!ReadIdentifier(cur, minor_) || !cur.Literal("=") || !ReadIdentifier(cur, minor_)) {
        return meta_error("meta-pedigree-invalid", "Error in PEDIGREE metadata", "");
      }
    } while (cur.Literal(","));
    if (!cur.Literal(">") || !cur.AtEnd()) return meta_error("meta-pedigree-invalid", "Error in PEDIGREE metadata", "");
    return;
  }
  if (key == "reference" && !value.empty()) has_reference_ = true;

  // Generic lines: ##key=<k=v,...>, ##key="...", ##key=<"...">, or free text not starting with < or ".
  bool key_ok = !key.empty();
  if (!key_ok) return meta_error("meta-syntax", "Error in meta-data section", "");
  if (value.empty()) return meta_error("meta-syntax", "Error in meta-data section: empty value", "Give the meta-information line a value");
  if (value[0] == '<') {
    MetaCursor c2(value.substr(1));
    if (c2.Peek() == '"') {
      if (c2.Quoted(nullptr) && c2.Literal(">") && c2.AtEnd()) return;
      return meta_error("meta-syntax", "Error in meta-data section", "");
    }
    // k=v pairs
    bool ok = true;
    do {
      if (!ReadIdentifier(c2, minor_) || !c2.Literal("=")) {
        ok = false;
        break;
      }
      if (c2.Peek() == '"') {
        if (!c2.Quoted(nullptr)) {
          ok = false;
          break;
        }
      } else if (c2.While([](char c) { return IsPrint(c) && c != ',' && c != '>' && c != '"'; }).empty()) {
        ok = false;
        break;
      }
    } while (c2.Literal(","));
    if (!ok || !c2.Literal(">") || !c2.AtEnd()) {
      return meta_error("meta-syntax", "Error in meta-data section", "Write structured meta lines as ##KEY=<key=value,...>");
    }
    return;
  }
  if (value[0] == '"') {
    MetaCursor c2(value);
    if (c2.Quoted(nullptr) && c2.AtEnd()) return;
    return meta_error("meta-syntax", "Error in meta-data section", "");
  }
}

void LineChecker::CheckInfoOrFormatMeta(std::string_view value, int64_t n, bool is_info) {
  const char* kind = is_info ? "INFO" : "FORMAT";
  std::string rule_base = is_info ? "meta-info" : "meta-format";
  MetaCursor cur(value);
  auto error = [&](std::string_view rule, std::string message, std::string_view suggestion = "") {
    sink_.Error(rule, n, kind, std::move(message), suggestion);
  };
  auto generic = [&] {
    error(rule_base + "-invalid", fmt::format("Error in {} metadata", kind),
          fmt::format("Write ##{}=<ID=id,Number=n,Type=type,Description=\"...\">", kind));
  };
  std::string_view id;
  if (!cur.Literal("<ID=")) return generic();
  if (!ReadIdentifier(cur, minor_, &id)) {
    return error("meta-id-invalid", fmt::format("Metadata ID contains a character different from alphanumeric, dot, underscore, dash and plus"),
                 "Use only letters, digits, '.', '_', '-' in IDs");
  }
  if (!cur.Literal(",Number=")) return generic();
  std::string_view number = cur.While([](char c) { return c != ','; });
  FieldDefinition def;
  bool number_ok = ParseNumber(number, &def);
  if (number_ok && def.number == NumberKind::kR && minor_ < 2) number_ok = false;
  if (number_ok && def.number == NumberKind::kP && (is_info || minor_ < 4)) number_ok = false;
  if (!number_ok) {
    return error(rule_base + "-number-invalid",
                 fmt::format("{} metadata Number is not a number, A, {}G{} or dot", kind, minor_ >= 2 ? "R, " : "",
                             (!is_info && minor_ >= 4) ? ", P" : ""),
                 "Use Number=<integer>, A, R, G or .");
  }
  if (!cur.Literal(",Type=")) return generic();
  std::string_view type = cur.While(IsAlpha);
  if (type.empty()) {
    return error(rule_base + "-type-invalid", fmt::format("{} metadata Type is not a Integer, Float, {}Character or String", kind, is_info ? "Flag, " : ""));
  }
  if (!cur.Literal(",Description=")) return generic();
  if (!cur.Quoted(nullptr)) return error("meta-description-invalid", "Metadata description string is not valid", "Quote the Description and escape inner quotes");
  std::string problem;
  if (!QuotedExtras(cur, minor_, &problem)) {
    if (problem == "id") {
      return error("meta-id-invalid", "Metadata ID contains a character different from alphanumeric, dot, underscore, dash", "");
    }
    if (problem == "description") return error("meta-description-invalid", "Metadata description string is not valid", "Quote extra attribute values");
    return generic();
  }
  if (!ParseType(type, &def.type) || (!is_info && def.type == ValueType::kFlag)) {
    return error(rule_base + "-type-invalid", fmt::format("{} metadata Type is not a Integer, Float, {}Character or String", kind, is_info ? "Flag, " : ""),
                 "Use Type=Integer, Float, Flag (INFO only), Character or String");
  }
  def.type_text.assign(type);
  // Reserved tags must keep the Number and Type the specification gives them.
  const FieldDefinition* reserved = is_info ? ReservedInfo(minor_, id) : ReservedFormat(minor_, id);
  if (reserved != nullptr) {
    if (reserved->number_text != "." && reserved->number_text != number) {
      error(is_info ? "info-reserved-number" : "format-reserved-number",
            fmt::format("{} {} metadata Number is not {}", kind, id, reserved->number_text),
            fmt::format("The specification reserves {} {} with Number={}", kind, id, reserved->number_text));
      return;
    }
    if (reserved->type != ValueType::kAny && reserved->type_text != type) {
      error(is_info ? "info-reserved-type" : "format-reserved-type",
            fmt::format("{} {} metadata Type is not {}", kind, id, reserved->type_text),
            fmt::format("The specification reserves {} {} with Type={}", kind, id, reserved->type_text));
      return;
    }
  }
  (is_info ? info_defs_ : format_defs_).insert_or_assign(std::string(id), std::move(def));
}

void LineChecker::CheckHeaderLine(std::string_view line, int64_t n) {
  static constexpr std::string_view kMandatory = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO";
  header_seen_ = true;
  section_ = Section::kBody;
  if (line.substr(0, kMandatory.size()) != kMandatory ||
      (line.size() > kMandatory.size() && line[kMandatory.size()] != '\t')) {
    sink_.Error("header-columns", n, "header",
                "The header line does not start with the mandatory columns: CHROM, POS, ID, REF, ALT, QUAL, FILTER and INFO",
                "Write the header as #CHROM<TAB>POS<TAB>ID<TAB>REF<TAB>ALT<TAB>QUAL<TAB>FILTER<TAB>INFO[<TAB>FORMAT<TAB>samples]");
    return;
  }
  std::string_view rest = line.substr(kMandatory.size());
  if (rest.empty()) return;
  rest.remove_prefix(1);
  if (rest.substr(0, 6) != "FORMAT" || (rest.size() > 6 && rest[6] != '\t') || rest.size() <= 7) {
    sink_.Error("header-columns", n, "header", "The header line must continue with FORMAT and at least one sample name after INFO",
                "Separate columns with single tabs; FORMAT needs sample columns after it");
    return;
  }
  rest.remove_prefix(7);
  StringSet names;
  size_t repeated = 0;
  std::string repeated_names;
  bool bad = false;
  ForEachPiece(rest, '\t', [&](std::string_view name) {
    sample_count_++;
    if (name.empty()) bad = true;
    for (char c : name) {
      if (!IsPrint(c)) bad = true;
    }
    if (!names.emplace(name).second) {
      if (repeated++ < 5) repeated_names += (repeated_names.empty() ? "" : ", ") + std::string(name);
    }
  });
  if (bad) {
    sink_.Error("header-sample-name", n, "header", "A sample name is empty or contains a character that is not printable ASCII",
                "Separate sample names with single tabs");
  }
  if (repeated > 0) {
    sink_.Error("header-duplicate-sample", n, "header",
                fmt::format("The header line has {} repeated sample names: {}", repeated, repeated_names),
                "Give every sample a unique name");
  }
}

void LineChecker::EndOfMeta(int64_t n) {
  if (meta_ended_) return;
  meta_ended_ = true;
  if (!has_reference_) {
    sink_.Warning("missing-reference", n, "reference", "A valid 'reference' entry is not listed in the meta section",
                  "Add ##reference=<file or URL> naming the reference genome");
  }
}

}  // namespace vcfagent::vcf::validate
