// Data lines: the fixed columns (CHROM..INFO), INFO values against their Number and Type, sorting,
// contiguity and duplicate variants (VCF specification section 1.6).
#include <algorithm>
#include <set>
#include <string>

#include "fmt/format.h"
#include "vcf/validate/lexical.h"
#include "vcf/validate/line_checker.h"

namespace vcfagent::vcf::validate {

namespace {

bool IsChromBasic(std::string_view s, int minor) {
  if (s.empty() || s[0] == '#') return false;
  for (char c : s) {
    if (!IsContigChar(c, minor)) return false;
  }
  return true;
}

bool IsChromosome(std::string_view s, int minor) {
  if (s.size() > 2 && s.front() == '<' && s.back() == '>') return IsChromBasic(s.substr(1, s.size() - 2), minor);
  return IsChromBasic(s, minor);
}

bool IsAltId(std::string_view s) {
  if (s.empty() || !HasAlnum(s)) return false;
  for (char c : s) {
    if (!(IsAlnum(c) || (IsPunct(c) && c != ',' && c != '<' && c != '>'))) return false;
  }
  return true;
}

// chrom:pos inside a breakend's brackets.
bool IsMatePosition(std::string_view s, int minor) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view chrom = s.substr(0, colon);
  std::string_view pos = s.substr(colon + 1);
  if (!AllDigits(pos)) return false;
  if (chrom.size() > 2 && chrom.front() == '<' && chrom.back() == '>') chrom = chrom.substr(1, chrom.size() - 2);
  if (chrom.empty() || chrom[0] == '#') return false;
  for (char c : chrom) {
    if (!(IsAlnum(c) || (IsPunct(c) && c != '<' && c != '>' && c != '[' && c != ']' && c != '*' && c != '=' && c != ','))) return false;
  }
  return true;
}

bool IsBreakend(std::string_view a, int minor) {
  if (a.size() < 2) return false;
  char first = a.front();
  if (first == '[' || first == ']') {
    size_t close = a.find(first, 1);
    if (close == std::string_view::npos) return false;
    return IsMatePosition(a.substr(1, close - 1), minor) && AllBases(a.substr(close + 1));
  }
  char last = a.back();
  if (last == '[' || last == ']') {
    size_t open = a.find(last);
    if (open == std::string_view::npos || open == a.size() - 1) return false;
    return AllBases(a.substr(0, open)) && IsMatePosition(a.substr(open + 1, a.size() - open - 2), minor);
  }
  if (first == '.') return AllBases(a.substr(1));
  if (last == '.') return AllBases(a.substr(0, a.size() - 1));
  return false;
}

bool IsAltAllele(std::string_view a, int minor) {
  if (AllBases(a)) return true;
  if (a == "*") return true;
  if (a.size() >= 3 && a.front() == '<' && a.back() == '>') {
    std::string_view id = a.substr(1, a.size() - 2);
    return (id == "*" && minor >= 3) || IsAltId(id);
  }
  return IsBreakend(a, minor);
}

bool IsQuality(std::string_view q) {
  if (q == ".") return true;
  size_t i = 0;
  if (i < q.size() && (q[i] == '+' || q[i] == '-')) i++;
  std::string_view body = q.substr(i);
  if (body == "Inf") return true;
  if (q == "NaN") return true;
  size_t d = i;
  while (i < q.size() && IsDigit(q[i])) i++;
  if (i == d) return false;
  if (i < q.size() && q[i] == '.') {
    size_t f = ++i;
    while (i < q.size() && IsDigit(q[i])) i++;
    if (i == f) return false;
  }
  if (i < q.size() && (q[i] == 'e' || q[i] == 'E')) {
    i++;
    if (i < q.size() && (q[i] == '+' || q[i] == '-')) i++;
    size_t e = i;
    while (i < q.size() && IsDigit(q[i])) i++;
    if (i == e) return false;
  }
  return i == q.size();
}

bool IsInfoKey(std::string_view k) {
  if (k == "1000G") return true;
  if (k.empty() || !(IsAlpha(k[0]) || k[0] == '_')) return false;
  for (char c : k) {
    if (!(IsAlnum(c) || c == '_' || c == '.')) return false;
  }
  return true;
}

bool IsCigar(std::string_view s) {
  size_t i = 0;
  if (s.empty()) return false;
  while (i < s.size()) {
    size_t d = i;
    while (i < s.size() && IsDigit(s[i])) i++;
    if (i == d || i >= s.size()) return false;
    if (std::string_view("MIDNSHPX").find(s[i]) == std::string_view::npos) return false;
    i++;
  }
  return true;
}

// Comma-separated values; commas inside double quotes do not separate (vcf-validator reads
// EXPLAIN="a,b" as one value).
size_t ValueCount(std::string_view value, bool has_value) {
  if (!has_value) return 0;
  size_t count = 1;
  bool quoted = false;
  for (char c : value) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) count++;
  }
  return count;
}

