// QC facts of the analyze report: the numbers of vcf::ComputeStats (bcftools stats -s -)
// arranged for a reader, with per-sample ratios and robust outlier flags.
//
// Contract:
// - Every count is the engine's (equal to bcftools stats 1.16); ratios derived here are
//   het/hom-alt = PSC nHets / nNonRefHom, missing rate = PSC nMissing / records, Ts/Tv per
//   sample = PSC nTransitions / nTransversions. A ratio with a zero denominator is null.
// - Distributions are re-binned for plotting and reading: quality and depth into fixed ranges
//   (kQualityBins, kDepthBins), the AF spectrum into ten 0.1-wide bins (bcftools' own bins summed),
//   indel lengths as they are (-60..60), substitutions as the twelve types.
// - Outliers: a modified z-score per metric (Iglewicz and Hoaglin: 0.6745 (x - median) / MAD;
//   when the MAD is 0, (x - median) / (1.253314 x mean absolute deviation)), flagged when
//   |z| > kOutlierZ. Needs at least kMinOutlierSamples samples with a value; otherwise the
//   outlier section says it was not computed and why.
#pragma once

#include <nlohmann/json.hpp>

#include "vcf/stats.h"

namespace vcfagent::ai::report {

inline constexpr double kOutlierZ = 3.5;
inline constexpr size_t kMinOutlierSamples = 5;

// A robust z-score per value (NaN for NaN inputs); all zeros when the values do not vary.
std::vector<double> ModifiedZScores(const std::vector<double>& values);

// The "qc" object: summary, tstv, per-sample rows, distributions and outliers.
nlohmann::json QcFacts(const vcf::VcfStats& stats);

// `value` rounded to `digits` decimals for reading, or null when it is not finite.
nlohmann::json Rounded(double value, int digits);

}  // namespace vcfagent::ai::report
