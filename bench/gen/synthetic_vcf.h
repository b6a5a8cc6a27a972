// SyntheticVcf: a deterministic generator of realistic synthetic VCF 4.2 for benchmarks and tests.
//
// Contract: the same options give byte-identical output on every x86-64 machine and compiler,
// because the only randomness is the xoshiro256** generator below (seeded by splitmix64), the only
// floating point is IEEE addition/multiplication/comparison (the exponential draws use precomputed
// survival tables, not libm; x86-64 without -mfma cannot contract them into FMAs), and numbers are
// formatted with std::to_chars and one "%.4g". Different seeds give different files.
//
// The statistical model is the one of ../shared/tools/gen_synthetic_vcf.py (not its bytes: the
// random stream differs):
//   * contigs chr1..chr22, chrX with GRCh38 lengths; sites spread over contigs in proportion to
//     length at distinct, sorted, uniformly drawn positions in [10000, length-101];
//   * ~84% SNV (Ts/Tv ~2.1), ~7% deletion, ~6% insertion, ~0.5% MNP, ~2.4% multiallelic (two
//     ALTs), ~0.1% symbolic <DEL> with END/SVLEN/SVTYPE;
//   * ~40% rs IDs, QUAL (1% missing), FILTER PASS ~90% / LowQual / q10, INFO AC/AN/AF/DP/MQ/DB;
//   * with samples: FORMAT GT:DP:GQ drawn under HWE from a U-shaped allele-frequency spectrum,
//     `missing_frac` of genotypes './.:.:.', a `phased_frac` share of sites written with '|', and
//     INFO AC/AN/AF/DP computed from the emitted genotypes (consistent, usable as an oracle);
//     without samples: AN=5008 and AC/AF from the drawn frequency (1000 Genomes-like).
//
// Perturbation (for comparison benchmarks): with perturb_frac = f > 0 a second, independent
// generator seeded by perturb_seed edits the same file: it drops ~0.4*f of the records, changes
// the ALT of ~0.2*f (SNVs; other classes get the next edit instead), flips one genotype and ~5% of
// the others (or the QUAL, without samples) of ~0.4*f, and inserts ~0.4*f new records one base
// after existing ones. The main stream is consumed exactly as without perturbation, so everything
// else is identical to the unperturbed file with the same seed.
//
// Header-only so that the unit test can include it without the VCFAGENT_BENCH build option.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vcfagent::bench {

// xoshiro256** (Blackman and Vigna), seeded through splitmix64: fast and fully specified.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    for (auto& word : state_) word = SplitMix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n), by multiply-shift (bias below 2^-40 for our n).
  uint64_t Below(uint64_t n) { return MulHigh(Next(), n); }
  // Uniform integer in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(hi - lo + 1)); }

 private:
  static uint64_t SplitMix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // The high 64 bits of a 128-bit product, in portable ISO C++.
  static uint64_t MulHigh(uint64_t a, uint64_t b) {
    const uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
    const uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
    const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi;
    const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
    return a_hi * b_hi + (hi_lo >> 32) + (cross >> 32);
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> state_{};
};

// floor(X) for X exponential with P(X >= 1) = q, capped at `cap`: Python's int(expovariate(r))
// with q = exp(-r). Inversion over a table of survival values q^k, built by multiplication only.
class FlooredExponential {
 public:
  FlooredExponential(double q, int cap) {
    double survival = 1.0;
    for (int k = 0; k <= cap && survival >= 0x1.0p-60; ++k) {
      survival_.push_back(survival);
      survival *= q;
    }
  }
  int Sample(Xoshiro256& rng) const {
    const double u = 1.0 - rng.Uniform();  // (0, 1]
    // The largest k with q^k >= u.
    const auto end = std::partition_point(survival_.begin(), survival_.end(),
                                          [u](double s) { return s >= u; });
    return static_cast<int>(end - survival_.begin()) - 1;
  }