std::string_view Piece(std::string_view s, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; i++) {
    start = s.find(',', start);
    if (start == std::string_view::npos) return {};
    start++;
  }
  size_t end = s.find(',', start);
  return s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

enum class AlleleType { kNoVariation, kStructural, kBreakend, kIndel, kSnv };

AlleleType TypeOf(std::string_view alt, std::string_view ref) {
  if (alt == "." || alt == "<*>") return AlleleType::kNoVariation;
  if (!alt.empty() && alt[0] == '<') return AlleleType::kStructural;
  if (CountChar(alt, '[') == 2 || CountChar(alt, ']') == 2) return AlleleType::kBreakend;
  if (alt.size() != ref.size()) return AlleleType::kIndel;
  return AlleleType::kSnv;
}

}  // namespace

void LineChecker::CheckRecord(std::string_view line, int64_t n) {
  records_++;
  columns_.clear();
  ForEachPiece(line, '\t', [this](std::string_view c) { columns_.push_back(c); });
  // A decoded BCF record's text ends at FORMAT: its sample columns stand in as placeholders.
  if (decoded_ != nullptr) columns_.resize(columns_.size() + decoded_->n_sample);
  if (!CheckRecordSyntax(n)) return;
  if (!CheckAlleles(n)) return;
  if (!CheckInfo(n)) return;
  if (!CheckFormatColumn(n)) return;
  if (!CheckSamples(n)) return;
  CheckOrderAndDuplicates(n);
  CheckRecordWarnings(n);
}

