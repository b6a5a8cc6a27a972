// The FORMAT column and the sample columns: genotypes (allele indexes, ploidy, VCF 4.4 phasing
// prefix and PSL/PSO/PSQ), and every FORMAT value against its Number and Type. This is the hot
// path for files with many samples: no allocation per sample.
#include "fmt/format.h"
#include "vcf/validate/lexical.h"
#include "vcf/validate/line_checker.h"

namespace vcfagent::vcf::validate {

// The keys of a FORMAT column and what is known of each, kept while the column stays the same.
void LineChecker::UpdateFormatCache(std::string_view format) {
  if (format != cached_format_) {
    cached_format_.assign(format);
    format_keys_.clear();
    format_key_info_.clear();
    ForEachPiece(cached_format_, ':', [this](std::string_view k) {
      format_keys_.push_back(k);
      auto it = format_defs_.find(k);
      FormatKeyInfo info;
      info.declared = it != format_defs_.end();
      info.def = info.declared ? &it->second : ReservedFormat(minor_, k);
      info.probability = k == "GP" || (k == "CNP" && minor_ >= 3);
      format_key_info_.push_back(info);
    });
    format_has_gt_first_ = format_keys_[0] == "GT";
    psl_index_ = pso_index_ = psq_index_ = -1;
    for (size_t i = 0; i < format_keys_.size(); i++) {
      if (format_keys_[i] == "PSL") psl_index_ = static_cast<int>(i);
      if (format_keys_[i] == "PSO") pso_index_ = static_cast<int>(i);
      if (format_keys_[i] == "PSQ") psq_index_ = static_cast<int>(i);
    }
  }
}

bool LineChecker::CheckFormatColumn(int64_t n) {
  if (columns_.size() <= 9) return true;
  UpdateFormatCache(columns_[8]);
  for (size_t i = 1; i < format_keys_.size(); i++) {
    if (format_keys_[i] == "GT") {
      sink_.Error("format-gt-not-first", n, "FORMAT", "GT must be the first field in the FORMAT column", "Move GT to the front of FORMAT");
      return false;
    }
  }
  if (minor_ >= 3) {
    for (size_t i = 0; i < format_keys_.size(); i++) {
      for (size_t j = i + 1; j < format_keys_.size(); j++) {
        if (format_keys_[i] == format_keys_[j]) {
          sink_.Error("format-duplicate-key", n, "FORMAT", fmt::format("FORMAT must not have duplicate fields ({})", format_keys_[i]),
                      "List each FORMAT key once");
          return false;
        }
      }
    }
  }
  if (minor_ >= 4 && !CheckCopyNumberFormat(n)) return false;
  for (size_t i = 0; i < format_keys_.size(); i++) {
    if (!format_key_info_[i].declared && warned_formats_.size() < 10000 && warned_formats_.emplace(format_keys_[i]).second) {
      sink_.Warning("format-undeclared", n, fmt::format("FORMAT/{}", format_keys_[i]),
                    fmt::format("FORMAT '{}' is not listed in a valid meta-data FORMAT entry", format_keys_[i]),
                    fmt::format("Declare it with ##FORMAT=<ID={},Number=...,Type=...,Description=\"...\">", format_keys_[i]));
    }
  }
  return true;
}

// VCF 4.4 copy-number genotypes: CICN needs CN, and with CN every CNV/DEL/DUP allele has the same
// SVLEN (the copy number applies to one region).
bool LineChecker::CheckCopyNumberFormat(int64_t n) {
  bool has_cn = false, has_cicn = false;
  for (std::string_view k : format_keys_) {
    has_cn = has_cn || k == "CN";
    has_cicn = has_cicn || k == "CICN";
  }
  if (has_cicn && !has_cn) {
    sink_.Error("format-cicn-without-cn", n, "FORMAT/CICN", "Format field CICN must be used only with CN field",
                "Add CN to FORMAT or remove CICN");
    return false;
  }
  if (!has_cn) return true;
  std::string_view svlen;
  for (auto& [k, v] : info_entries_) {
    if (k == "SVLEN" && !v.empty()) svlen = v.substr(1);
  }
  if (svlen.empty()) return true;
  std::string_view first;
  bool have_first = false, same = true;
  size_t i = 0;
  ForEachPiece(svlen, ',', [&](std::string_view v) {
    if (i < alts_.size()) {
      std::string_view head = alts_[i].substr(0, 4);
      if (head == "<CNV" || head == "<DEL" || head == "<DUP") {
        if (!have_first) {
          first = v;
          have_first = true;
        } else if (v != first) {
          same = false;
        }
      }
    }
    i++;
  });
  if (!same) {
    sink_.Error("info-svlen-copy-number", n, "INFO/SVLEN", "INFO SVLEN must be same for all CNV, DEL, DUP alleles when FORMAT CN is present",
                "Give CNV/DEL/DUP alleles of one record the same SVLEN");
    return false;
  }
  return true;
}

bool LineChecker::CheckSamples(int64_t n) {
  // A BCF record's samples are judged from their decoded values, and as text only when that
  // cannot tell they pass (see DecodedRecord).
  if (decoded_ != nullptr && columns_.size() > 9) {
    if (columns_.size() - 9 == sample_count_ && DecodedSamplesPass()) return true;
    if (!FormatDecodedSamples()) {
      sink_.Error("unreadable-data", n, "file", "The BCF record cannot be formatted as VCF text",
                  "Check that the file is complete and not corrupt");
      return false;
    }
  }
  size_t samples = columns_.size() > 9 ? columns_.size() - 9 : 0;
  if (samples != sample_count_) {
    sink_.Error("sample-count", n, "samples",
                fmt::format("The number of samples must match those listed in the header line ({} found, {} expected)", samples, sample_count_),
                "Give one column per sample named in the #CHROM line");
    return false;
  }
  for (size_t i = 0; i < samples; i++) {
    if (!CheckSample(i, columns_[9 + i], n)) return false;
  }
  return true;
}

namespace {

// Phase of each allele of a VCF 4.4 genotype: allele k>0 takes the separator before it; the first
// takes the explicit prefix, or is phased only if every other allele is.
bool AllelePhased(std::string_view gt, size_t allele, bool has_prefix, char prefix) {
  size_t index = 0;
  bool all_phased = true;
  char before = '\0';
  for (char c : gt) {
    if (c == '/' || c == '|') {
      index++;
      if (c == '/') all_phased = false;
      if (index == allele) before = c;
    }
  }
  if (allele == 0) return has_prefix ? prefix == '|' : all_phased;
  return before == '|';
}

}  // namespace

// GT: allele indexes within 0..number of ALT alleles, or '.'; sets the ploidy.
bool LineChecker::CheckGenotype(size_t index, std::string_view value, int64_t n, size_t* ploidy, std::string_view* gt_out,
                                bool* gt_prefix, char* prefix) {
  std::string_view gt = value;
  if (minor_ >= 4 && !gt.empty() && (gt[0] == '/' || gt[0] == '|')) {
    *gt_prefix = true;
    *prefix = gt[0];
    gt.remove_prefix(1);
  }
  *gt_out = gt;
  size_t p = 1;
  const long n_alt = static_cast<long>(alts_.size());
  const char* rule = nullptr;
  const char* message = "";
  size_t start = 0;
  for (size_t i = 0; i <= gt.size() && rule == nullptr; i++) {
    if (i < gt.size() && gt[i] != '/' && gt[i] != '|') continue;
    if (i < gt.size()) p++;
    std::string_view allele = gt.substr(start, i - start);
    start = i + 1;
    // VCF 4.4 files may end a genotype with a phasing character (vcf-validator accepts "0/0|").
    if (allele.empty() && minor_ >= 4 && i == gt.size() && i > 0) {
      p--;
      continue;
    }
    if (allele.empty()) {
      rule = "gt-allele-empty", message = "Allele index must not be empty";
    } else if (!(allele.size() == 1 && allele[0] == '.')) {
      long v = 0;
      for (char c : allele) {
        if (!IsDigit(c)) {
          rule = "gt-allele-invalid", message = "Allele must be a non-negative integer number";
          break;
        }
        if (v <= n_alt) v = v * 10 + (c - '0');
      }
      if (rule == nullptr && v > n_alt) rule = "gt-allele-out-of-range", message = "Allele is greater than the maximum allowed";
    }
  }
  *ploidy = p;
  if (rule != nullptr) {
    sink_.Error(rule, n, fmt::format("sample #{}/GT", index + 1),
                fmt::format("Sample #{}: {} (GT={}, {} ALT allele(s))", index + 1, message, gt, n_alt),
                "GT allele indexes are 0 (REF) to the number of ALT alleles, or '.'");
    return false;
  }
  return true;
}

bool LineChecker::CheckSample(size_t index, std::string_view sample, int64_t n) {
  const size_t n_keys = format_keys_.size();
  size_t ploidy = 2;  // assumed without GT (VCF 4.3 section 1.6.2)
  std::string_view gt;
  bool gt_prefix = false;
  char prefix = '\0';
  std::string_view psl;
  auto syntax_error = [&] {
    sink_.Error("sample-invalid", n, fmt::format("sample #{}", index + 1), fmt::format("Sample #{} is not a valid string", index + 1),
                "Sample values are printable text without white space; use '.' for a missing value");
    return false;
  };
  // One pass over the sample: ':' ends a value, ',' counts its pieces.
  size_t key = 0, value_start = 0, commas = 0;
  for (size_t i = 0; i <= sample.size(); i++) {
    const char c = i < sample.size() ? sample[i] : ':';
    if (c == ',') {
      commas++;
      continue;
    }
    if (c != ':') {
      if (c < 0x21 || c > 0x7e) {
        // VCF 4.3 made the file UTF-8: non-ASCII text is allowed in values, as in INFO.
        const size_t length = minor_ >= 3 ? Utf8SequenceLength(sample, i) : 0;
        if (length == 0) return syntax_error();
        i += length - 1;
      }
      continue;
    }
    std::string_view value = sample.substr(value_start, i - value_start);
    const size_t count = commas + 1;
    value_start = i + 1;
    commas = 0;
    if (value.empty()) return syntax_error();
    if (key >= n_keys) {
      sink_.Error("sample-too-many-fields", n, fmt::format("sample #{}", index + 1),
                  fmt::format("Sample #{} has more fields than specified in the FORMAT column", index + 1),
                  "Give at most one value per FORMAT key");
      return false;
    }
    const FormatKeyInfo& info = format_key_info_[key];
    if (key == 0 && format_has_gt_first_ && !CheckGenotype(index, value, n, &ploidy, &gt, &gt_prefix, &prefix)) return false;
    if (info.def != nullptr) {
      const FieldDefinition& def = *info.def;
      long expected = 0;
      if (!CheckCardinality(def, count, value.size() == 1 && value[0] == '.', ploidy, &expected)) {
        sink_.Error("format-number-mismatch", n, fmt::format("sample #{}/{}", index + 1, format_keys_[key]),
                    fmt::format("Sample #{}, field {} does not match the {}specification Number={} (expected {} value(s), found {})",
                                index + 1, format_keys_[key], info.declared ? "meta " : "", def.number_text, expected, count),
                    def.number == NumberKind::kG ? "Number=G depends on the ploidy of GT and the number of ALT alleles"
                                                 : "Give as many values as the FORMAT Number says");
        return false;
      }
      if (def.type != ValueType::kString && def.type != ValueType::kAny) {
        const char* reason = "";
        bool type_ok = true, sign_ok = true;
        size_t piece_start = 0;
        for (size_t j = 0; j <= value.size() && type_ok; j++) {
          if (j < value.size() && value[j] != ',') continue;
          std::string_view v = value.substr(piece_start, j - piece_start);
          piece_start = j + 1;
          if (v.size() == 1 && v[0] == '.') continue;
          if (!CheckType(def.type, v, &reason)) type_ok = false;
          else if (!info.declared && def.type == ValueType::kInteger && v[0] == '-') sign_ok = false;
        }
        if (!type_ok) {
          sink_.Error("format-type-mismatch", n, fmt::format("sample #{}/{}", index + 1, format_keys_[key]),
                      fmt::format("Sample #{}, field {} does not match the {}specification Type={}{}", index + 1, format_keys_[key],
                                  info.declared ? "meta " : "", def.type_text, reason),
                      fmt::format("Write {} values as {}", format_keys_[key], def.type_text));
          return false;
        }
        if (!sign_ok) {
          sink_.Error("format-negative", n, fmt::format("sample #{}/{}", index + 1, format_keys_[key]),
                      fmt::format("Sample #{}, {} value must be a non-negative integer number", index + 1, format_keys_[key]),
                      "Use a non-negative integer");
          return false;
        }
      }
    }
    if (info.probability) {
      bool ok = true;
      ForEachPiece(value, ',', [&](std::string_view v) {
        long double x = 0;
        if (v != "." && ParseNumberFast(v, &x) && (x < 0 || x > 1)) ok = false;
      });
      if (!ok) {
        sink_.Error("format-probability-range", n, fmt::format("sample #{}/{}", index + 1, format_keys_[key]),
                    fmt::format("Sample #{}, {}={} value does not lie in the interval [0,1]", index + 1, format_keys_[key], value),
                    "Probabilities lie between 0 and 1");
        return false;
      }
    }
    if (static_cast<int>(key) == psl_index_) psl = value;
    key++;
  }

  // VCF 4.4 phase-set lists: an unphased allele has PSL '.', and PSO/PSQ are '.' where PSL is.
  if (minor_ >= 4 && format_has_gt_first_ && !psl.empty() && psl != ".") {
    size_t i = 0;
    bool ok = true;
    size_t bad_at = 0;
    ForEachPiece(psl, ',', [&](std::string_view v) {
      if (ok && v != "." && !AllelePhased(gt, i, gt_prefix, prefix)) {
        ok = false;
        bad_at = i + 1;
      }
      i++;
    });
    if (!ok) {
      sink_.Error("format-psl-unphased", n, fmt::format("sample #{}/PSL", index + 1),
                  fmt::format("Sample #{}, PSL={} value at {} to be '.' (the allele is unphased)", index + 1, psl, bad_at),
                  "Unphased alleles have PSL '.'");
      return false;
    }
  }
  if (minor_ >= 4 && psl_index_ >= 0 && (pso_index_ >= 0 || psq_index_ >= 0)) {
    for (int which : {pso_index_, psq_index_}) {
      if (which < 0) continue;
      // Fetch the PSO/PSQ value and compare position by position with PSL.
      std::string_view other;
      size_t k = 0, s = 0;
      while (s <= sample.size()) {
        size_t e = sample.find(':', s);
        if (e == std::string_view::npos) e = sample.size();
        if (static_cast<int>(k) == which) other = sample.substr(s, e - s);
        if (static_cast<int>(k) == psl_index_ && psl.empty()) psl = sample.substr(s, e - s);
        k++;
        s = e + 1;
      }
      if (other.empty() || psl.empty()) continue;
      size_t i = 0;
      bool ok = true;
      size_t bad_at = 0;
      ForEachPiece(other, ',', [&](std::string_view v) {
        size_t j = 0;
        std::string_view p;
        ForEachPiece(psl, ',', [&](std::string_view q) {
          if (j++ == i) p = q;
        });
        if (ok && p == "." && v != ".") {
          ok = false;
          bad_at = i + 1;
        }
        i++;
      });
      if (!ok) {
        std::string_view name = format_keys_[which];
        sink_.Error("format-phase-set-missing", n, fmt::format("sample #{}/{}", index + 1, name),
                    fmt::format("Sample #{}, {}={} value at {} to be '.' as corresponding PSL is missing", index + 1, name, other, bad_at),
                    "PSO and PSQ are '.' where PSL is '.'");
        return false;
      }
    }
  }
  return true;
}

}  // namespace vcfagent::vcf::validate