 private:
  std::vector<double> survival_;
};

struct SyntheticVcfOptions {
  uint64_t sites = 0;
  int samples = 0;
  uint64_t seed = 42;
  double missing_frac = 0.02;
  double phased_frac = 0.10;
  uint64_t perturb_seed = 1;
  double perturb_frac = 0.0;  // 0: no perturbation
};

struct ContigLength {
  const char* name;
  int64_t length;
};

inline constexpr std::array<ContigLength, 23> kGrch38Contigs = {{
    {"chr1", 248956422}, {"chr2", 242193529}, {"chr3", 198295559}, {"chr4", 190214555},
    {"chr5", 181538259}, {"chr6", 170805979}, {"chr7", 159345973}, {"chr8", 145138636},
    {"chr9", 138394717}, {"chr10", 133797422}, {"chr11", 135086622}, {"chr12", 133275309},
    {"chr13", 114364328}, {"chr14", 107043718}, {"chr15", 101991189}, {"chr16", 90338345},
    {"chr17", 83257441}, {"chr18", 80373285}, {"chr19", 58617616}, {"chr20", 64444167},
    {"chr21", 46709983}, {"chr22", 50818468}, {"chrX", 156040895},
}};

// Writes the VCF for `options` to `sink` in chunks of about 1 MiB.
class SyntheticVcfWriter {
 public:
  using Sink = std::function<void(std::string_view)>;

  SyntheticVcfWriter(const SyntheticVcfOptions& options, Sink sink)
      : options_(options),
        sink_(std::move(sink)),
        main_rng_(options.seed),
        perturb_rng_(options.perturb_seed ^ 0x5eed0fa11ed5eedULL) {}

  void Write() {
    WriteHeader();
    int64_t total_length = 0;
    for (const auto& contig : kGrch38Contigs) total_length += contig.length;
    std::vector<uint64_t> per_contig;
    uint64_t allocated = 0;
    for (const auto& contig : kGrch38Contigs) {
      // Integer arithmetic keeps the split exact (no overflow below 3.7e10 sites).
      const uint64_t n = options_.sites * static_cast<uint64_t>(contig.length) /
                         static_cast<uint64_t>(total_length);
      per_contig.push_back(n);
      allocated += n;
    }
    per_contig[0] += options_.sites - allocated;
    for (size_t c = 0; c < kGrch38Contigs.size(); ++c) WriteContig(kGrch38Contigs[c], per_contig[c]);
    Flush();
  }

 private:
  enum class VariantClass { kSnv, kDeletion, kInsertion, kMnp, kMultiallelic, kSymbolicDeletion };

  struct Record {
    int64_t pos = 0;
    VariantClass kind = VariantClass::kSnv;
    std::string id;
    std::string ref;
    std::vector<std::string> alts;
    int64_t svlen = 0;
    int qual_centi = -1;  // QUAL in hundredths, -1 for '.'
    int filter = 0;       // 0 PASS, 1 LowQual, 2 q10
    double af[2] = {0, 0};
    bool db = false;
    int mq_centi = 0;
    int site_dp = 0;  // without samples
    bool phased = false;
    std::vector<int8_t> alleles;  // two per sample, -1 for missing
    std::vector<int32_t> depth;
    std::vector<int32_t> quality;
  };

  static constexpr char kBases[] = "ACGT";

  static char Transition(char base) {
    switch (base) {
      case 'A': return 'G';
      case 'G': return 'A';
      case 'C': return 'T';
      default: return 'C';
    }
  }
  static const char* Transversions(char base) { return base == 'A' || base == 'G' ? "CT" : "AG"; }

  static char RandomBase(Xoshiro256& rng) { return kBases[rng.Below(4)]; }
  static char RandomBaseExcept(Xoshiro256& rng, char a, char b = 0) {
    char choices[4];
    int n = 0;
    for (int i = 0; i < 4; ++i) {
      if (kBases[i] != a && kBases[i] != b) choices[n++] = kBases[i];
    }
    return choices[rng.Below(n)];
  }

