#include "ai/report/qc_facts.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;

// A ratio rounded for reading, or null when it has no denominator.
json Ratio(double numerator, double denominator, int digits = 4) {
  if (denominator == 0) return nullptr;
  const double scale = std::pow(10.0, digits);
  return std::round(numerator / denominator * scale) / scale;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Range {
  const char* label;
  double low;   // inclusive
  double high;  // exclusive
};

constexpr Range kQualityBins[] = {{"0-9", 0, 10},        {"10-19", 10, 20},     {"20-29", 20, 30},
                                  {"30-49", 30, 50},     {"50-99", 50, 100},    {"100-199", 100, 200},
                                  {"200-499", 200, 500}, {"500-999", 500, 1000}, {">=1000", 1000, INFINITY}};

constexpr Range kDepthBins[] = {{"0", 0, 1},         {"1-4", 1, 5},     {"5-9", 5, 10},     {"10-14", 10, 15},
                                {"15-19", 15, 20},   {"20-29", 20, 30}, {"30-39", 30, 40},  {"40-49", 40, 50},
                                {"50-74", 50, 75},   {"75-99", 75, 100}, {"100-199", 100, 200},
                                {"200-500", 200, 501}, {">500", 501, INFINITY}};

json QualityHistogram(const vcf::VcfStats& s) {
  std::vector<uint64_t> snps(std::size(kQualityBins)), indels(std::size(kQualityBins));
  uint64_t missing_snps = 0, missing_indels = 0;
  for (const auto& b : s.quality) {
    if (!b.quality) {
      missing_snps += b.snps;
      missing_indels += b.indels;
      continue;
    }
    for (size_t i = 0; i < std::size(kQualityBins); ++i) {
      if (*b.quality >= kQualityBins[i].low && *b.quality < kQualityBins[i].high) {
        snps[i] += b.snps;
        indels[i] += b.indels;
        break;
      }
    }
  }
  json bins = json::array();
  for (size_t i = 0; i < std::size(kQualityBins); ++i) {
    bins.push_back({{"qual", kQualityBins[i].label}, {"snps", snps[i]}, {"indels", indels[i]}});
  }
  return {{"bins", bins},
          {"missing_qual", {{"snps", missing_snps}, {"indels", missing_indels}}},
          {"note", "SNPs counted by first ALT, indels per record (bcftools QUAL section)"}};
}

json DepthHistogram(const vcf::VcfStats& s) {
  std::vector<uint64_t> genotypes(std::size(kDepthBins)), sites(std::size(kDepthBins));
  for (const auto& b : s.depth) {
    if (b.kind == vcf::StatsDepthBin::Kind::kBelow) continue;
    const double d = b.kind == vcf::StatsDepthBin::Kind::kAbove ? 501 : b.depth;
    for (size_t i = 0; i < std::size(kDepthBins); ++i) {
      if (d >= kDepthBins[i].low && d < kDepthBins[i].high) {
        genotypes[i] += b.genotypes;
        sites[i] += b.sites;
        break;
      }
    }
  }
  json bins = json::array();
  for (size_t i = 0; i < std::size(kDepthBins); ++i) {
    bins.push_back({{"depth", kDepthBins[i].label}, {"genotypes", genotypes[i]}, {"sites", sites[i]}});
  }
  return {{"bins", bins},
          {"note", "genotypes: FORMAT/DP (or sum of AD) per sample call; sites: INFO/DP"}};
}

json AfSpectrum(const vcf::VcfStats& s) {
  std::vector<uint64_t> snps(10), indels(10);
  for (const auto& b : s.allele_frequency) {
    const size_t i = std::min<size_t>(9, static_cast<size_t>(std::max(0.0, b.allele_frequency) * 10 + 1e-9));
    snps[i] += b.snps;
    indels[i] += b.indels;
  }
  json bins = json::array();
  for (size_t i = 0; i < 10; ++i) {
    bins.push_back({{"af", fmt::format("{:.1f}-{:.1f}", i / 10.0, (i + 1) / 10.0)}, {"snps", snps[i]}, {"indels", indels[i]}});
  }
  return {{"bins", bins},
          {"singletons", {{"snps", s.singletons.snps}, {"indels", s.singletons.indels}}},
          {"note", "non-reference allele frequency from INFO/AC+AN or the genotypes (bcftools AF section)"}};
}

struct Metric {
  const char* name;
  std::vector<double> values;
};

json Outliers(const vcf::VcfStats& s, const std::vector<Metric>& metrics) {
  json out = {{"method", "modified z-score 0.6745*(x-median)/MAD (mean absolute deviation x 1.253314 when MAD is 0)"},
              {"threshold", kOutlierZ},
              {"min_samples", kMinOutlierSamples},
              {"metrics", json::array()}};
  for (const auto& m : metrics) out["metrics"].push_back(m.name);
  if (s.samples.size() < kMinOutlierSamples) {
    out["computed"] = false;
    out["reason"] = fmt::format("{} sample(s); outliers need at least {}", s.samples.size(), kMinOutlierSamples);
    out["flagged"] = json::array();
    return out;
  }
  out["computed"] = true;
  json flagged = json::array();
  for (const auto& m : metrics) {
    std::vector<double> finite;
    for (double v : m.values) {
      if (std::isfinite(v)) finite.push_back(v);
    }
    if (finite.size() < kMinOutlierSamples) continue;
    const double median = Median(finite);
    const std::vector<double> z = ModifiedZScores(m.values);
    for (size_t i = 0; i < z.size(); ++i) {
      if (!std::isfinite(z[i]) || std::fabs(z[i]) <= kOutlierZ) continue;
      flagged.push_back({{"sample", s.samples[i].name},
                         {"metric", m.name},
                         {"value", Rounded(m.values[i], 4)},
                         {"median", Rounded(median, 4)},
                         {"z", Rounded(z[i], 2)},
                         {"direction", z[i] > 0 ? "high" : "low"}});
    }
  }
  out["flagged"] = flagged;
  return out;
}

}  // namespace