bool LineChecker::CheckRecordSyntax(int64_t n) {
  static constexpr const char* kNames[] = {"CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"};
  if (columns_.size() < 8) {
    sink_.Error("record-columns", n, kNames[columns_.size() - 1],
                fmt::format("The data line has {} tab-separated columns; at least 8 (CHROM to INFO) are required", columns_.size()),
                "Separate the columns with tabs (not spaces)");
    return false;
  }
  std::string_view chrom = columns_[0];
  if (!IsChromosome(chrom, minor_)) {
    sink_.Error("chrom-invalid", n, "CHROM", "Chromosome is not a string without whitespaces, optionally wrapped with angle brackets (<>)",
                "Use a contig name without white space, commas, or <>[]*= characters");
    return false;
  }
  if (!AllDigits(columns_[1])) {
    sink_.Error("pos-invalid", n, "POS", "Position is not a positive number", "POS must be a non-negative integer");
    return false;
  }
  pos_ = 0;
  for (char c : columns_[1]) pos_ = pos_ < (INT64_C(1) << 50) ? pos_ * 10 + (c - '0') : pos_;  // saturates, no overflow
  std::string_view id = columns_[2];
  bool id_ok = !id.empty();
  ForEachPiece(id, ';', [&](std::string_view piece) {
    if (piece.empty()) id_ok = false;
    for (char c : piece) {
      if (!IsPrint(c) || IsSpace(c)) id_ok = false;
    }
  });
  if (!id_ok) {
    sink_.Error("id-invalid", n, "ID", "ID is not a single dot or a list of strings without semicolons or whitespaces",
                "Separate several IDs with ';' and remove white space");
    return false;
  }
  if (!AllBases(columns_[3])) {
    sink_.Error("ref-invalid", n, "REF", "Reference is not a string of bases", "REF must contain only A, C, G, T, N");
    return false;
  }
  alts_.clear();
  bool alt_ok = true;
  if (columns_[4] == ".") {
    alts_.push_back(columns_[4]);
  } else {
    ForEachPiece(columns_[4], ',', [&](std::string_view a) {
      alts_.push_back(a);
      if (!IsAltAllele(a, minor_)) alt_ok = false;
    });
  }
  if (!alt_ok) {
    sink_.Error("alt-invalid", n, "ALT", "Alternate is not a single dot or a comma-separated list of bases",
                "ALT alleles are bases, '*', <ID> symbolic alleles or breakends, separated by commas");
    return false;
  }
  if (!IsQuality(columns_[5])) {
    sink_.Error("qual-invalid", n, "QUAL", "Quality is not a single dot or a positive number", "QUAL must be a number or '.'");
    return false;
  }
  bool filter_ok = !columns_[6].empty();
  if (columns_[6] != ".") {
    ForEachPiece(columns_[6], ';', [&](std::string_view f) {
      if (!HasAlnum(f)) filter_ok = false;
      for (char c : f) {
        if (!IsAlnum(c) && !IsPunct(c)) filter_ok = false;
      }
    });
  }
  if (!filter_ok) {
    sink_.Error("filter-invalid", n, "FILTER", "Filter is not a single dot or a semicolon-separated list of strings",
                "FILTER is PASS, '.', or filter names separated by ';'");
    return false;
  }
  info_entries_.clear();
  if (columns_[7] != ".") {
    bool key_ok = true, value_ok = true, value_not_utf8 = false, value_has_space = false;
    ForEachPiece(columns_[7], ';', [&](std::string_view entry) {
      size_t eq = entry.find('=');
      std::string_view key = entry.substr(0, eq);
      if (!IsInfoKey(key)) key_ok = false;
      std::string_view value;
      if (eq != std::string_view::npos) {
        value = entry.substr(eq + 1);
        if (value.empty()) value_ok = false;
        for (size_t i = 0; i < value.size(); ++i) {
          // VCF 4.1 and 4.2 (section 1.4.1, INFO): "no white-space, semi-colons, or equals-signs
          // permitted"; VCF 4.3 (1.6.1) lifted it: "Space characters are allowed in values".
          if (value[i] == ' ' && minor_ < 3) {
            value_ok = false;
            value_has_space = true;
            break;
          }
          if (IsPrint(value[i])) continue;
          // VCF 4.3 made the file UTF-8: non-ASCII text is allowed in values, as in FORMAT.
          const size_t length = minor_ >= 3 ? Utf8SequenceLength(value, i) : 0;
          if (length == 0) {
            value_ok = false;
            if (static_cast<unsigned char>(value[i]) >= 0x80) value_not_utf8 = true;
            break;
          }
          i += length - 1;
        }
      }
      info_entries_.push_back({key, eq == std::string_view::npos ? std::string_view() : entry.substr(eq)});
    });
    if (!key_ok) {
      sink_.Error("info-key-invalid", n, "INFO", "Info key is not a sequence of alphanumeric and/or punctuation characters",
                  "INFO keys start with a letter or '_' and contain letters, digits, '_' or '.'");
      return false;
    }
    if (!value_ok) {
      if (value_has_space) {
        sink_.Error("info-value-invalid", n, "INFO",
                    fmt::format("Info field value contains a space, which VCF 4.{} does not permit in INFO values "
                                "(VCF 4.3 and later allow spaces)",
                                minor_),
                    "Replace the spaces (e.g. by '_' or '%20'), or declare VCFv4.3 or later if the file follows it");
        return false;
      }
      if (value_not_utf8) {
        sink_.Error("info-value-invalid", n, "INFO",
                    minor_ >= 3 ? "Info field value contains bytes that are not UTF-8 (the encoding of VCF 4.3 and later)"
                                : "Info field value contains a byte that is not printable ASCII (VCF 4.1 and 4.2 define no other encoding)",
                    minor_ >= 3 ? "Convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)"
                                : "Use printable ASCII, or declare VCFv4.3 or later and write UTF-8");
        return false;
      }
      sink_.Error("info-value-invalid", n, "INFO", "Info field value is not a comma-separated list of valid strings (maybe it contains whitespaces?)",
                  "INFO values must be non-empty printable text without ';'");
      return false;
    }
  }
  if (columns_.size() == 9) {
    sink_.Error("record-columns", n, "FORMAT", "The data line has a FORMAT column but no sample columns",
                "Add the sample columns or remove FORMAT");
    return false;
  }
  if (columns_.size() > 9) {
    bool format_ok = true;
    ForEachPiece(columns_[8], ':', [&](std::string_view k) {
      if (minor_ >= 3) {
        if (k.empty() || !(IsAlpha(k[0]) || k[0] == '_')) format_ok = false;
        for (char c : k) {
          if (!(IsAlnum(c) || c == '_' || c == '.' || c == '%')) format_ok = false;
        }
      } else {
        // VCF 4.1/4.2: a letter, then letters and digits.
        if (k.empty() || !IsAlpha(k[0])) format_ok = false;
        for (char c : k) {
          if (!IsAlnum(c)) format_ok = false;
        }
      }
    });
    if (!format_ok) {
      sink_.Error("format-invalid", n, "FORMAT",
                  minor_ >= 4 ? "Format does not start with a letter/underscore followed by alphanumeric/underscore/dot characters"
                              : "Format is not a colon-separated list of alphanumeric strings",
                  "FORMAT keys start with a letter or '_' and are separated by ':'");
      return false;
    }
    // Sample values are checked character by character in CheckSample (one pass).
  }
  return true;
}