  void WriteHeader() {
    Append("##fileformat=VCFv4.2\n##source=vcf-agent-gen\n##reference=GRCh38-synthetic\n");
    char line[256];
    std::snprintf(line, sizeof line,
                  "##vcf-agent-gen=<sites=%llu,samples=%d,seed=%llu,missing_frac=%g,"
                  "phased_frac=%g,perturb_seed=%llu,perturb_frac=%g>\n",
                  static_cast<unsigned long long>(options_.sites), options_.samples,
                  static_cast<unsigned long long>(options_.seed), options_.missing_frac,
                  options_.phased_frac, static_cast<unsigned long long>(options_.perturb_seed),
                  options_.perturb_frac);
    Append(line);
    for (const auto& contig : kGrch38Contigs) {
      Append("##contig=<ID=");
      Append(contig.name);
      Append(",length=");
      AppendInt(contig.length);
      Append(",assembly=GRCh38>\n");
    }
    Append(
        "##ALT=<ID=DEL,Description=\"Deletion\">\n"
        "##FILTER=<ID=LowQual,Description=\"Low quality\">\n"
        "##FILTER=<ID=q10,Description=\"Quality below 10\">\n"
        "##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count in genotypes\">\n"
        "##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called "
        "genotypes\">\n"
        "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n"
        "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Combined depth across samples\">\n"
        "##INFO=<ID=MQ,Number=1,Type=Float,Description=\"RMS mapping quality\">\n"
        "##INFO=<ID=DB,Number=0,Type=Flag,Description=\"dbSNP membership\">\n"
        "##INFO=<ID=END,Number=1,Type=Integer,Description=\"End position of the variant\">\n"
        "##INFO=<ID=SVLEN,Number=A,Type=Integer,Description=\"Length of structural variant\">\n"
        "##INFO=<ID=SVTYPE,Number=1,Type=String,Description=\"Type of structural variant\">\n");
    if (options_.samples > 0) {
      Append(
          "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
          "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n"
          "##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n");
    }
    Append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO");
    if (options_.samples > 0) {
      Append("\tFORMAT");
      for (int i = 1; i <= options_.samples; ++i) {
        std::snprintf(line, sizeof line, "\tS%05d", i);
        Append(line);
      }
    }
    Append("\n");
  }

  // Distinct uniform positions in [10000, length-101], sorted: draw, sort, deduplicate, redraw
  // the few collisions. Deterministic because every step is.
  std::vector<int64_t> DrawPositions(const ContigLength& contig, uint64_t n) {
    const int64_t lo = 10000, hi = contig.length - 101;
    n = std::min<uint64_t>(n, static_cast<uint64_t>(hi - lo + 1));
    std::vector<int64_t> positions;
    positions.reserve(n);
    while (positions.size() < n) {
      for (uint64_t missing = n - positions.size(); missing > 0; --missing) {
        positions.push_back(main_rng_.Between(lo, hi));
      }
      std::sort(positions.begin(), positions.end());
      positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    }
    return positions;
  }

  void WriteContig(const ContigLength& contig, uint64_t n) {
    if (n == 0) return;
    const std::vector<int64_t> positions = DrawPositions(contig, n);
    const bool perturb = options_.perturb_frac > 0;
    const double f = options_.perturb_frac;
    for (size_t i = 0; i < positions.size(); ++i) {
      MakeRecord(main_rng_, contig, positions[i], record_);
      if (!perturb) {
        WriteRecord(contig, record_);
        continue;
      }
      const double u = perturb_rng_.Uniform();
      if (u >= 0.4 * f) {  // below: the record is dropped
        if (u < 0.6 * f) {
          ChangeAlt(record_);
        } else if (u < f) {
          Alter(record_);
        }
        WriteRecord(contig, record_);
      }
      const int64_t next = i + 1 < positions.size() ? positions[i + 1] : contig.length - 100;
      if (perturb_rng_.Uniform() < 0.4 * f && positions[i] + 1 < next) {
        MakeRecord(perturb_rng_, contig, positions[i] + 1, extra_);
        WriteRecord(contig, extra_);
      }
    }
  }

