// `vcf-agent graph`: relationships between samples, variants and genes (see docs/graph.md).
#include <nlohmann/json.hpp>

#include <functional>

#include "cli/command.h"
#include "fmt/format.h"
#include "store/graph_loader.h"
#include "store/graph_queries.h"
#include "store/store.h"
#include "util/json_text.h"
#include "util/number_text.h"

namespace vcfagent::cli {
namespace {

using json = nlohmann::json;

std::string Text(const json& value) {
  if (value.is_null()) return ".";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return DoubleText(value.get<double>());  // as the JSON has it
  return DumpJson(value);
}

std::string VariantList(const json& list) {
  std::string out;
  for (const json& v : list) {
    out += fmt::format("  {}\t{}\t{}", Text(v["variant"]), Text(v["gene"]), Text(v["impact"]));
    if (v.contains("zygosity")) out += "\t" + Text(v["zygosity"]);
    if (v.contains("shared_carriers")) {
      out += fmt::format("\tshared {}/{}\tjaccard {}", Text(v["shared_carriers"]), Text(v["carriers"]), Text(v["jaccard"]));
    }
    out += "\n";
  }
  return out;
}

std::string RenderText(const std::string& sub, const json& r) {
  std::string out;
  if (sub == "carriers") {
    out += fmt::format("{}: {} het, {} hom-alt of {} genotyped samples\n", Text(r["variant"]["variant"]),
                       Text(r["het"]), Text(r["hom_alt"]), Text(r["genotyped_samples"]));
    for (const json& c : r["carriers"]) {
      out += fmt::format("  {}\t{}\tGQ {}\tDP {}\n", Text(c["sample"]), Text(c["zygosity"]), Text(c["gq"]), Text(c["dp"]));
    }
  } else if (sub == "sample-variants") {
    out += fmt::format("{}: {} variants ({} shown)\n", Text(r["sample"]), Text(r["total"]), Text(r["returned"]));
    out += VariantList(r["variants"]);
  } else if (sub == "shared") {
    out += fmt::format("{} and {}: {} shared ({} with the same zygosity), {} only in {}, {} only in {}\n",
                       Text(r["samples"][0]), Text(r["samples"][1]), Text(r["shared"]), Text(r["shared_same_zygosity"]),
                       Text(r["only_first"]), Text(r["samples"][0]), Text(r["only_second"]), Text(r["samples"][1]));
    out += "shared:\n" + VariantList(r["shared_variants"]);
  } else if (sub == "burden") {
    out += fmt::format("{} samples carry a qualifying variant (impact >= {}, AF <= {})\n",
                       Text(r["samples_with_qualifying_variants"]), Text(r["criteria"]["min_impact"]),
                       Text(r["criteria"]["max_af"]));
    for (const json& s : r["samples"]) {
      out += fmt::format("{}\t{} variants ({} hom-alt)\n", Text(s["sample"]), Text(s["qualifying_variants"]),
                         Text(s["hom_alt_variants"]));
      for (const json& g : s["genes"]) out += VariantList(g["variants"]);
    }
  } else if (sub == "cooccur") {
    out += fmt::format("{} ({} carriers): {} variants share carriers ({} shown)\n", Text(r["variant"]["variant"]),
                       Text(r["carriers"]), Text(r["total"]), Text(r["returned"]));
    out += VariantList(r["cooccurring"]);
  } else if (sub == "relatedness") {
    out += "sample1\tsample2\tkinship\trelationship\tibs0_fraction\tsites\n";
    for (const json& p : r["pairs"]) {
      out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", Text(p["sample1"]), Text(p["sample2"]), Text(p["kinship"]),
                         Text(p["relationship"]), Text(p["ibs0_fraction"]), Text(p["sites"]));
    }
    out += fmt::format("\nsex from chrX ({} sites, {}):\nsample\tinferred\texpected\thet_ratio\n",
                       Text(r["sex"]["chrx_sites"]), Text(r["sex"]["build"]));
    for (const json& s : r["sex"]["calls"]) {
      out += fmt::format("{}\t{}\t{}\t{}{}\n", Text(s["sample"]), Text(s["inferred"]), Text(s["expected"]),
                         Text(s["het_ratio"]), s["mismatch"].get<bool>() ? "\tMISMATCH" : "");
    }
  } else if (sub == "neighbors") {
    out += fmt::format("{} to depth {}: {} nodes, {} edges{}\n", Text(r["start"]), Text(r["depth"]),
                       r["nodes"].size(), r["edges"].size(), r["truncated"].get<bool>() ? " (truncated)" : "");
    for (const json& n : r["nodes"]) out += fmt::format("  [{}] {} {}\n", Text(n["depth"]), Text(n["kind"]), Text(n["label"]));
    for (const json& e : r["edges"]) out += fmt::format("  {} -{}-> {}\n", Text(e["from"]), Text(e["kind"]), Text(e["to"]));
  }
  return out;
}

struct GraphArgs {
  std::string db;
  OutputFormat format = OutputFormat::kText;
  std::string variant, sample, first, second, node;
  std::vector<std::string> genes;
  bool include_missing = false;
  store::SampleVariantsOptions sample_options;
  store::BurdenOptions burden;
  store::RelatednessOptions relatedness;
  uint32_t min_shared = 1;
  size_t limit = 100, top = 20, max_nodes = 200;
  int depth = 1;
};

int Run(const std::string& sub, GraphArgs& args) {
  const std::string where = "graph " + sub;
  auto store = store::Store::Open(StoreDirectory(args.db), store::Store::Access::kRead);
  if (!store.ok()) return ReportError(where, store.status());
  auto loaded = store::LoadCohortGraph(**store);
  if (!loaded.ok()) return ReportError(where, loaded.status());
  store::GraphContext ctx{**store, **loaded};
  Result<json> result = Status::Internal("unknown graph subcommand");
  if (sub == "carriers") result = store::GraphCarriers(ctx, args.variant, args.include_missing);
  else if (sub == "sample-variants") {
    args.sample_options.limit = args.limit;
    result = store::GraphSampleVariants(ctx, args.sample, args.sample_options);
  } else if (sub == "shared") result = store::GraphShared(ctx, args.first, args.second, args.limit);
  else if (sub == "burden") result = store::GraphBurden(ctx, args.genes, args.burden);
  else if (sub == "cooccur") result = store::GraphCooccur(ctx, args.variant, args.min_shared, args.top);
  else if (sub == "relatedness") result = store::GraphRelatedness(ctx, args.relatedness);
  else if (sub == "neighbors") result = store::GraphNeighbors(ctx, args.node, args.depth, args.max_nodes);
  if (!result.ok()) return ReportError(where, result.status());
  if (args.format == OutputFormat::kJson) {
    fmt::print("{}\n", DumpJson(*result, 2));
  } else {
    fmt::print("{}", RenderText(sub, *result));
  }
  return kExitOk;
}

}  // namespace

