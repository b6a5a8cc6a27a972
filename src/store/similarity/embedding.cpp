#include "store/similarity/embedding.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string_view>

namespace vcfagent::store {
namespace {

// Layout of the vector: [offset, offset + size) per feature group.
constexpr int kClassAt = 0, kClassDims = 6;
constexpr int kSizeAt = 6;           // signed log size change, log allele length
constexpr int kSubstAt = 8;          // 6 pyrimidine-centred classes
constexpr int kTsTvAt = 14;          // +transition / -transversion
constexpr int kCpgAt = 15, kGcAt = 16;
constexpr int kImpactAt = 17;        // MODIFIER, LOW, MODERATE, HIGH one-hot
constexpr int kConsequenceAt = 21, kConsequenceDims = 4;
constexpr int kGeneAt = 25, kGeneDims = 4;
constexpr int kPopAfAt = 29, kCohortAfAt = 31;  // presence, log AF
constexpr int kQualityAt = 33;       // log QUAL, FILTER, log mean DP, mean GQ
constexpr int kCarrierAt = 37, kCarrierDims = 8;
constexpr int kClinicalAt = 45;      // pathogenicity, assessed, uncertain(+)/conflicting(-)
static_assert(kClinicalAt + 3 == kFeatureDimension);

// Weights: the largest component is 1 so that every value fits int8 quantisation. A different
// class moves a variant by 2 (squared), more than any other single group, because class is the
// first thing a geneticist compares.
constexpr float kClassWeight = 1.0f;
constexpr float kSizeChangeWeight = 0.6f, kLengthWeight = 0.3f;
constexpr float kSubstWeight = 0.5f, kTsTvWeight = 0.35f;
constexpr float kCpgWeight = 0.3f, kGcWeight = 0.2f;
constexpr float kImpactWeight = 0.8f;
constexpr float kConsequenceWeight = 0.45f, kGeneWeight = 0.5f;
constexpr float kAfPresentWeight = 0.2f, kAfWeight = 0.5f;
constexpr float kQualWeight = 0.25f, kFilterWeight = 0.25f, kDpWeight = 0.2f, kGqWeight = 0.2f;
constexpr float kCarrierWeight = 0.3f;
constexpr float kPathogenicityWeight = 0.6f, kAssessedWeight = 0.3f, kUncertainWeight = 0.3f;

constexpr uint64_t kFnvOffset = 1469598103934665603ull, kFnvPrime = 1099511628211ull;

uint64_t Fnv1a(std::string_view text) {
  uint64_t h = kFnvOffset;
  for (unsigned char c : text) h = (h ^ c) * kFnvPrime;
  return h;
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A name becomes `dims` components spread uniformly over [-weight, weight] by its hash: equal
// names coincide; different names land at unrelated points (no graded similarity), and unlike
// +/- signs two names practically never coincide by chance.
void WriteHashedName(std::string_view name, int at, int dims, float weight, std::vector<float>& v) {
  if (name.empty()) return;
  const uint64_t h = SplitMix64(Fnv1a(name));
  for (int i = 0; i < dims; ++i) {
    const auto byte = static_cast<double>((h >> (8 * i)) & 0xff);
    v[at + i] = static_cast<float>((byte - 127.5) / 127.5) * weight;
  }
}

float Clamp1(double x) { return static_cast<float>(std::clamp(x, -1.0, 1.0)); }

char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

char Complement(char b) {
  switch (b) {
    case 'A': return 'T';
    case 'C': return 'G';
    case 'G': return 'C';
    case 'T': return 'A';
  }
  return 'N';
}

bool IsBase(char b) { return b == 'A' || b == 'C' || b == 'G' || b == 'T'; }

constexpr const char* kSubstClasses[6] = {"C>A", "C>G", "C>T", "T>A", "T>C", "T>G"};

int SubstIndex(const std::string& cls) {
  for (int i = 0; i < 6; ++i) {
    if (cls == kSubstClasses[i]) return i;
  }
  return -1;
}

bool IsTransition(const std::string& cls) { return cls == "C>T" || cls == "T>C"; }

// The length change in bases (alt - ref), 0 for symbolic alleles whose size the alleles do not say.
int64_t SizeChange(const VariantFeatures& f, VariantClass cls) {
  if (cls == VariantClass::kSymbolic) return 0;
  return static_cast<int64_t>(f.alt.size()) - static_cast<int64_t>(f.ref.size());
}

// A CpG site: the reference C of a C>T-like change is followed by G, or the G is preceded by C.
bool AtCpg(const VariantFeatures& f) {
  if (f.context.size() < 3 || f.ref.size() != 1) return false;
  const size_t mid = f.context.size() / 2;
  const char base = Upper(f.context[mid]);
  if (base == 'C') return Upper(f.context[mid + 1]) == 'G';
  if (base == 'G') return Upper(f.context[mid - 1]) == 'C';
  return false;
}

// GC fraction of the flanks (the variant's own base excluded), or nullopt without context.
std::optional<double> FlankGc(const VariantFeatures& f) {
  if (f.context.size() < 3) return std::nullopt;
  const size_t mid = f.context.size() / 2;
  int gc = 0, counted = 0;
  for (size_t i = 0; i < f.context.size(); ++i) {
    if (i == mid) continue;
    const char b = Upper(f.context[i]);
    if (!IsBase(b)) continue;
    ++counted;
    gc += (b == 'G' || b == 'C');
  }
  if (counted == 0) return std::nullopt;
  return static_cast<double>(gc) / counted;
}

// log10(AF) over [1e-6, 1] mapped to [-1, 1].
float LogAf(double af) {
  const double clamped = std::clamp(af, 1e-6, 1.0);
  return Clamp1((std::log10(clamped) + 6.0) / 3.0 - 1.0);
}

// 1-bit minhash per component: two carrier sets with Jaccard J agree in a component with
// probability J + (1 - J) / 2, so the expected squared distance falls linearly with J.
void WriteCarrierSketch(const std::vector<uint32_t>& carriers, std::vector<float>& v) {
  if (carriers.empty()) return;
  for (int k = 0; k < kCarrierDims; ++k) {
    const uint64_t seed = SplitMix64(0x5ca1ab1e00000000ull + static_cast<uint64_t>(k));
    uint64_t best = UINT64_MAX;
    uint32_t argmin = 0;
    for (uint32_t sample : carriers) {
      const uint64_t h = SplitMix64(seed ^ sample);
      if (h < best) {
        best = h;
        argmin = sample;
      }
    }
    // A second, independent hash of the chosen sample gives the bit (the minimum itself is biased).
    const bool bit = SplitMix64(seed * 31 + argmin + 1) & 1;
    v[kCarrierAt + k] = bit ? kCarrierWeight : -kCarrierWeight;
  }
}

double Pathogenicity(const std::string& significance) {
  if (significance == "pathogenic") return 1.0;
  if (significance == "likely-pathogenic") return 0.5;
  if (significance == "likely-benign") return -0.5;
  if (significance == "benign") return -1.0;
  return 0.0;
}

std::string FormatAf(double af) {
  char buffer[32];
  if (af >= 0.001 || af == 0) {
    std::snprintf(buffer, sizeof buffer, "%.3f", af);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1e", af);
  }
  return buffer;
}

bool SimilarAf(double a, double b) {
  const double la = std::log10(std::clamp(a, 1e-6, 1.0)), lb = std::log10(std::clamp(b, 1e-6, 1.0));
  return std::abs(la - lb) <= std::log10(2.0);  // within a factor of 2
}

std::string DescribeClass(const VariantFeatures& f, VariantClass cls) {
  std::string text(ToString(cls));
  const int64_t change = SizeChange(f, cls);
  if (cls == VariantClass::kInsertion || cls == VariantClass::kDeletion) {
    text += " (" + std::to_string(change < 0 ? -change : change) + " bp)";
  } else if (cls == VariantClass::kMnv) {
    text += " (" + std::to_string(f.ref.size()) + " bp)";
  } else if (cls == VariantClass::kSymbolic) {
    text += " " + f.alt;
  }
  return text;
}

}  // namespace

std::string SubstitutionClass(const std::string& ref, const std::string& alt) {
  if (ref.size() != 1 || alt.size() != 1) return "";
  char r = Upper(ref[0]), a = Upper(alt[0]);
  if (!IsBase(r) || !IsBase(a) || r == a) return "";
  if (r == 'A' || r == 'G') {  // report on the pyrimidine strand
    r = Complement(r);
    a = Complement(a);
  }
  return std::string{r, '>', a};
}

std::string NormalisedConsequence(const std::string& consequence) {
  std::string term = consequence.substr(0, consequence.find_first_of("&,|"));
  std::transform(term.begin(), term.end(), term.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  constexpr std::string_view kSuffix = "_variant";
  if (term.size() > kSuffix.size() && term.ends_with(kSuffix)) term.resize(term.size() - kSuffix.size());
  // VEP says "3_prime_UTR", bcftools csq "3_prime_utr": lower case makes them equal.
  return term;
}

std::vector<float> EmbedVariant(const VariantFeatures& f) {
  std::vector<float> v(kFeatureDimension, 0.0f);
  const VariantClass cls = ClassifyAllele(f.ref, f.alt);
  v[kClassAt + static_cast<int>(cls)] = kClassWeight;

  const int64_t change = SizeChange(f, cls);
  if (change != 0) {
    const double magnitude = std::log2(1.0 + static_cast<double>(change < 0 ? -change : change)) / 10.0;
    v[kSizeAt] = Clamp1((change < 0 ? -magnitude : magnitude)) * kSizeChangeWeight;
  }
  if (cls != VariantClass::kSymbolic) {
    const double length = static_cast<double>(std::max(f.ref.size(), f.alt.size()));
    v[kSizeAt + 1] = Clamp1(std::log2(length) / 10.0) * kLengthWeight;
  }

  const std::string subst = SubstitutionClass(f.ref, f.alt);
  if (const int index = SubstIndex(subst); index >= 0) {
    v[kSubstAt + index] = kSubstWeight;
    v[kTsTvAt] = IsTransition(subst) ? kTsTvWeight : -kTsTvWeight;
  }
  if (AtCpg(f)) v[kCpgAt] = kCpgWeight;
  if (const auto gc = FlankGc(f)) v[kGcAt] = Clamp1(*gc * 2.0 - 1.0) * kGcWeight;

  if (f.impact != Impact::kNone) v[kImpactAt + static_cast<int>(f.impact) - 1] = kImpactWeight;
  WriteHashedName(NormalisedConsequence(f.consequence), kConsequenceAt, kConsequenceDims,
                   kConsequenceWeight, v);
  WriteHashedName(f.gene, kGeneAt, kGeneDims, kGeneWeight, v);

  if (f.population_af) {
    v[kPopAfAt] = kAfPresentWeight;
    v[kPopAfAt + 1] = LogAf(*f.population_af) * kAfWeight;
  }
  if (f.cohort_af) {
    v[kCohortAfAt] = kAfPresentWeight;
    v[kCohortAfAt + 1] = LogAf(*f.cohort_af) * kAfWeight;
  }

  if (f.qual) v[kQualityAt] = Clamp1(std::log10(1.0 + std::max(0.0, *f.qual)) / 2.0 - 1.0) * kQualWeight;
  v[kQualityAt + 1] = f.filter_pass ? kFilterWeight : -kFilterWeight;
  if (f.mean_dp) v[kQualityAt + 2] = Clamp1(std::log2(1.0 + std::max(0.0, *f.mean_dp)) / 4.0 - 1.0) * kDpWeight;
  if (f.mean_gq) v[kQualityAt + 3] = Clamp1(*f.mean_gq / 49.5 - 1.0) * kGqWeight;

  WriteCarrierSketch(f.carrier_samples, v);

  if (!f.clinical_significance.empty()) {
    v[kClinicalAt] = static_cast<float>(Pathogenicity(f.clinical_significance)) * kPathogenicityWeight;
    v[kClinicalAt + 1] = kAssessedWeight;
    if (f.clinical_significance == "uncertain") v[kClinicalAt + 2] = kUncertainWeight;
    if (f.clinical_significance == "conflicting") v[kClinicalAt + 2] = -kUncertainWeight;
  }
  return v;
}

std::vector<std::string> ExplainCloseness(const VariantFeatures& a, const VariantFeatures& b) {
  std::vector<std::string> reasons;
  const VariantClass ca = ClassifyAllele(a.ref, a.alt), cb = ClassifyAllele(b.ref, b.alt);
  if (ca == cb) {
    const std::string sa = SubstitutionClass(a.ref, a.alt);
    if (!sa.empty() && sa == SubstitutionClass(b.ref, b.alt)) {
      reasons.push_back("same substitution " + sa + (IsTransition(sa) ? " (transition)" : " (transversion)"));
    } else {
      const std::string da = DescribeClass(a, ca), db = DescribeClass(b, cb);
      reasons.push_back(da == db ? "same class: " + da : "same class: " + std::string(ToString(ca)));
    }
  }
  if (!a.gene.empty() && a.gene == b.gene) reasons.push_back("same gene " + a.gene);
  const std::string qa = NormalisedConsequence(a.consequence);
  if (!qa.empty() && qa == NormalisedConsequence(b.consequence)) reasons.push_back("same consequence " + qa);
  if (a.impact != Impact::kNone && a.impact == b.impact) {
    reasons.push_back("both " + std::string(ToString(a.impact)) + " impact");
  }
  if (!a.clinical_significance.empty() && a.clinical_significance == b.clinical_significance) {
    reasons.push_back("both " + a.clinical_significance + " (clinical significance)");
  }
  if (!a.carrier_samples.empty() && !b.carrier_samples.empty()) {
    std::vector<uint32_t> shared;
    std::set_intersection(a.carrier_samples.begin(), a.carrier_samples.end(), b.carrier_samples.begin(),
                          b.carrier_samples.end(), std::back_inserter(shared));
    if (!shared.empty()) {
      const size_t total = a.carrier_samples.size() + b.carrier_samples.size() - shared.size();
      reasons.push_back("carried by " + std::to_string(shared.size()) + " of the same " +
                        std::to_string(total) + " samples");
    }
  }
  if (a.population_af && b.population_af && SimilarAf(*a.population_af, *b.population_af)) {
    reasons.push_back("similar AF " + FormatAf(*a.population_af) + " vs " + FormatAf(*b.population_af));
  }
  if (a.cohort_af && b.cohort_af && SimilarAf(*a.cohort_af, *b.cohort_af)) {
    reasons.push_back("similar cohort AF " + FormatAf(*a.cohort_af) + " vs " + FormatAf(*b.cohort_af));
  }
  if (AtCpg(a) && AtCpg(b)) reasons.push_back("both at CpG sites");
  if (!a.filter_pass && !b.filter_pass) reasons.push_back("both fail filters");
  return reasons;
}

}  // namespace vcfagent::store
