// BCF records: the sample columns judged from htslib's decoded values instead of their text.
//
// Formatting every sample of a BCF record back to VCF text and checking that text costs several
// times the decoding itself. The sample rules only need, per sample and field, the number of
// values, whether the value is a single missing '.', each value's type and sign, the genotype's
// allele indexes and ploidy, and that the text is printable without separators; all of that can be
// read from the typed arrays. The judgement here is one-sided: it answers "passes" only when the
// text that vcf_format would write certainly passes every sample rule (sample_rules.cpp). Anything
// it does not model (strings with unusual bytes, Flag or Character fields, non-finite floats,
// phase-set lists, out-of-range alleles...) sends the record's samples to the text rules, so the
// findings are exactly those of the formatted text.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "vcf/validate/line_checker.h"

namespace vcfagent::vcf::validate {

namespace {

template <typename T>
struct IntCodes;
template <>
struct IntCodes<int8_t> {
  static constexpr int32_t kMissing = bcf_int8_missing, kEnd = bcf_int8_vector_end;
};
template <>
struct IntCodes<int16_t> {
  static constexpr int32_t kMissing = bcf_int16_missing, kEnd = bcf_int16_vector_end;
};
template <>
struct IntCodes<int32_t> {
  static constexpr int32_t kMissing = bcf_int32_missing, kEnd = bcf_int32_vector_end;
};

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

bool IsIntType(int type) { return type == BCF_BT_INT8 || type == BCF_BT_INT16 || type == BCF_BT_INT32; }

// Genotypes of every sample: each allele '.' or 0..n_alt, at least one allele (else the text is
// "."). Sets the ploidy (the number of alleles written).
template <typename T>
bool GenotypesPass(const bcf_fmt_t& f, size_t samples, long n_alt, std::vector<uint32_t>& ploidy) {
  for (size_t s = 0; s < samples; ++s) {
    const uint8_t* p = f.p + s * static_cast<size_t>(f.size);
    int i = 0;
    for (; i < f.n; ++i, p += sizeof(T)) {
      const int32_t v = Load<T>(p);
      if (v == IntCodes<T>::kEnd) break;
      // v >> 1: 0 is '.', k is allele k - 1; negative values (the missing code) print as numbers.
      if (v < 0 || (v >> 1) - 1 > n_alt) return false;
    }
    ploidy[s] = i == 0 ? 1 : static_cast<uint32_t>(i);
  }
  return true;
}

// The common shape, one integer per sample, in one branch-free pass: true when no sample is empty
// (vector end), negative (when `no_negative`) or outside [0,1] (when `probability`).
template <typename T>
bool SingleIntsPass(const bcf_fmt_t& f, size_t samples, bool no_negative, bool probability) {
  bool end = false, negative = false, above_one = false;
  for (size_t s = 0; s < samples; ++s) {
    const int32_t v = Load<T>(f.p + s * sizeof(T));
    const bool value = v != IntCodes<T>::kMissing && v != IntCodes<T>::kEnd;
    end |= v == IntCodes<T>::kEnd;
    negative |= value & (v < 0);
    above_one |= value & (v > 1);
  }
  return !end && !(no_negative && negative) && !(probability && (negative || above_one));
}

// Genotypes whose every sample has all f.n alleles (no vector end), each '.' or 0..n_alt, in one
// branch-free pass; false when any sample needs the per-sample look (shorter ploidy, bad alleles).
template <typename T>
bool FullPloidyGenotypesPass(const bcf_fmt_t& f, size_t samples, long n_alt) {
  const size_t total = samples * static_cast<size_t>(f.n);
  const int32_t limit = static_cast<int32_t>(std::min<long>(n_alt + 1, INT32_MAX / 4));
  bool bad = false;
  for (size_t i = 0; i < total; ++i) {
    const int32_t v = Load<T>(f.p + i * sizeof(T));
    bad |= (v < 0) | ((v >> 1) > limit);
  }
  return !bad;
}

// What the sample rules need of one value list besides its Number.
struct NumericCheck {
  bool integer_only;  // the declared type is Integer: floats fail
  bool no_negative;   // undeclared Integer: negative values fail
  bool probability;   // values lie in [0,1]
};

// `fits(sample, count, single_missing)` says whether a sample's value count agrees with Number.
template <typename T, typename Fits>
bool IntValuesPass(const bcf_fmt_t& f, size_t samples, const NumericCheck& check, const Fits& fits) {
  for (size_t s = 0; s < samples; ++s) {
    const uint8_t* p = f.p + s * static_cast<size_t>(f.size);
    int i = 0;
    bool first_missing = false;
    for (; i < f.n; ++i, p += sizeof(T)) {
      const int32_t v = Load<T>(p);
      if (v == IntCodes<T>::kEnd) break;
      if (v == IntCodes<T>::kMissing) {
        if (i == 0) first_missing = true;
        continue;
      }
      if (check.no_negative && v < 0) return false;
      if (check.probability && (v < 0 || v > 1)) return false;
    }
    if (i == 0) return false;  // nothing written: an empty value
    if (!fits(s, static_cast<size_t>(i), i == 1 && first_missing)) return false;
  }
  return true;
}

template <typename Fits>
bool FloatValuesPass(const bcf_fmt_t& f, size_t samples, const NumericCheck& check, const Fits& fits) {
  if (check.integer_only) return false;
  for (size_t s = 0; s < samples; ++s) {
    const uint8_t* p = f.p + s * static_cast<size_t>(f.size);
    int i = 0;
    bool first_missing = false;
    for (; i < f.n; ++i, p += sizeof(float)) {
      const uint32_t bits = Load<uint32_t>(p);
      if (bits == bcf_float_vector_end) break;
      if (bits == bcf_float_missing) {
        if (i == 0) first_missing = true;
        continue;
      }
      const float x = Load<float>(p);
      if (!std::isfinite(x)) return false;  // "inf"/"nan" text: leave it to the text rules
      if (check.probability && (x < 0 || x > 1)) return false;
    }
    if (i == 0) return false;
    if (!fits(s, static_cast<size_t>(i), i == 1 && first_missing)) return false;
  }
  return true;
}

// Character data, written byte by byte up to the first NUL (0x07 as '.'): printable ASCII other
// than ':' only (anything else, UTF-8 included, goes to the text rules).
template <typename Fits>
bool CharValuesPass(const bcf_fmt_t& f, size_t samples, const Fits& fits) {
  for (size_t s = 0; s < samples; ++s) {
    const auto* p = reinterpret_cast<const unsigned char*>(f.p + s * static_cast<size_t>(f.size));
    int i = 0;
    size_t commas = 0;
    for (; i < f.n && p[i] != 0; ++i) {
      const unsigned char c = p[i] == bcf_str_missing ? '.' : p[i];
      if (c < 0x21 || c > 0x7e || c == ':') return false;
      if (c == ',') ++commas;
    }
    if (i == 0) return false;
    if (!fits(s, commas + 1, i == 1 && (p[0] == '.' || p[0] == bcf_str_missing))) return false;
  }
  return true;
}

}  // namespace

LineChecker::~LineChecker() { free(decoded_text_.s); }

bool LineChecker::DecodedRecord(std::string_view site, const bcf_hdr_t* header, bcf1_t* rec, int64_t number) {
  if (section_ != Section::kBody || first_blank_line_ != 0 || rec->n_sample == 0) return false;
  bcf_unpack(rec, BCF_UN_ALL);
  // Only types vcf_format writes without error, and no byte that would end the line early.
  const size_t samples = rec->n_sample;
  for (int i = 0; i < rec->n_fmt; ++i) {
    const bcf_fmt_t& f = rec->d.fmt[i];
    if (f.p == nullptr) continue;
    if (!IsIntType(f.type) && f.type != BCF_BT_FLOAT && f.type != BCF_BT_CHAR) return false;
    // vcf_format refuses a genotype that is not integers: the caller reports that record as before.
    if (!IsIntType(f.type) && f.id >= 0 && f.id < header->n[BCF_DT_ID] && header->id[BCF_DT_ID][f.id].key != nullptr &&
        std::strcmp(header->id[BCF_DT_ID][f.id].key, "GT") == 0) {
      return false;
    }
    if (f.type == BCF_BT_CHAR &&
        std::memchr(f.p, '\n', samples * static_cast<size_t>(f.size)) != nullptr) {
      return false;
    }
  }
  decoded_ = rec;
  decoded_header_ = header;
  CheckRecord(site, number);
  decoded_ = nullptr;
  decoded_header_ = nullptr;
  return true;
}

bool LineChecker::DecodedSamplesPass() {
  const bcf1_t* rec = decoded_;
  decoded_fields_.clear();
  for (int i = 0; i < rec->n_fmt; ++i) {
    if (rec->d.fmt[i].p != nullptr) decoded_fields_.push_back(&rec->d.fmt[i]);
  }
  if (decoded_fields_.size() != format_keys_.size()) return false;
  // VCF 4.4 phase-set lists compare the text of several fields: the text rules judge them.
  if (minor_ >= 4 && psl_index_ >= 0) return false;
  decoded_ploidy_.assign(rec->n_sample, 2);  // assumed without GT (VCF 4.3 section 1.6.2)
  for (size_t k = 0; k < decoded_fields_.size(); ++k) {
    const FormatKeyInfo& info = format_key_info_[k];
    if (k == 0 && format_has_gt_first_) {
      if (!DecodedGenotypesPass(*decoded_fields_[k], info)) return false;
    } else if (!DecodedValuesPass(*decoded_fields_[k], info)) {
      return false;
    }
  }
  return true;
}

bool LineChecker::DecodedGenotypesPass(const bcf_fmt_t& f, const FormatKeyInfo& info) {
  const size_t samples = decoded_->n_sample;
  const long n_alt = static_cast<long>(alts_.size());
  bool ok = false;
  bool full = false;
  if (f.size == f.n * static_cast<int>(f.type == BCF_BT_INT8 ? 1 : f.type == BCF_BT_INT16 ? 2 : 4)) {
    switch (f.type) {
      case BCF_BT_INT8: full = FullPloidyGenotypesPass<int8_t>(f, samples, n_alt); break;
      case BCF_BT_INT16: full = FullPloidyGenotypesPass<int16_t>(f, samples, n_alt); break;
      case BCF_BT_INT32: full = FullPloidyGenotypesPass<int32_t>(f, samples, n_alt); break;
      default: break;
    }
  }
  if (full) {
    decoded_ploidy_.assign(samples, static_cast<uint32_t>(std::max(f.n, 1)));
    ok = f.n > 0;
  } else switch (f.type) {
    case BCF_BT_INT8: ok = GenotypesPass<int8_t>(f, samples, n_alt, decoded_ploidy_); break;
    case BCF_BT_INT16: ok = GenotypesPass<int16_t>(f, samples, n_alt, decoded_ploidy_); break;
    case BCF_BT_INT32: ok = GenotypesPass<int32_t>(f, samples, n_alt, decoded_ploidy_); break;
    default: return false;
  }
  if (!ok) return false;
  if (info.def == nullptr) return true;
  // A genotype is one value (no commas), the single missing value when it is ".".
  const FieldDefinition& def = *info.def;
  if (def.type != ValueType::kString && def.type != ValueType::kAny) return false;
  if (info.probability) return false;
  if (def.number == NumberKind::kUnbounded || (def.number == NumberKind::kFixed && def.count == 1)) return true;
  return false;
}

bool LineChecker::DecodedValuesPass(const bcf_fmt_t& f, const FormatKeyInfo& info) {
  const size_t samples = decoded_->n_sample;
  const FieldDefinition* def = info.def;
  if (f.n <= 0) return false;
  NumericCheck check{false, false, info.probability};
  if (def != nullptr) {
    switch (def->type) {
      case ValueType::kInteger:
        check.integer_only = true;
        check.no_negative = !info.declared;
        break;
      case ValueType::kFloat:
      case ValueType::kString:
      case ValueType::kAny:
        break;
      case ValueType::kFlag:
      case ValueType::kCharacter:
        return false;
    }
  }
  // Number: the expected count is the same for every sample unless it depends on the ploidy (G,
  // P); those are worked out once per ploidy met.
  const bool per_ploidy = def != nullptr && (def->number == NumberKind::kG || def->number == NumberKind::kP);
  long fixed_expected = -1;
  if (def != nullptr && !per_ploidy) CheckCardinality(*def, 0, true, 2, &fixed_expected);
  long by_ploidy[8];
  for (long& e : by_ploidy) e = -2;  // not yet known
  auto fits = [&](size_t s, size_t count, bool single_missing) {
    if (def == nullptr || single_missing) return true;
    long expected = fixed_expected;
    if (per_ploidy) {
      const uint32_t ploidy = decoded_ploidy_[s];
      if (ploidy < 8 && by_ploidy[ploidy] != -2) {
        expected = by_ploidy[ploidy];
      } else {
        CheckCardinality(*def, 0, true, ploidy, &expected);
        if (ploidy < 8) by_ploidy[ploidy] = expected;
      }
    }
    // As CheckCardinality: a positive Number is exact, 0 allows one value, '.' any.
    if (expected > 0) return count == static_cast<size_t>(expected);
    if (expected == 0) return count <= 1;
    return true;
  };
  // One integer per sample with a Number every single value fits: the branch-free pass.
  if (f.n == 1 && !per_ploidy && (def == nullptr || (fixed_expected >= -1 && fixed_expected <= 1))) {
    switch (f.type) {
      case BCF_BT_INT8: return SingleIntsPass<int8_t>(f, samples, check.no_negative, check.probability);
      case BCF_BT_INT16: return SingleIntsPass<int16_t>(f, samples, check.no_negative, check.probability);
      case BCF_BT_INT32: return SingleIntsPass<int32_t>(f, samples, check.no_negative, check.probability);
      default: break;
    }
  }
  switch (f.type) {
    case BCF_BT_INT8: return IntValuesPass<int8_t>(f, samples, check, fits);
    case BCF_BT_INT16: return IntValuesPass<int16_t>(f, samples, check, fits);
    case BCF_BT_INT32: return IntValuesPass<int32_t>(f, samples, check, fits);
    case BCF_BT_FLOAT: return FloatValuesPass(f, samples, check, fits);
    case BCF_BT_CHAR:
      if (check.probability) return false;
      if (def != nullptr && def->type != ValueType::kString && def->type != ValueType::kAny) return false;
      return CharValuesPass(f, samples, fits);
    default: return false;
  }
}

bool LineChecker::FormatDecodedSamples() {
  decoded_text_.l = 0;
  if (vcf_format(decoded_header_, decoded_, &decoded_text_) != 0) return false;
  std::string_view line(decoded_text_.s, decoded_text_.l);
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // as Line() does
  columns_.clear();
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      columns_.push_back(line.substr(start));
      break;
    }
    columns_.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  return true;
}

}  // namespace vcfagent::vcf::validate