bool LineChecker::CheckAlleles(int64_t n) {
  std::string_view ref = columns_[3];
  // ID: no duplicates (4.3+).
  if (minor_ >= 3 && columns_[2] != "." && columns_[2].find(';') != std::string_view::npos) {
    std::string_view ids = columns_[2];
    bool dup = false;
    ForEachPiece(ids, ';', [&](std::string_view a) {
      size_t count = 0;
      ForEachPiece(ids, ';', [&](std::string_view b) { count += a == b; });
      if (count > 1) dup = true;
    });
    if (dup) {
      sink_.Error("id-duplicate", n, "ID", "ID must not have duplicate values", "List each ID once");
      return false;
    }
  }
  for (std::string_view alt : alts_) {
    AlleleType type = TypeOf(alt, ref);
    if (alt == "." && alts_.size() > 1) {
      sink_.Error("alt-dot-combined", n, "ALT", "The no-alternate alleles symbol (dot) can not be combined with others",
                  "Remove '.' from the ALT list");
      return false;
    }
    if (type == AlleleType::kSnv && alt == ref) {
      sink_.Error("alt-equals-ref", n, "ALT", "Reference and alternate alleles must not be the same",
                  "Remove the ALT allele that repeats REF");
      return false;
    }
    if (type == AlleleType::kStructural && alt.size() > 2 && alt.back() == '>') {
      std::string_view id = alt.substr(1, alt.size() - 2);
      size_t colon = id.find(':');
      if (colon != std::string_view::npos) {
        std::string_view top = id.substr(0, colon);
        static const std::set<std::string_view> kTypes = {"DEL", "INS", "DUP", "INV", "CNV", "BND"};
        if (!kTypes.count(top) || (minor_ >= 4 && top == "BND")) {
          sink_.Error("alt-symbolic-type", n, "ALT",
                      fmt::format("In ALT metadata IDs containing colon-separated type and subtypes, the top level type must be one of: {}",
                                  minor_ >= 4 ? "CNV, DEL, DUP, INS, INV" : "BND, CNV, DEL, DUP, INS, INV"),
                      "Start symbolic alleles with DEL, INS, DUP, INV or CNV");
          return false;
        }
      }
    }
  }
  if (columns_[5][0] == '-') {  // only a leading '-' can make QUAL negative
    long double q = 0;
    if (ParseStofPrefix(columns_[5], &q) && q < 0) {
      sink_.Error("qual-negative", n, "QUAL", "Quality is not equal or greater than zero", "QUAL must be >= 0 or '.'");
      return false;
    }
  }
  std::string_view filters = columns_[6];
  if (filters != ".") {
    bool zero = false, dup = false;
    ForEachPiece(filters, ';', [&](std::string_view f) {
      if (f == "0") zero = true;
      if (minor_ >= 3) {
        size_t count = 0;
        ForEachPiece(filters, ';', [&](std::string_view g) { count += f == g; });
        if (count > 1) dup = true;
      }
    });
    if (dup) {
      sink_.Error("filter-duplicate", n, "FILTER", "FILTER must not have duplicate filters", "List each filter once");
      return false;
    }
    if (zero) {
      sink_.Error("filter-zero", n, "FILTER", "FILTER string must not be 0 (reserved value)", "Rename the filter '0'");
      return false;
    }
  }
  return true;
}

