#include "store/graph/relatedness.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>

#include "util/progress.h"

namespace vcfagent::store {
namespace {

std::string_view StripChr(std::string_view name) {
  if (name.size() > 3 && (name.substr(0, 3) == "chr" || name.substr(0, 3) == "CHR" ||
                          name.substr(0, 3) == "Chr")) {
    name.remove_prefix(3);
  }
  return name;
}

bool IsChrX(std::string_view name) {
  const std::string_view n = StripChr(name);
  return n == "X" || n == "x" || n == "23";
}

bool IsSexOrMito(std::string_view name) {
  const std::string_view n = StripChr(name);
  return IsChrX(name) || n == "Y" || n == "y" || n == "M" || n == "MT" || n == "m" || n == "24" ||
         n == "25" || n == "26" || n == "XY";
}

bool HasChromNames(const CohortGraph& graph) {
  for (uint32_t v = 0; v < graph.num_variants(); ++v) {
    if (!graph.chrom_name(graph.variant(v).chrom_id).empty()) return true;
  }
  return false;
}

// Per-sample genotype bitsets over a set of sites (variant -> site index), one bit per site.
struct GenotypeBits {
  size_t words = 0;
  std::vector<uint64_t> called, het, hom_alt, hom_ref;  // samples x words each

  uint64_t* Row(std::vector<uint64_t>& v, size_t i) { return v.data() + i * words; }
  const uint64_t* Row(const std::vector<uint64_t>& v, size_t i) const { return v.data() + i * words; }
};

GenotypeBits BuildBits(const CohortGraph& graph, const std::vector<int32_t>& site_of,
                       size_t n_sites, const std::vector<uint32_t>& samples) {
  GenotypeBits bits;
  bits.words = (n_sites + 63) / 64;
  const size_t total = samples.size() * bits.words;
  bits.called.assign(total, 0);
  bits.het.assign(total, 0);
  bits.hom_alt.assign(total, 0);
  bits.hom_ref.assign(total, 0);
  // The sites each group genotyped, then each sample's union over its groups.
  std::vector<std::vector<uint64_t>> group_sites(graph.num_groups(),
                                                 std::vector<uint64_t>(bits.words, 0));
  for (uint32_t v = 0; v < graph.num_variants(); ++v) {
    const int32_t site = site_of[v];
    if (site >= 0) group_sites[graph.variant(v).group][site / 64] |= uint64_t{1} << (site % 64);
  }
  std::vector<int64_t> slot(graph.num_samples(), -1);
  for (size_t i = 0; i < samples.size(); ++i) slot[samples[i]] = static_cast<int64_t>(i);
  for (uint32_t g = 0; g < graph.num_groups(); ++g) {
    for (uint32_t s : graph.group_samples(g)) {
      if (slot[s] < 0) continue;
      uint64_t* c = bits.Row(bits.called, slot[s]);
      for (size_t w = 0; w < bits.words; ++w) c[w] |= group_sites[g][w];
    }
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto variants = graph.sample_call_variants(samples[i]);
    const auto zygosities = graph.sample_call_zygosities(samples[i]);
    uint64_t* c = bits.Row(bits.called, i);
    uint64_t* h = bits.Row(bits.het, i);
    uint64_t* a = bits.Row(bits.hom_alt, i);
    uint64_t* r = bits.Row(bits.hom_ref, i);
    for (size_t k = 0; k < variants.size(); ++k) {
      const int32_t site = site_of[variants[k]];
      if (site < 0) continue;
      const uint64_t bit = uint64_t{1} << (site % 64);
      switch (zygosities[k]) {
        case Zygosity::kMissing: c[site / 64] &= ~bit; break;
        case Zygosity::kHet: h[site / 64] |= bit; break;
        case Zygosity::kHomAlt: a[site / 64] |= bit; break;
        case Zygosity::kHomRef: break;
      }
    }
    for (size_t w = 0; w < bits.words; ++w) r[w] = c[w] & ~h[w] & ~a[w];
  }
  return bits;
}

}  // namespace

Relationship ClassifyRelationship(double kinship, double ibs0_fraction,
                                  const KinshipOptions& options) {
  if (std::isnan(kinship)) return Relationship::kUnknown;
  if (kinship > 0.354) return Relationship::kDuplicate;
  if (kinship > 0.177) {
    return ibs0_fraction < options.parent_child_max_ibs0 ? Relationship::kParentChild
                                                         : Relationship::kFullSibling;
  }
  if (kinship > 0.0884) return Relationship::kSecondDegree;
  if (kinship > 0.0442) return Relationship::kThirdDegree;
  return Relationship::kUnrelated;
}

Result<std::vector<KinshipEstimate>> ComputeKinship(const CohortGraph& graph,
                                                    const std::vector<uint32_t>& samples_in,
                                                    const KinshipOptions& options) {
  std::vector<uint32_t> samples = samples_in;
  if (samples.empty()) {
    samples.resize(graph.num_samples());
    for (uint32_t s = 0; s < samples.size(); ++s) samples[s] = s;
  }
  std::sort(samples.begin(), samples.end());
  samples.erase(std::unique(samples.begin(), samples.end()), samples.end());
  for (uint32_t s : samples) {
    if (s >= graph.num_samples()) {
      return Status::InvalidInput("kinship: no sample with index " + std::to_string(s));
    }
  }
  const bool named = HasChromNames(graph);
  std::vector<int32_t> site_of(graph.num_variants(), -1);
  size_t n_sites = 0;
  for (uint32_t v = 0; v < graph.num_variants(); ++v) {
    const GraphVariant& var = graph.variant(v);
    if (!var.biallelic_snv) continue;
    if (named && IsSexOrMito(graph.chrom_name(var.chrom_id))) continue;
    if (n_sites >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
      return Status::InvalidInput("kinship: more than 2^31 sites");
    }
    site_of[v] = static_cast<int32_t>(n_sites++);
  }
  const GenotypeBits bits = BuildBits(graph, site_of, n_sites, samples);

  std::vector<KinshipEstimate> out;
  const size_t words = bits.words;
  const uint64_t n_pairs = samples.size() * (samples.size() - (samples.empty() ? 0 : 1)) / 2;
  out.reserve(n_pairs);
  std::optional<ProgressMeter> progress;
  if (options.progress) progress.emplace("kinship", n_pairs);
  for (size_t i = 0; i < samples.size(); ++i) {
    if (CancelRequested()) return Status::Cancelled("kinship: cancelled");
    const uint64_t* ci = bits.Row(bits.called, i);
    const uint64_t* hi = bits.Row(bits.het, i);
    const uint64_t* ai = bits.Row(bits.hom_alt, i);
    const uint64_t* ri = bits.Row(bits.hom_ref, i);
    for (size_t j = i + 1; j < samples.size(); ++j) {
      const uint64_t* cj = bits.Row(bits.called, j);
      const uint64_t* hj = bits.Row(bits.het, j);
      const uint64_t* aj = bits.Row(bits.hom_alt, j);
      const uint64_t* rj = bits.Row(bits.hom_ref, j);
      int64_t n = 0, hethet = 0, ibs0 = 0, het1 = 0, het2 = 0;
      for (size_t w = 0; w < words; ++w) {
        n += std::popcount(ci[w] & cj[w]);
        hethet += std::popcount(hi[w] & hj[w]);
        ibs0 += std::popcount((ai[w] & rj[w]) | (ri[w] & aj[w]));
        het1 += std::popcount(hi[w] & cj[w]);
        het2 += std::popcount(hj[w] & ci[w]);
      }
      KinshipEstimate e;
      e.sample1 = samples[i];
      e.sample2 = samples[j];
      e.n_sites = n;
      e.hethet = hethet;
      e.ibs0 = ibs0;
      e.het1 = het1;
      e.het2 = het2;
      e.ibs0_fraction = n > 0 ? double(ibs0) / double(n) : std::numeric_limits<double>::quiet_NaN();
      const int64_t m = std::min(het1, het2);
      if (n < options.min_sites || m == 0 || m < options.min_het_sites) {
        e.kinship = std::numeric_limits<double>::quiet_NaN();
        e.relationship = Relationship::kUnknown;
      } else {
        e.kinship = double(hethet - 2 * ibs0) / (2.0 * m) + 0.5 - double(het1 + het2) / (4.0 * m);
        e.relationship = ClassifyRelationship(e.kinship, e.ibs0_fraction, options);
      }
      out.push_back(e);
      if (progress) progress->Update(out.size());
    }
  }
  if (progress) progress->Finish(out.size());
  return out;
}

std::vector<SampleRelation> RelatedPairs(const std::vector<KinshipEstimate>& estimates) {
  std::vector<SampleRelation> out;
  for (const KinshipEstimate& e : estimates) {
    if (e.relationship == Relationship::kUnknown || e.relationship == Relationship::kUnrelated) {
      continue;
    }
    out.push_back(SampleRelation{e.sample1, e.sample2, e.relationship, e.kinship});
  }
  return out;
}

bool InChrXPar(int64_t pos, GenomeBuild build) {
  if (build == GenomeBuild::kGrch37) {
    return (pos >= 60001 && pos <= 2699520) || (pos >= 154931044 && pos <= 155260560);
  }
  return (pos >= 10001 && pos <= 2781479) || (pos >= 155701383 && pos <= 156030895);
}

Result<SexReport> InferSex(const CohortGraph& graph, const SexOptions& options,
                           const std::map<std::string, Sex>& expected) {
  if (graph.num_variants() > 0 && !HasChromNames(graph)) {
    return Status::Usage("sex inference: the graph has no chromosome names, so chrX is unknown");
  }
  std::vector<uint8_t> is_site(graph.num_variants(), 0);
  std::vector<int64_t> group_sites(graph.num_groups(), 0);
  SexReport report;
  for (uint32_t v = 0; v < graph.num_variants(); ++v) {
    const GraphVariant& var = graph.variant(v);
    if (!var.biallelic_snv || !IsChrX(graph.chrom_name(var.chrom_id))) continue;
    if (InChrXPar(var.pos, options.build)) continue;
    is_site[v] = 1;
    ++group_sites[var.group];
    ++report.chrx_sites;
  }
  report.calls.resize(graph.num_samples());
  for (uint32_t s = 0; s < graph.num_samples(); ++s) report.calls[s].sample = s;
  for (uint32_t g = 0; g < graph.num_groups(); ++g) {
    for (uint32_t s : graph.group_samples(g)) report.calls[s].sites += group_sites[g];
  }
  for (uint32_t s = 0; s < graph.num_samples(); ++s) {
    SexCall& call = report.calls[s];
    const auto variants = graph.sample_call_variants(s);
    const auto zygosities = graph.sample_call_zygosities(s);
    for (size_t k = 0; k < variants.size(); ++k) {
      if (!is_site[variants[k]]) continue;
      switch (zygosities[k]) {
        case Zygosity::kMissing: --call.sites; break;
        case Zygosity::kHet: ++call.het; break;
        case Zygosity::kHomAlt: ++call.hom_alt; break;
        case Zygosity::kHomRef: break;
      }
    }
    const int64_t informative = call.het + call.hom_alt;
    call.het_ratio = informative > 0 ? double(call.het) / double(informative)
                                     : std::numeric_limits<double>::quiet_NaN();
    if (informative >= options.min_sites) {
      if (call.het_ratio <= options.male_max_het_ratio) call.inferred = Sex::kMale;
      else if (call.het_ratio >= options.female_min_het_ratio) call.inferred = Sex::kFemale;
    }
  }
  for (const auto& [name, sex] : expected) {
    const auto s = graph.FindSample(name);
    if (!s) {
      report.expected_not_in_cohort.push_back(name);
      continue;
    }
    SexCall& call = report.calls[*s];
    call.expected = sex;
    call.mismatch = sex != Sex::kUnknown && call.inferred != Sex::kUnknown && sex != call.inferred;
    if (call.mismatch) ++report.mismatches;
  }
  return report;
}

}  // namespace vcfagent::store
