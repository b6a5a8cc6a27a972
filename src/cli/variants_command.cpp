// `vcf-agent variants`: queries the variant store (see docs/store.md).
#include "cli/command.h"
#include "fmt/format.h"
#include "store/store.h"
#include "store/variant_format.h"
#include "store/variant_query.h"
#include "util/output_file.h"

namespace vcfagent::cli {
namespace {

struct VariantsArgs {
  std::string db;
  std::vector<std::string> regions;
  std::vector<std::string> genes;
  std::string sample, zygosity, where, sort = "position", format = "table", output = "-";
  bool descending = false;
  int64_t limit = 100, offset = 0;
};

int RunVariants(const VariantsArgs& args) {
  store::VariantQuery query;
  for (const std::string& text : args.regions) {
    auto regions = vcf::ParseRegionList(text);
    if (!regions.ok()) return ReportError("variants", regions.status());
    query.regions.insert(query.regions.end(), regions->begin(), regions->end());
  }
  query.genes = args.genes;
  query.sample = args.sample;
  if (!args.zygosity.empty()) {
    auto zygosity = store::ParseZygosity(args.zygosity);
    if (!zygosity || (*zygosity != store::Zygosity::kHet && *zygosity != store::Zygosity::kHomAlt)) {
      return ReportError("variants", Status::Usage("--zygosity takes het or hom-alt"));
    }
    query.zygosity = zygosity;
  }
  query.where = args.where;
  auto sort = store::ParseSort(args.sort);
  if (!sort.ok()) return ReportError("variants", sort.status());
  query.sort = **sort;
  query.descending = args.descending;
  query.limit = args.limit;
  query.offset = args.offset;
  auto format = store::ParseVariantOutput(args.format);
  if (!format.ok()) return ReportError("variants", format.status());

  auto out = OutputFile::Open(args.output);
  if (!out.ok()) return ReportError("variants", out.status());
  auto store = store::Store::Open(StoreDirectory(args.db), store::Store::Access::kRead);
  if (!store.ok()) return ReportError("variants", store.status());
  auto page = store::QueryVariants(**store, query);
  if (!page.ok()) return ReportError("variants", page.status());
  auto text = store::FormatVariants(**store, *page, *format, query);
  if (!text.ok()) return ReportError("variants", text.status());
  Status status = (*out)->Write(*text);
  if (status.ok()) status = (*out)->Commit();
  return ReportError("variants", status);
}

}  // namespace

Command AddVariantsCommand(CLI::App& root) {
  auto args = std::make_shared<VariantsArgs>();
  CLI::App* app = root.add_subcommand("variants", "Query the variant store");
  AddStoreOption(*app, args->db);
  app->add_option("-r,--region", args->regions, "Regions: chr:beg-end[,...] (repeatable)");
  app->add_option("-g,--gene", args->genes, "Gene symbol (repeatable)");
  app->add_option("-s,--sample", args->sample, "Only variants this sample carries");
  app->add_option("--zygosity", args->zygosity, "With --sample: het or hom-alt");
  app->add_option("-w,--where", args->where,
                  "Filter, e.g. 'qual > 30 && impact >= MODERATE && cohort_af < 0.01' (docs/store.md)");
  app->add_option("--sort", args->sort, "position, qual, af, cohort_af, impact or carriers");
  app->add_flag("--desc", args->descending, "Sort in descending order");
  app->add_option("-n,--limit", args->limit, "Rows per page (0: all)")->check(WholeNumberIn(0, INT64_MAX));
  app->add_option("--offset", args->offset, "Rows to skip")->check(WholeNumberIn(0, INT64_MAX));
  app->add_option("-f,--format", args->format, "table, tsv, json or vcf");
  app->add_option("-o,--output", args->output, "Output file (default: standard output)");
  return {app, [args] { return RunVariants(*args); }};
}

}  // namespace vcfagent::cli