bool LineChecker::CheckInfo(int64_t n) {
  if (info_entries_.empty()) return CheckEvidence(n);
  if (minor_ >= 3 && info_entries_.size() > 1) {
    for (size_t i = 0; i < info_entries_.size(); i++) {
      for (size_t j = i + 1; j < info_entries_.size(); j++) {
        if (info_entries_[i].first == info_entries_[j].first) {
          sink_.Error("info-duplicate-key", n, "INFO", fmt::format("INFO must not have duplicate keys ({})", info_entries_[i].first),
                      "Give each INFO key once");
          return false;
        }
      }
    }
  }
  auto find_info = [this](std::string_view key, std::string_view* value) {
    for (auto& [k, v] : info_entries_) {
      if (k == key) {
        if (value) *value = v.empty() ? v : v.substr(1);
        return true;
      }
    }
    return false;
  };
  if (minor_ >= 4) {
    bool svlen_checked = false, svclaim_checked = false, cnvtr_checked = false;
    for (std::string_view alt : alts_) {
      if (TypeOf(alt, columns_[3]) != AlleleType::kStructural) continue;
      if (!svlen_checked && !find_info("SVLEN", nullptr)) {
        sink_.Error("info-svlen-missing", n, "INFO/SVLEN", "INFO SVLEN must be present for symbolic structural variants",
                    "Add SVLEN for symbolic structural variant alleles");
        return false;
      }
      svlen_checked = true;
      bool deldup = alt.substr(0, 4) == "<DEL" || alt.substr(0, 4) == "<DUP";
      if (deldup && alt.size() > 4 && alt[4] != '>' && alt[4] != ':') deldup = false;
      if (!svclaim_checked && deldup) {
        if (!find_info("SVCLAIM", nullptr)) {
          sink_.Error("info-svclaim-missing", n, "INFO/SVCLAIM", "INFO SVCLAIM must be present for DEL/DUP",
                      "Add SVCLAIM for <DEL> and <DUP> alleles");
          return false;
        }
        svclaim_checked = true;
      }
      if (!cnvtr_checked && alt == "<CNV:TR>") {
        if (!find_info("RUS", nullptr) && !find_info("RUL", nullptr)) {
          sink_.Error("info-cnvtr-repeat", n, "INFO", "INFO RUS or RUL must be present for CNV:TR",
                      "Describe the tandem repeat with RUS or RUL");
          return false;
        }
        cnvtr_checked = true;
      }
    }
  }
  // Records of one file mostly repeat the same INFO keys in the same order: remember the
  // definitions by position instead of hashing every key of every record.
  if (info_key_cache_.size() < info_entries_.size()) info_key_cache_.resize(info_entries_.size());
  for (size_t i = 0; i < info_entries_.size(); i++) {
    auto& [key, raw] = info_entries_[i];
    InfoKeyInfo& cached = info_key_cache_[i];
    bool fresh = false;
    if (cached.key != key) {
      fresh = true;
      cached.key.assign(key);
      auto it = info_defs_.find(key);
      cached.declared = it != info_defs_.end() ? &it->second : nullptr;
      cached.reserved = cached.declared ? nullptr : ReservedInfo(minor_, key);
    }
    bool has_value = !raw.empty();
    std::string_view value = has_value ? raw.substr(1) : raw;
    if (!CheckInfoValues(key, value, has_value, cached, fresh, n)) return false;
  }
  return CheckEvidence(n);
}

bool LineChecker::CheckEvidence(int64_t n) {
  auto find_info = [this](std::string_view key) {
    for (auto& entry : info_entries_) {
      if (entry.first == key) return true;
    }
    return false;
  };
  if (options_.require_evidence) {
    bool evidence = find_info("AF") || (find_info("AC") && find_info("AN"));
    if (!evidence && columns_.size() > 9) {
      ForEachPiece(columns_[8], ':', [&](std::string_view k) { evidence = evidence || k == "GT"; });
    }
    if (!evidence) {
      sink_.Error("evidence-missing", n, "INFO",
                  "Requested evidence presence with --require-evidence: no genotypes (GT), allele frequencies (AF) or allele counts (AC and AN)",
                  "Provide GT in FORMAT and samples, AF in INFO, or AC and AN in INFO");
      return false;
    }
  }
  return true;
}