  double DrawAlleleFrequency(Xoshiro256& rng) {
    // U-shaped site frequency spectrum: many rare, some common.
    const double u = rng.Uniform();
    if (u < 0.55) return rng.Uniform(0.0002, 0.01);
    if (u < 0.80) return rng.Uniform(0.01, 0.1);
    return rng.Uniform(0.1, 0.95);
  }

  void MakeAlleles(Xoshiro256& rng, const ContigLength& contig, Record& rec) {
    const double r = rng.Uniform();
    const char ref = RandomBase(rng);
    rec.ref.assign(1, ref);
    rec.alts.resize(1);
    rec.svlen = 0;
    if (r < 0.84) {
      rec.kind = VariantClass::kSnv;
      const char* tv = Transversions(ref);
      rec.alts[0].assign(1, rng.Uniform() < 0.68 ? Transition(ref) : tv[rng.Below(2)]);
    } else if (r < 0.91) {
      rec.kind = VariantClass::kDeletion;
      const int n = 1 + indel_length_.Sample(rng);
      for (int k = 0; k < n; ++k) rec.ref.push_back(RandomBase(rng));
      rec.alts[0].assign(1, ref);
    } else if (r < 0.97) {
      rec.kind = VariantClass::kInsertion;
      const int n = 1 + indel_length_.Sample(rng);
      rec.alts[0].assign(1, ref);
      for (int k = 0; k < n; ++k) rec.alts[0].push_back(RandomBase(rng));
    } else if (r < 0.975) {
      rec.kind = VariantClass::kMnp;
      rec.ref.push_back(RandomBase(rng));
      rec.alts[0].clear();
      for (char base : rec.ref) rec.alts[0].push_back(RandomBaseExcept(rng, base));
    } else if (r < 0.999) {
      rec.kind = VariantClass::kMultiallelic;
      rec.alts.resize(2);
      const char a1 = RandomBaseExcept(rng, ref);
      rec.alts[0].assign(1, a1);
      if (rng.Uniform() < 0.5) {
        rec.alts[1].assign(1, RandomBaseExcept(rng, ref, a1));
      } else {
        rec.alts[1].assign(1, ref);
        const int64_t n = rng.Between(1, 6);
        for (int64_t k = 0; k < n; ++k) rec.alts[1].push_back(RandomBase(rng));
      }
    } else {
      rec.kind = VariantClass::kSymbolicDeletion;
      rec.alts[0] = "<DEL>";
      rec.svlen = rng.Between(50, 20000);
      if (rec.pos + rec.svlen >= contig.length) rec.svlen = std::max<int64_t>(1, contig.length - rec.pos - 1);
    }
  }

  void DrawGenotype(Xoshiro256& rng, Record& rec, int sample) {
    int8_t* alleles = &rec.alleles[2 * static_cast<size_t>(sample)];
    if (rng.Uniform() < options_.missing_frac) {
      alleles[0] = alleles[1] = -1;
      rec.depth[sample] = rec.quality[sample] = -1;
      return;
    }
    const double cum1 = rec.af[0];
    const double cum2 = cum1 + rec.af[1];
    for (int h = 0; h < 2; ++h) {
      const double u = rng.Uniform();
      alleles[h] = u >= cum2 ? 0 : (u < cum1 ? 1 : 2);
    }
    rec.depth[sample] = 5 + depth_.Sample(rng);
    rec.quality[sample] = 1 + quality_.Sample(rng);
  }