Command AddGraphCommand(CLI::App& root) {
  auto args = std::make_shared<GraphArgs>();
  CLI::App* app = root.add_subcommand("graph", "Relationships between samples, variants and genes");
  app->require_subcommand(1);
  // --db and --format work before the subcommand too ("graph --db DIR carriers V").
  AddStoreOption(*app, args->db);
  AddFormatOption(*app, args->format);
  auto common = [&](CLI::App* sub) {
    AddStoreOption(*sub, args->db);
    AddFormatOption(*sub, args->format);
  };
  CLI::App* carriers = app->add_subcommand("carriers", "Carriers of a variant, with zygosity and GQ");
  carriers->add_option("variant", args->variant, "Variant id or chrom:pos:ref:alt")->required();
  carriers->add_flag("--include-missing", args->include_missing, "Also list samples with a missing call");
  common(carriers);
  CLI::App* sample_variants = app->add_subcommand("sample-variants", "Variants a sample carries, by gene or region");
  sample_variants->add_option("sample", args->sample, "Sample name")->required();
  sample_variants->add_option("-g,--gene", args->sample_options.genes, "Gene (repeatable)");
  sample_variants->add_option("-r,--region", args->sample_options.region, "Region chr:beg-end");
  sample_variants->add_option("--zygosity", args->sample_options.zygosity, "het or hom-alt");
  sample_variants->add_option("-n,--limit", args->limit, "Variants listed (0: all)");
  common(sample_variants);
  CLI::App* shared = app->add_subcommand("shared", "Variants shared by two samples, and private to each");
  shared->add_option("sample1", args->first, "First sample")->required();
  shared->add_option("sample2", args->second, "Second sample")->required();
  shared->add_option("-n,--limit", args->limit, "Variants listed per list (counts are always complete)");
  common(shared);
  CLI::App* burden = app->add_subcommand("burden", "Samples carrying a qualifying variant in genes");
  burden->add_option("genes", args->genes, "Gene symbols")->required();
  burden->add_option("--min-impact", args->burden.min_impact, "Lowest qualifying impact (default MODERATE)");
  burden->add_option("--max-af", args->burden.max_af, "Highest qualifying allele frequency (default 0.01)");
  burden->add_option("--class", args->burden.classes, "Qualifying variant classes (default: all)")->delimiter(',');
  common(burden);
  CLI::App* cooccur = app->add_subcommand("cooccur", "Variants carried by the same samples as a variant");
  cooccur->add_option("variant", args->variant, "Variant id or chrom:pos:ref:alt")->required();
  cooccur->add_option("--min-shared", args->min_shared, "Shared carriers needed (default 1)");
  cooccur->add_option("-n,--top", args->top, "Variants listed (default 20)");
  common(cooccur);
  CLI::App* relatedness = app->add_subcommand("relatedness", "Pairwise kinship (KING-robust) and sex from chrX");
  relatedness->add_option("--ped", args->relatedness.ped_path, "PED file with the expected sexes");
  relatedness->add_option("--build", args->relatedness.build, "GRCh37 or GRCh38 (chrX PARs; default GRCh38)");
  relatedness->add_option("--min-sites", args->relatedness.min_sites, "Shared sites needed for an estimate");
  relatedness->add_option("--min-het-sites", args->relatedness.min_het_sites,
                          "Hets needed in the sample with fewer (default 100); below, 'unknown'");
  relatedness->add_flag("--related-only{false}", args->relatedness.all_pairs,
                        "List only pairs estimated third-degree or closer (large cohorts)");
  common(relatedness);
  CLI::App* neighbors = app->add_subcommand("neighbors", "Neighbourhood of a sample, variant or gene as nodes and edges");
  neighbors->add_option("node", args->node, "sample:NAME, gene:NAME, variant:SPEC, or a bare name")->required();
  neighbors->add_option("--depth", args->depth, "Hops (default 1)");
  neighbors->add_option("--max-nodes", args->max_nodes, "Node cap (default 200)");
  common(neighbors);
  return {app, [args, app] {
            for (CLI::App* sub : app->get_subcommands()) {
              if (sub->parsed()) return Run(sub->get_name(), *args);
            }
            return kExitUsage;
          }};
}

}  // namespace vcfagent::cli