bool LineChecker::CheckInfoValues(std::string_view key, std::string_view value, bool has_value, const InfoKeyInfo& cached,
                                  bool fresh, int64_t n) {
  bool single_missing = has_value && value == ".";
  auto check_against = [&](const FieldDefinition& def, bool declared) {
    long expected = 0;
    size_t count = ValueCount(value, has_value);
    // Number=0 declares a field that carries no value (section 1.4.2 of every version). Flags keep
    // the legacy "0"/"1" (vcf-validator's suite holds DB=0 and DB=1 among its valid files; Type
    // checks them below); any other field with a value contradicts its own declaration.
    if (def.number == NumberKind::kFixed && def.count == 0 && has_value && !single_missing &&
        def.type != ValueType::kFlag) {
      sink_.Error("info-number-mismatch", n, fmt::format("INFO/{}", key),
                  fmt::format("INFO {} does not match the {}specification Number=0 (a field without values, found {} "
                              "value(s))",
                              key, declared ? "meta " : "", count),
                  fmt::format("Write {} alone, or declare the Number of values it carries", key));
      return false;
    }
    if (def.number != NumberKind::kG && !CheckCardinality(def, count, single_missing, 0, &expected)) {
      sink_.Error("info-number-mismatch", n, fmt::format("INFO/{}", key),
                  fmt::format("INFO {} does not match the {}specification Number={} (expected {} value(s), found {})", key,
                              declared ? "meta " : "", def.number_text, expected, count),
                  fmt::format("Give {} value(s) for {} or fix its ##INFO Number", expected, key));
      return false;
    }
    if (has_value) {
      const char* reason = "";
      bool ok = true;
      ForEachPiece(value, ',', [&](std::string_view v) {
        if (ok && v != "." && !CheckType(def.type, v, &reason)) ok = false;
      });
      if (!ok) {
        sink_.Error("info-type-mismatch", n, fmt::format("INFO/{}", key),
                    fmt::format("INFO {} does not match the {}specification Type={}{}", key, declared ? "meta " : "", def.type_text, reason),
                    fmt::format("Write {} values as {} or fix its ##INFO Type", key, def.type_text));
        return false;
      }
    }
    return true;
  };
  if (cached.declared != nullptr) {
    if (!check_against(*cached.declared, true)) return false;
  } else {
    const FieldDefinition* reserved = cached.reserved;
    if (reserved != nullptr) {
      if (!check_against(*reserved, false)) return false;
      if (reserved->type == ValueType::kInteger && has_value && key != "SVLEN" && key != "CIPOS" && key != "CIEND" &&
          key != "CILEN" && key != "CIRB" && !(key == "CICNADJ" && minor_ < 4)) {
        bool ok = true;
        ForEachPiece(value, ',', [&](std::string_view v) {
          long long x = 0;
          if (v != "." && (!ParseStoiWhole(v, &x) || x < 0)) ok = false;
        });
        if (!ok) {
          sink_.Error("info-negative", n, fmt::format("INFO/{}", key), fmt::format("INFO {} value must be a non-negative integer number", key),
                      "Use a non-negative integer");
          return false;
        }
      }
    }
    if (fresh && warned_info_.size() < 10000 && warned_info_.emplace(key).second) {
      sink_.Warning("info-undeclared", n, fmt::format("INFO/{}", key), fmt::format("INFO '{}' is not listed in a valid meta-data INFO entry", key),
                    fmt::format("Declare it with ##INFO=<ID={},Number=...,Type=...,Description=\"...\">", key));
    }
  }
  return CheckInfoStrict(key, value, n);
}