  void MakeRecord(Xoshiro256& rng, const ContigLength& contig, int64_t pos, Record& rec) {
    rec.pos = pos;
    MakeAlleles(rng, contig, rec);
    rec.id.clear();
    if (rng.Uniform() < 0.4) {
      rec.id = "rs";
      AppendIntTo(rec.id, rng.Between(1, 2000000000));
    }
    rec.qual_centi = rng.Uniform() > 0.01 ? static_cast<int>(rng.Between(300, 300000)) : -1;
    const double fr = rng.Uniform();
    rec.filter = fr < 0.90 ? 0 : (fr < 0.97 ? 1 : 2);
    const double af = DrawAlleleFrequency(rng);
    if (rec.alts.size() == 1) {
      rec.af[0] = af;
      rec.af[1] = 0;
    } else {
      rec.af[0] = af * 0.7;
      rec.af[1] = af * 0.3;
    }
    rec.db = !rec.id.empty() && rng.Uniform() < 0.8;
    rec.mq_centi = static_cast<int>(rng.Between(2000, 6000));
    const int ns = options_.samples;
    if (ns == 0) {
      rec.site_dp = static_cast<int>(rng.Between(1000, 40000));
      return;
    }
    rec.phased = rng.Uniform() < options_.phased_frac;
    rec.alleles.resize(2 * static_cast<size_t>(ns));
    rec.depth.resize(ns);
    rec.quality.resize(ns);
    for (int s = 0; s < ns; ++s) DrawGenotype(rng, rec, s);
  }

  // Perturbation: a different ALT (SNVs), else different genotypes (or QUAL, without samples).
  void ChangeAlt(Record& rec) {
    if (rec.kind != VariantClass::kSnv) return Alter(rec);
    rec.alts[0].assign(1, RandomBaseExcept(perturb_rng_, rec.ref[0], rec.alts[0][0]));
  }
  // Flips one random sample's genotype and ~5% of the others (hom-ref or missing <-> het), so the
  // record always differs from the unperturbed one.
  void Alter(Record& rec) {
    if (options_.samples == 0) {
      rec.qual_centi = static_cast<int>(perturb_rng_.Between(300, 300000));
      return;
    }
    const auto always = static_cast<int>(perturb_rng_.Below(options_.samples));
    for (int s = 0; s < options_.samples; ++s) {
      if (s != always && perturb_rng_.Uniform() >= 0.05) continue;
      int8_t* alleles = &rec.alleles[2 * static_cast<size_t>(s)];
      const bool carrier = alleles[0] > 0 || alleles[1] > 0;
      alleles[0] = 0;
      alleles[1] = carrier ? 0 : 1;
      rec.depth[s] = 5 + depth_.Sample(perturb_rng_);
      rec.quality[s] = 1 + quality_.Sample(perturb_rng_);
    }
  }

