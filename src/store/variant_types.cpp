#include "store/variant_types.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace vcfagent::store {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsSymbolic(std::string_view alt) {
  return alt.empty() || alt.front() == '<' || alt.find_first_of("[]") != std::string_view::npos ||
         alt == "*" || alt == "." || alt.front() == '.' || alt.back() == '.';
}

}  // namespace

std::string_view ToString(VariantClass c) {
  switch (c) {
    case VariantClass::kSnv: return "snv";
    case VariantClass::kMnv: return "mnv";
    case VariantClass::kInsertion: return "insertion";
    case VariantClass::kDeletion: return "deletion";
    case VariantClass::kComplex: return "complex";
    case VariantClass::kSymbolic: return "symbolic";
  }
  return "symbolic";
}

std::string_view ToString(Impact i) {
  switch (i) {
    case Impact::kNone: return "none";
    case Impact::kModifier: return "MODIFIER";
    case Impact::kLow: return "LOW";
    case Impact::kModerate: return "MODERATE";
    case Impact::kHigh: return "HIGH";
  }
  return "none";
}

std::string_view ToString(Zygosity z) {
  switch (z) {
    case Zygosity::kHomRef: return "hom-ref";
    case Zygosity::kHet: return "het";
    case Zygosity::kHomAlt: return "hom-alt";
    case Zygosity::kMissing: return "missing";
  }
  return "missing";
}

std::optional<VariantClass> ParseVariantClass(std::string_view text) {
  for (int i = 0; i < kVariantClassCount; ++i) {
    const auto c = static_cast<VariantClass>(i);
    if (EqualsIgnoreCase(text, ToString(c))) return c;
  }
  if (EqualsIgnoreCase(text, "snp")) return VariantClass::kSnv;
  if (EqualsIgnoreCase(text, "ins")) return VariantClass::kInsertion;
  if (EqualsIgnoreCase(text, "del")) return VariantClass::kDeletion;
  return std::nullopt;
}

std::optional<Impact> ParseImpact(std::string_view text) {
  for (int i = 0; i < kImpactCount; ++i) {
    const auto v = static_cast<Impact>(i);
    if (EqualsIgnoreCase(text, ToString(v))) return v;
  }
  return std::nullopt;
}

std::optional<Zygosity> ParseZygosity(std::string_view text) {
  for (int i = 0; i <= 3; ++i) {
    const auto z = static_cast<Zygosity>(i);
    if (EqualsIgnoreCase(text, ToString(z))) return z;
  }
  if (EqualsIgnoreCase(text, "homref")) return Zygosity::kHomRef;
  if (EqualsIgnoreCase(text, "homalt") || EqualsIgnoreCase(text, "hom")) return Zygosity::kHomAlt;
  return std::nullopt;
}

VariantClass ClassifyAllele(std::string_view ref, std::string_view alt) {
  if (IsSymbolic(alt) || ref.empty()) return VariantClass::kSymbolic;
  if (ref.size() == alt.size()) return ref.size() == 1 ? VariantClass::kSnv : VariantClass::kMnv;
  // Trim the shared prefix and suffix (case-insensitively) to see what really changed.
  size_t prefix = 0;
  while (prefix < ref.size() && prefix < alt.size() &&
         std::toupper(static_cast<unsigned char>(ref[prefix])) ==
             std::toupper(static_cast<unsigned char>(alt[prefix]))) {
    ++prefix;
  }
  size_t suffix = 0;
  while (suffix < ref.size() - prefix && suffix < alt.size() - prefix &&
         std::toupper(static_cast<unsigned char>(ref[ref.size() - 1 - suffix])) ==
             std::toupper(static_cast<unsigned char>(alt[alt.size() - 1 - suffix]))) {
    ++suffix;
  }
  const size_t ref_left = ref.size() - prefix - suffix;
  const size_t alt_left = alt.size() - prefix - suffix;
  if (ref_left == 0) return VariantClass::kInsertion;
  if (alt_left == 0) return VariantClass::kDeletion;
  return VariantClass::kComplex;
}

}  // namespace vcfagent::store
