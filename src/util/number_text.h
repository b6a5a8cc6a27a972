// How vcf-agent writes floating-point numbers: every JSON, TSV and table output (CLI and API
// alike) writes the shortest decimal that reads back as the same value *at the precision the value
// is stored in*. A VCF's QUAL and Type=Float values are single precision: AF=0.167 is the float
// 0.16699999570846558..., and is written 0.167, never widened to double and then printed as a
// double (0.16699999570846558). A value computed in double (a ratio, a mean) is written as the
// shortest decimal that reads back as that double.
//
// - FloatText/DoubleText: for TSV and tables ("0.167", "4143.13", "50", "1e-05").
// - AppendJsonNumber: the same digits laid out as nlohmann::json lays numbers out ("50.0",
//   "1e-05", "1e+16"); NaN and infinities are null.
// - JsonFloat: a float to put into an nlohmann::json value. nlohmann stores every number_float as
//   a double, so JsonFloat returns the double nearest to the float's shortest decimal (0.167 ->
//   0.16700000000000001), which DumpJson (util/json_text.h) writes as its shortest decimal: 0.167.
//   Assigning the float itself would widen it (0.16699999570846558).
//
// The digits come from std::to_chars (shortest round trip, exact); nlohmann's own Grisu2 printer
// is not always shortest (0.0010013318 came out as 0.0010013317999999999), which is why DumpJson
// writes numbers with AppendJsonNumber.
//
// Outputs that must match bcftools byte for byte (VCF, `stats`, `view -O t` as `bcftools query`)
// keep htslib's formatting and do not use these.
#pragma once

#include <optional>
#include <string>

namespace vcfagent {

std::string FloatText(float value);
std::string DoubleText(double value);
// "." when absent (the VCF convention for a missing value in TSV and tables).
std::string FloatText(const std::optional<float>& value);
std::string DoubleText(const std::optional<double>& value);

void AppendJsonNumber(float value, std::string* out);
void AppendJsonNumber(double value, std::string* out);

double JsonFloat(float value);

}  // namespace vcfagent