std::vector<double> ModifiedZScores(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values) {
    if (std::isfinite(v)) finite.push_back(v);
  }
  std::vector<double> z(values.size(), std::nan(""));
  if (finite.empty()) return z;
  const double median = Median(finite);
  std::vector<double> deviations;
  double mean_abs = 0;
  for (double v : finite) {
    deviations.push_back(std::fabs(v - median));
    mean_abs += std::fabs(v - median);
  }
  mean_abs /= static_cast<double>(finite.size());
  const double mad = Median(deviations);
  const double scale = mad > 0 ? mad / 0.6745 : 1.253314 * mean_abs;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    z[i] = scale > 0 ? (values[i] - median) / scale : 0;
  }
  return z;
}

json Rounded(double value, int digits) {
  if (!std::isfinite(value)) return nullptr;
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

json QcFacts(const vcf::VcfStats& s) {
  const vcf::StatsSummary& sn = s.summary;
  json qc;
  qc["summary"] = {{"records", sn.records},
                   {"samples", sn.samples},
                   {"no_alts", sn.no_alts},
                   {"snps", sn.snps},
                   {"mnps", sn.mnps},
                   {"indels", sn.indels},
                   {"others", sn.others},
                   {"multiallelic_sites", sn.multiallelic_sites},
                   {"multiallelic_snp_sites", sn.multiallelic_snp_sites},
                   {"singletons_snps", s.singletons.snps},
                   {"singletons_indels", s.singletons.indels}};
  qc["tstv"] = {{"ts", s.tstv.ts},
                {"tv", s.tstv.tv},
                {"ts_tv", Ratio(static_cast<double>(s.tstv.ts), static_cast<double>(s.tstv.tv), 2)},
                {"ts_1st_alt", s.tstv.ts_1st_alt},
                {"tv_1st_alt", s.tstv.tv_1st_alt},
                {"ts_tv_1st_alt", Ratio(static_cast<double>(s.tstv.ts_1st_alt), static_cast<double>(s.tstv.tv_1st_alt), 2)}};

  json samples = json::array();
  Metric het_hom{"het_hom_ratio", {}}, missing{"missing_rate", {}}, depth{"mean_depth", {}},
      singletons{"singletons", {}}, tstv{"ts_tv", {}};
  double depth_sum = 0, missing_sum = 0;
  size_t depth_n = 0;
  for (const auto& p : s.samples) {
    const double records = static_cast<double>(sn.records);
    samples.push_back({{"sample", p.name},
                       {"hom_ref", p.ref_hom},
                       {"het", p.hets},
                       {"hom_alt", p.non_ref_hom},
                       {"het_hom_ratio", Ratio(static_cast<double>(p.hets), static_cast<double>(p.non_ref_hom), 3)},
                       {"missing", p.missing},
                       {"missing_rate", Ratio(static_cast<double>(p.missing), records, 6)},
                       {"mean_depth", Rounded(p.average_depth, 1)},
                       {"singletons", p.singletons},
                       {"ts", p.transitions},
                       {"tv", p.transversions},
                       {"ts_tv", Ratio(static_cast<double>(p.transitions), static_cast<double>(p.transversions), 3)},
                       {"indels", p.indels},
                       {"hap_ref", p.hap_ref},
                       {"hap_alt", p.hap_alt}});
    const double nan = std::nan("");
    het_hom.values.push_back(p.non_ref_hom ? static_cast<double>(p.hets) / p.non_ref_hom : nan);
    missing.values.push_back(records > 0 ? p.missing / records : nan);
    depth.values.push_back(p.average_depth);
    singletons.values.push_back(static_cast<double>(p.singletons));
    tstv.values.push_back(p.transversions ? static_cast<double>(p.transitions) / p.transversions : nan);
    if (p.average_depth > 0) depth_sum += p.average_depth, ++depth_n;
    if (records > 0) missing_sum += p.missing / records;
  }
  qc["samples"] = samples;
  qc["cohort"] = {{"mean_depth", depth_n ? Rounded(depth_sum / depth_n, 2) : json(nullptr)},
                  {"mean_depth_note", "mean of the per-sample mean depths (PSC averageDepth) of samples with depth"},
                  {"mean_missing_rate", s.samples.empty() ? json(nullptr) : Rounded(missing_sum / s.samples.size(), 6)}};
  qc["outliers"] = Outliers(s, {het_hom, missing, depth, singletons, tstv});

  json substitutions = json::array();
  for (const auto& x : s.substitutions) {
    substitutions.push_back({{"type", std::string{x.ref, '>', x.alt}}, {"count", x.count}});
  }
  json indels = json::array();
  for (const auto& d : s.indel_lengths) indels.push_back({{"length", d.length}, {"sites", d.sites}});
  qc["distributions"] = {{"quality", QualityHistogram(s)},
                         {"depth", DepthHistogram(s)},
                         {"af_spectrum", AfSpectrum(s)},
                         {"indel_lengths", indels},
                         {"substitutions", substitutions}};
  return qc;
}

}  // namespace vcfagent::ai::report