bool LineChecker::CheckInfoStrict(std::string_view key, std::string_view value, int64_t n) {
  auto fail = [&](std::string_view rule, std::string message, std::string_view suggestion) {
    sink_.Error(rule, n, fmt::format("INFO/{}", key), std::move(message), suggestion);
    return false;
  };
  if (key == "AA") {
    bool ok = !value.empty();
    for (char c : value) {
      if (!IsPrint(c) || c == ',' || c == ';' || c == '=') ok = false;
    }
    if (!ok) return fail("info-aa-invalid", "INFO AA value is not a single dot or a string of bases", "Give one ancestral allele");
  } else if (key == "AF") {
    bool ok = true;
    ForEachPiece(value, ',', [&](std::string_view v) {
      long double x = 0;
      if (v != "." && ParseNumberFast(v, &x) && (x < 0 || x > 1)) ok = false;
    });
    if (!ok) return fail("info-af-range", "INFO AF value does not lie in the interval [0,1]", "Allele frequencies lie between 0 and 1");
  } else if (key == "CIGAR") {
    bool ok = true;
    ForEachPiece(value, ',', [&](std::string_view v) { ok = ok && IsCigar(v); });
    if (!ok) return fail("info-cigar-invalid", "INFO CIGAR value is not an alphanumeric string compliant with the SAM specification", "Write CIGAR as e.g. 1M2I");
  } else if (key == "END") {
    for (auto& [k, v] : info_entries_) {
      if (k == "IMPRECISE" && v == "=0") {
        long long end = 0;
        std::string expected = std::to_string(pos_ + static_cast<int64_t>(columns_[3].size()) - 1);
        if (value != expected || !ParseStoiWhole(value, &end)) {
          return fail("info-end-mismatch", fmt::format("INFO END value must be equal to \"POS + length of REF - 1\" for a precise variant, expected {}", expected),
                      "Fix END");
        }
      }
    }
  } else if (key == "SVLEN" && minor_ < 4) {
    size_t count = CountChar(value, ',') + 1;
    if (value.empty() || count != alts_.size()) return true;
    for (size_t i = 0; i < alts_.size(); i++) {
      std::string_view v = Piece(value, i);
      std::string_view alt = alts_[i];
      if (AllBases(alt)) {
        std::string expected = std::to_string(static_cast<long>(alt.size()) - static_cast<long>(columns_[3].size()));
        if (v != expected) {
          return fail("info-svlen-mismatch", fmt::format("INFO SVLEN must be equal to \"length of ALT - length of REF\" for non-symbolic alternate alleles (expected {})", expected),
                      "Fix SVLEN");
        }
      } else if (v != ".") {
        std::string_view head = alt.substr(0, 4);
        long long x = 0;
        bool whole = ParseStoiWhole(v, &x);
        if ((head == "<INS" || head == "<DUP") && (!whole || x < 0)) {
          return fail("info-svlen-sign", "INFO SVLEN must be a positive integer for longer ALT alleles", "Use a positive SVLEN");
        }
        if (head == "<DEL" && (!whole || x > 0)) {
          return fail("info-svlen-sign", "INFO SVLEN must be a negative integer for shorter ALT alleles", "Use a negative SVLEN");
        }
      }
    }
  } else if (key == "SVTYPE") {
    static const std::set<std::string_view> kTypes = {"DEL", "INS", "DUP", "INV", "CNV", "BND"};
    if (!kTypes.count(value)) {
      return fail("info-svtype-invalid", "INFO SVTYPE must be one of: BND, CNV, DEL, DUP, INS, INV", "Use a standard SVTYPE");
    }
  } else if (minor_ >= 4) {
    return CheckInfoV44(key, value, n);
  }
  return true;
}

void LineChecker::CheckOrderAndDuplicates(int64_t n) {
  std::string_view chrom = columns_[0];
  // "<1>" names the same contig as "1" (vcf-validator keeps the name inside the brackets).
  if (chrom.size() > 2 && chrom.front() == '<' && chrom.back() == '>') chrom = chrom.substr(1, chrom.size() - 2);
  const int64_t pos = pos_;
  if (chrom != current_contig_) {
    if (finished_contigs_.count(chrom)) {
      sink_.Error("contig-not-contiguous", n, "CHROM", fmt::format("Variant is not contiguous to the rest of the contig {}", chrom),
                  "Sort the file (bcftools sort) so that each contig's records are together");
      return;
    }
    if (!current_contig_.empty()) finished_contigs_.insert(current_contig_);
    current_contig_.assign(chrom);
    previous_pos_ = 0;
    window_.clear();
  }
  if (pos < previous_pos_) {
    sink_.Error("pos-unsorted", n, "POS", fmt::format("Contig is not sorted by position: {} found after {}", pos, previous_pos_),
                "Sort the file by position (bcftools sort)");
    return;
  }
  previous_pos_ = pos;

  // Variants are compared after trimming the bases REF and ALT share (as vcf-validator's normaliser
  // does); a normalised variant never starts before its record, so older keys can be dropped.
  window_.erase(std::remove_if(window_.begin(), window_.end(), [pos](const VariantKey& k) { return k.pos < pos; }),
                window_.end());
  std::string_view ref = columns_[3];
  for (std::string_view alt : alts_) {
    bool symbolic = !alt.empty() && alt[0] == '<';
    int64_t npos = pos;
    std::string_view r = ref, a = alt;
    if (!symbolic && ref != alt) {
      size_t suffix = 0;
      while (suffix < r.size() && suffix < a.size() && r[r.size() - 1 - suffix] == a[a.size() - 1 - suffix]) suffix++;
      if (r.size() != a.size() && (suffix == r.size() || suffix == a.size())) {
        r = r.substr(0, r.size() - suffix);
        a = a.substr(0, a.size() - suffix);
      } else {
        r = r.substr(0, r.size() - suffix);
        a = a.substr(0, a.size() - suffix);
        size_t prefix = 0;
        while (prefix < r.size() && prefix < a.size() && r[prefix] == a[prefix]) prefix++;
        r.remove_prefix(prefix);
        a.remove_prefix(prefix);
        npos += static_cast<int64_t>(prefix);
      }
    }
    VariantKey* match = nullptr;
    for (auto& k : window_) {
      if (k.pos == npos && k.symbolic == symbolic && k.ref == r && k.alt == a) {
        match = &k;
        break;
      }
    }
    if (match != nullptr) {
      std::string message = fmt::format("Duplicated variant {}:{}:{}>{} found", chrom, npos, r, a);
      const char* rule = symbolic ? "duplicate-symbolic-variant" : "duplicate-variant";
      if (match->seen++ == 1) {
        sink_.Add(symbolic ? Severity::kWarning : Severity::kError, rule, match->line, "CHROM/POS/REF/ALT", message,
                  "Merge or remove the duplicated records");
      }
      sink_.Add(symbolic ? Severity::kWarning : Severity::kError, rule, n, "CHROM/POS/REF/ALT",
                message + fmt::format(" (also at line {})", match->line), "Merge or remove the duplicated records");
    } else if (window_.size() < 100000) {
      window_.push_back({npos, std::string(r), std::string(a), symbolic, n, 1});
    }
  }
}