  void WriteRecord(const ContigLength& contig, const Record& rec) {
    Append(contig.name);
    Append("\t");
    AppendInt(rec.pos);
    Append("\t");
    Append(rec.id.empty() ? std::string_view(".") : std::string_view(rec.id));
    Append("\t");
    Append(rec.ref);
    Append("\t");
    for (size_t a = 0; a < rec.alts.size(); ++a) {
      if (a) Append(",");
      Append(rec.alts[a]);
    }
    Append("\t");
    if (rec.qual_centi < 0) {
      Append(".");
    } else {
      AppendCenti(rec.qual_centi);
    }
    static constexpr const char* kFilters[] = {"PASS", "LowQual", "q10"};
    Append("\t");
    Append(kFilters[rec.filter]);
    Append("\t");
    const size_t n_alt = rec.alts.size();
    int64_t ac[2] = {0, 0};
    int64_t an = 0;
    int64_t dp = 0;
    if (options_.samples == 0) {
      an = 5008;
      for (size_t a = 0; a < n_alt; ++a) {
        // max(1, round(af * an)); af * an > 0, so adding 0.5 and truncating rounds half up.
        ac[a] = std::max<int64_t>(1, static_cast<int64_t>(rec.af[a] * an + 0.5));
      }
      dp = rec.site_dp;
    } else {
      for (int s = 0; s < options_.samples; ++s) {
        const int8_t* alleles = &rec.alleles[2 * s];
        if (alleles[0] < 0) continue;
        an += 2;
        for (int h = 0; h < 2; ++h) {
          if (alleles[h] > 0) ++ac[alleles[h] - 1];
        }
        dp += rec.depth[s];
      }
    }
    Append("AC=");
    for (size_t a = 0; a < n_alt; ++a) {
      if (a) Append(",");
      AppendInt(ac[a]);
    }
    Append(";AN=");
    AppendInt(an);
    Append(";AF=");
    for (size_t a = 0; a < n_alt; ++a) {
      if (a) Append(",");
      if (an == 0) {
        Append(".");
      } else {
        char text[32];
        const int len = std::snprintf(text, sizeof text, "%.4g",
                                      static_cast<double>(ac[a]) / static_cast<double>(an));
        Append(std::string_view(text, len));
      }
    }
    Append(";DP=");
    AppendInt(dp);
    Append(";MQ=");
    AppendCenti(rec.mq_centi);
    if (rec.kind == VariantClass::kSymbolicDeletion) {
      Append(";END=");
      AppendInt(rec.pos + rec.svlen);
      Append(";SVLEN=");
      AppendInt(-rec.svlen);
      Append(";SVTYPE=DEL");
    }
    if (rec.db) Append(";DB");
    if (options_.samples > 0) {
      Append("\tGT:DP:GQ");
      const char sep = rec.phased ? '|' : '/';
      for (int s = 0; s < options_.samples; ++s) {
        const int8_t* alleles = &rec.alleles[2 * s];
        if (alleles[0] < 0) {
          Append("\t./.:.:.");
          continue;
        }
        const char gt[5] = {'\t', static_cast<char>('0' + alleles[0]), sep,
                            static_cast<char>('0' + alleles[1]), ':'};
        Append(std::string_view(gt, 5));
        AppendInt(rec.depth[s]);
        Append(":");
        AppendInt(rec.quality[s]);
      }
    }
    Append("\n");
    if (buffer_.size() >= (1u << 20)) Flush();
  }

  void Append(std::string_view text) { buffer_.append(text); }
  static void AppendIntTo(std::string& out, int64_t value) {
    char text[24];
    const auto result = std::to_chars(text, text + sizeof text, value);
    out.append(text, result.ptr);
  }
  void AppendInt(int64_t value) { AppendIntTo(buffer_, value); }
  // A non-negative number of hundredths as "units.hh".
  void AppendCenti(int64_t centi) {
    AppendInt(centi / 100);
    const char frac[3] = {'.', static_cast<char>('0' + centi % 100 / 10),
                          static_cast<char>('0' + centi % 10)};
    Append(std::string_view(frac, 3));
  }
  void Flush() {
    if (!buffer_.empty()) sink_(buffer_);
    buffer_.clear();
  }

  SyntheticVcfOptions options_;
  Sink sink_;
  Xoshiro256 main_rng_;
  Xoshiro256 perturb_rng_;
  // exp(-1/25), exp(-1/40), exp(-0.35) as exact literals: no libm in the output path.
  FlooredExponential depth_{0x1.ebec97e700b8dp-1, 100000};
  FlooredExponential quality_{0x1.f35bd21f40adcp-1, 98};
  FlooredExponential indel_length_{0x1.68cce09671f71p-1, 39};
  Record record_;
  Record extra_;
  std::string buffer_;
};

// Convenience: the whole VCF as a string (tests, small files).
inline std::string SyntheticVcfText(const SyntheticVcfOptions& options) {
  std::string text;
  SyntheticVcfWriter(options, [&text](std::string_view chunk) { text.append(chunk); }).Write();
  return text;
}

}  // namespace vcfagent::bench
