// vcf-agent-gen: writes a deterministic synthetic VCF 4.2 (see synthetic_vcf.h for the model).
//
//   vcf-agent-gen --sites 1000000 --samples 0 -o sites1m.vcf
//   vcf-agent-gen --sites 100000 --samples 100 --seed 7 --perturb-frac 0.05 -o b.vcf
//
// A file is written to FILE.tmp and renamed when complete, so an interrupted run never leaves a
// partial FILE behind (bench/run.sh caches files by name). Exit 0 on success, 2 on usage or I/O
// errors.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "CLI/CLI.hpp"
#include "synthetic_vcf.h"

int main(int argc, char** argv) {
  vcfagent::bench::SyntheticVcfOptions options;
  std::string output = "-";
  CLI::App app{"vcf-agent-gen: deterministic synthetic VCF 4.2 for benchmarks and tests"};
  app.add_option("--sites", options.sites, "Number of records (before perturbation)")->required();
  app.add_option("--samples", options.samples, "Number of samples (0: sites only)")
      ->check(CLI::Range(0, 10000000));
  app.add_option("--seed", options.seed, "Random seed (same seed: byte-identical output)");
  app.add_option("--missing-frac", options.missing_frac, "Fraction of missing genotypes")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--phased-frac", options.phased_frac, "Fraction of sites written phased")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--perturb-seed", options.perturb_seed, "Seed of the perturbation stream");
  app.add_option("--perturb-frac", options.perturb_frac,
                 "Edit about this fraction of records (drop, change, add); 0: none")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("-o,--output", output, "Output file, '-' for standard output");
  CLI11_PARSE(app, argc, argv);

  const std::string temp = output == "-" ? "" : output + ".tmp";
  std::FILE* out = output == "-" ? stdout : std::fopen(temp.c_str(), "wb");
  if (!out) {
    std::fprintf(stderr, "vcf-agent-gen: %s: %s\n", temp.c_str(), std::strerror(errno));
    return 2;
  }
  static char buffer[1 << 20];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
  bool write_failed = false;
  vcfagent::bench::SyntheticVcfWriter writer(options, [&](std::string_view chunk) {
    if (!write_failed && std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
      write_failed = true;
    }
  });
  writer.Write();
  const bool close_failed = output == "-" ? std::fflush(out) != 0 : std::fclose(out) != 0;
  if (write_failed || close_failed) {
    std::fprintf(stderr, "vcf-agent-gen: %s: write failed: %s\n",
                 output == "-" ? "<stdout>" : temp.c_str(), std::strerror(errno));
    if (!temp.empty()) std::remove(temp.c_str());
    return 2;
  }
  if (!temp.empty() && std::rename(temp.c_str(), output.c_str()) != 0) {
    std::fprintf(stderr, "vcf-agent-gen: cannot rename %s to %s: %s\n", temp.c_str(),
                 output.c_str(), std::strerror(errno));
    std::remove(temp.c_str());
    return 2;
  }
  return 0;
}