void LineChecker::CheckRecordWarnings(int64_t n) {
  std::string_view chrom = columns_[0];
  if (chrom != last_warning_contig_ && (last_warning_contig_.assign(chrom), true) && !contig_ids_.count(chrom) &&
      warned_contigs_.size() < 10000 && warned_contigs_.emplace(chrom).second) {
    sink_.Warning("contig-undeclared", n, "CHROM", fmt::format("Chromosome/contig '{}' is not described in a 'contig' meta description", chrom),
                  fmt::format("Add ##contig=<ID={},length=...>", chrom));
  }
  if (columns_[1] == "0" || (columns_[1].find_first_not_of('0') == std::string_view::npos)) {
    sink_.Warning("pos-zero", n, "POS", "Position zero should only be used to reference a telomere", "Check the position");
  }
  if (columns_[2].find(',') != std::string_view::npos) {
    sink_.Warning("id-comma", n, "ID", "Comma found in the ID column; if used as separator, please replace it with semi-colon",
                  "Separate IDs with ';'");
  }
  if (columns_[6] != "." && columns_[6] != "PASS" && columns_[6] != last_warning_filter_) {
    last_warning_filter_.assign(columns_[6]);
    ForEachPiece(columns_[6], ';', [&](std::string_view f) {
      if (!filter_ids_.count(f) && warned_filters_.size() < 10000 && warned_filters_.emplace(f).second) {
        sink_.Warning("filter-undeclared", n, "FILTER", fmt::format("FILTER '{}' is not listed in a valid meta-data FILTER entry", f),
                      fmt::format("Declare it with ##FILTER=<ID={},Description=\"...\">", f));
      }
    });
  }
  std::string_view ref = columns_[3];
  bool first_base_warned = false;
  for (std::string_view alt : alts_) {
    if (!first_base_warned && AllBases(alt) && alt.size() != ref.size() && alt[0] != ref[0]) {
      first_base_warned = true;
      sink_.Warning("ref-alt-first-base", n, "REF/ALT", "Reference and alternate alleles do not share the first nucleotide",
                    "Indels should include the base before the event in REF and ALT");
    }
    if (alt.size() > 2 && alt[0] == '<' && alt != "<*>") {
      std::string_view id = alt.substr(1, alt.size() - 2);
      if (!alt_ids_.count(id) && warned_alts_.size() < 10000 && warned_alts_.emplace(id).second) {
        sink_.Warning("alt-undeclared", n, "ALT", fmt::format("Alternate '{}' is not listed in a valid meta-data ALT entry", alt),
                      fmt::format("Declare it with ##ALT=<ID={},Description=\"...\">", id));
      }
    }
  }
}

}  // namespace vcfagent::vcf::validate
