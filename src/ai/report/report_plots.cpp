#include "ai/report/report_plots.h"

#include <set>

#include "ai/report/svg_chart.h"
#include "util/json_text.h"

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;

constexpr const char* kBlue = "#4e79a7";
constexpr const char* kOrange = "#f28e2b";
constexpr const char* kRed = "#e15759";

double Num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

ReportPlot Bins(const std::string& id, const std::string& title, const std::string& x_label, const std::string& y_label,
                const json& bins, const char* label_key, const std::vector<std::pair<const char*, const char*>>& series,
                bool stacked) {
  BarChart chart;
  chart.title = title;
  chart.x_label = x_label;
  chart.y_label = y_label;
  chart.stacked = stacked;
  for (const auto& [key, name] : series) chart.series.push_back({name, chart.series.empty() ? kBlue : kOrange, {}});
  for (const auto& b : bins) {
    chart.categories.push_back(b[label_key].is_string() ? b[label_key].get<std::string>() : DumpJson(b[label_key]));
    for (size_t k = 0; k < series.size(); ++k) chart.series[k].values.push_back(Num(b, series[k].first));
  }
  return {id, title, RenderBarChart(chart)};
}

}  // namespace

std::vector<ReportPlot> ReportPlots(const json& facts) {
  std::vector<ReportPlot> plots;
  const json& qc = facts.at("qc");
  const json& sn = qc.at("summary");
  {
    BarChart chart;
    chart.title = "Variant types";
    chart.x_label = "type (records containing it)";
    chart.y_label = "records";
    chart.categories = {"SNPs", "MNPs", "indels", "others", "multiallelic"};
    chart.series.push_back({"records", kBlue,
                            {Num(sn, "snps"), Num(sn, "mnps"), Num(sn, "indels"), Num(sn, "others"),
                             Num(sn, "multiallelic_sites")}});
    plots.push_back({"plot-variant-types", chart.title, RenderBarChart(chart)});
  }
  const json& dist = qc.at("distributions");
  plots.push_back(Bins("plot-quality", "Quality (QUAL) histogram", "QUAL", "count", dist["quality"]["bins"], "qual",
                       {{"snps", "SNPs"}, {"indels", "indels"}}, true));
  const bool with_samples = Num(sn, "samples") > 0;
  if (with_samples) {
    plots.push_back(Bins("plot-depth", "Genotype depth histogram", "depth (FORMAT/DP)", "genotypes",
                         dist["depth"]["bins"], "depth", {{"genotypes", "genotypes"}}, false));
  } else {
    plots.push_back(Bins("plot-depth", "Site depth histogram", "depth (INFO/DP)", "sites", dist["depth"]["bins"],
                         "depth", {{"sites", "sites"}}, false));
  }
  plots.push_back(Bins("plot-af-spectrum", "Allele-frequency spectrum", "non-reference allele frequency", "alleles",
                       dist["af_spectrum"]["bins"], "af", {{"snps", "SNPs"}, {"indels", "indels"}}, true));
  plots.push_back(Bins("plot-indel-lengths", "Indel lengths", "length (deletions < 0 < insertions)", "sites",
                       dist["indel_lengths"], "length", {{"sites", "sites"}}, false));

  const json& samples = qc.at("samples");
  if (!samples.empty()) {
    std::set<std::string> outliers;
    for (const auto& f : qc["outliers"].value("flagged", json::array())) outliers.insert(f["sample"].get<std::string>());
    if (samples.size() <= kMaxSampleBars) {
      BarChart chart;
      chart.title = "Per-sample genotype counts";
      chart.x_label = "sample";
      chart.y_label = "genotypes";
      chart.series = {{"het", kBlue, {}}, {"hom-alt", kOrange, {}}};
      for (const auto& s : samples) {
        chart.categories.push_back(s["sample"].get<std::string>());
        chart.series[0].values.push_back(Num(s, "het"));
        chart.series[1].values.push_back(Num(s, "hom_alt"));
      }
      plots.push_back({"plot-samples", chart.title, RenderBarChart(chart)});
    } else {
      ScatterChart chart;
      chart.title = "Per-sample genotype counts (one dot per sample)";
      chart.x_label = "het genotypes";
      chart.y_label = "hom-alt genotypes";
      chart.highlight_name = "QC outlier";
      for (const auto& s : samples) {
        const std::string name = s["sample"].get<std::string>();
        chart.x.push_back(Num(s, "het"));
        chart.y.push_back(Num(s, "hom_alt"));
        chart.point_labels.push_back(name + ": het " + std::to_string(static_cast<int64_t>(Num(s, "het"))) +
                                     ", hom-alt " + std::to_string(static_cast<int64_t>(Num(s, "hom_alt"))));
        chart.highlighted.push_back(outliers.count(name) > 0);
      }
      plots.push_back({"plot-samples", chart.title, RenderScatterChart(chart)});
    }
  }
  (void)kRed;
  return plots;
}

}  // namespace vcfagent::ai::report
