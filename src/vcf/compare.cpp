#include "vcf/compare.h"

#include <htslib/hts.h>

#include <memory>
#include <unordered_map>
#include <utility>

#include "fmt/format.h"
#include "util/progress.h"
#include "vcf/compare_input.h"
#include "vcf/record_writer.h"
#include "vcf/normalize.h"
#include "vcf/variant_reader.h"

namespace vcfagent::vcf {

// ---- metrics ----------------------------------------------------------------------------------

uint64_t GenotypeConfusion::called_in_both() const {
  uint64_t n = 0;
  for (int a = 0; a < kMissingGenotype; ++a) {
    for (int b = 0; b < kMissingGenotype; ++b) n += matrix[a][b];
  }
  return n;
}

std::optional<double> GenotypeConfusion::concordance() const {
  const uint64_t called = called_in_both();
  if (!called) return std::nullopt;
  const uint64_t same = matrix[kHomRef][kHomRef] + matrix[kHet][kHet] + matrix[kHomAlt][kHomAlt];
  return static_cast<double>(same) / static_cast<double>(called);
}

std::optional<double> GenotypeConfusion::non_ref_concordance() const {
  const uint64_t called = called_in_both() - matrix[kHomRef][kHomRef];
  if (!called) return std::nullopt;
  const uint64_t same = matrix[kHet][kHet] + matrix[kHomAlt][kHomAlt];
  return static_cast<double>(same) / static_cast<double>(called);
}

void GenotypeConfusion::Add(const GenotypeConfusion& other) {
  for (int a = 0; a < kGenotypeStates; ++a) {
    for (int b = 0; b < kGenotypeStates; ++b) matrix[a][b] += other.matrix[a][b];
  }
}

std::optional<double> ClassMetrics::precision() const {
  if (tp_query + fp == 0) return std::nullopt;
  return static_cast<double>(tp_query) / static_cast<double>(tp_query + fp);
}

std::optional<double> ClassMetrics::recall() const {
  if (tp_truth + fn == 0) return std::nullopt;
  return static_cast<double>(tp_truth) / static_cast<double>(tp_truth + fn);
}

std::optional<double> ClassMetrics::f1() const {
  const auto p = precision(), r = recall();
  if (!p || !r || *p + *r == 0) return std::nullopt;
  return 2 * *p * *r / (*p + *r);
}

namespace {

enum class VariantClass { kSnv, kIndel, kOther };

VariantClass ClassOf(bcf1_t* rec) {
  const int types = bcf_get_variant_types(rec) & ~VCF_OVERLAP;
  if (types == VCF_SNP) return VariantClass::kSnv;
  if (types == VCF_INDEL) return VariantClass::kIndel;
  return VariantClass::kOther;
}

void Count(ClassCounts& counts, VariantClass c) {
  switch (c) {
    case VariantClass::kSnv: ++counts.snv; break;
    case VariantClass::kIndel: ++counts.indel; break;
    case VariantClass::kOther: ++counts.other; break;
  }
}

// ---- contigs ----------------------------------------------------------------------------------

// One numbering of contig names for both files: A's ##contig order, then B's, then names first
// seen in records. The numbers order contigs only as a last resort, when the files are on
// different contigs and neither can be read ahead (see Comparison::NextContig).
class ContigOrder {
 public:
  int Id(const std::string& name) {
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    const int id = static_cast<int>(names_.size());
    ids_.emplace(name, id);
    names_.push_back(name);
    return id;
  }
  void AddHeader(const bcf_hdr_t* header) {
    for (const auto& name : HeaderContigs(header)) Id(name);
  }
  const std::string& Name(int id) const { return names_[id]; }
  bool Contains(std::string_view name) const { return ids_.count(std::string(name)) > 0; }
  int size() const { return static_cast<int>(names_.size()); }

 private:
  std::unordered_map<std::string, int> ids_;
  std::vector<std::string> names_;
};

// ---- record output ----------------------------------------------------------------------------

// ---- genotypes --------------------------------------------------------------------------------

class GenotypeStates {
 public:
  // Fills `states[i]` for the samples in `columns`; false when the record has no GT.
  void Read(const bcf_hdr_t* header, bcf1_t* rec, const std::vector<int>& columns,
            std::vector<GenotypeState>& states) {
    states.assign(columns.size(), kMissingGenotype);
    const int n = bcf_get_genotypes(header, rec, &gt_, &gt_alloc_);
    const int n_samples = bcf_hdr_nsamples(header);
    if (n <= 0 || n_samples == 0) return;
    const int ploidy = n / n_samples;
    for (size_t i = 0; i < columns.size(); ++i) {
      const int32_t* g = gt_ + static_cast<size_t>(columns[i]) * ploidy;
      int first = -1;
      bool missing = false, het = false, any = false;
      for (int k = 0; k < ploidy; ++k) {
        if (g[k] == bcf_int32_vector_end) break;
        if (bcf_gt_is_missing(g[k])) {
          missing = true;
          break;
        }
        const int allele = bcf_gt_allele(g[k]);
        if (!any) first = allele;
        else if (allele != first) het = true;
        any = true;
      }
      if (missing || !any) states[i] = kMissingGenotype;
      else if (het) states[i] = kHet;
      else states[i] = first == 0 ? kHomRef : kHomAlt;
    }
  }
  ~GenotypeStates() { free(gt_); }

 private:
  int32_t* gt_ = nullptr;
  int gt_alloc_ = 0;
};

// ---- the sweep --------------------------------------------------------------------------------

class Comparison {
 public:
  Comparison(const CompareOptions& options, CompareResult& result)
      : options_(options), result_(result), pairer_(options.match) {}

  Status Run(const std::string& path_a, const std::string& path_b) {
    if (!options_.fasta.empty()) {
      if (!options_.normalize) return Status::Usage("--fasta needs --normalize");
      auto ref = ReferenceGenome::Open(options_.fasta);
      if (!ref.ok()) return ref.status();
      reference_ = std::move(*ref);
    }
    for (int i = 0; i < 2; ++i) {
      SortedInputOptions input;
      input.threads = options_.threads;
      input.regions = &regions_;
      input.normalize = options_.normalize;
      input.reference = reference_.get();
      auto in = SortedInput::Open(i == 0 ? path_a : path_b, input);
      if (!in.ok()) return in.status();
      side_[i].in = std::move(*in);
    }
    contigs_.AddHeader(side_[0].in->header());
    contigs_.AddHeader(side_[1].in->header());
    // Parsed once both headers are known, so that contig names containing ':' resolve as htslib
    // resolves them; the inputs hold a pointer to regions_ and read no record before this.
    auto regions = ParseRegionArguments(options_.regions, [this](std::string_view name) {
      return contigs_.Contains(name);
    });
    if (!regions.ok()) return regions.status();
    regions_ = std::move(*regions);
    MatchSamples();
    VCFAGENT_RETURN_IF_ERROR(OpenWriters());

    ProgressMeter progress(fmt::format("compare {} {}", DisplayName(path_a), DisplayName(path_b)));
    for (int i = 0; i < 2; ++i) VCFAGENT_RETURN_IF_ERROR(Advance(i));
    while (side_[0].next || side_[1].next) {
      auto next = NextContig();
      if (!next.ok()) return next.status();
      if (*next == kByIndex) {
        VCFAGENT_RETURN_IF_ERROR(SweepByIndex(progress));
        break;
      }
      VCFAGENT_RETURN_IF_ERROR(SweepContig(*next, progress));
    }
    progress.Finish(side_[0].in->records() + side_[1].in->records());
    result_.records_a = side_[0].in->records() - side_[0].dropped;
    result_.records_b = side_[1].in->records() - side_[1].dropped;
    for (auto& writer : writers_) {
      if (writer) VCFAGENT_RETURN_IF_ERROR(writer->Finish());
    }
    for (const auto& sample : result_.samples) result_.all_samples.Add(sample);
    WarnIfNoCommonContig();
    return Status::Ok();
  }

 private:
  struct Side {
    std::unique_ptr<SortedInput> in;
    BcfRecordPtr next;  // the next record not yet compared
    int next_contig = -1;
    std::vector<BcfRecordPtr> here;  // the records at the current position
    std::vector<bcf1_t*> here_raw;
    std::vector<bool> contigs_seen;  // by contig id: the file has records there
    uint64_t dropped = 0;            // records read, then read again by index
  };
  enum Output { kPrivateA = 0, kPrivateB = 1, kShared = 2 };
  static constexpr int kByIndex = -1;  // NextContig: compare the rest contig by contig, by index

  bool OnContig(int i, int contig) const { return side_[i].next && side_[i].next_contig == contig; }

  // Compares the records of both files on `contig`, from where each file is.
  Status SweepContig(int contig, ProgressMeter& progress) {
    while (OnContig(0, contig) || OnContig(1, contig)) {
      if (CancelRequested()) return Status::Cancelled("interrupted");
      int64_t pos = INT64_MAX;
      for (int i = 0; i < 2; ++i) {
        if (OnContig(i, contig)) pos = std::min<int64_t>(pos, side_[i].next->pos);
      }
      for (int i = 0; i < 2; ++i) {
        side_[i].here.clear();
        while (OnContig(i, contig) && side_[i].next->pos == pos) {
          side_[i].here.push_back(std::move(side_[i].next));
          VCFAGENT_RETURN_IF_ERROR(Advance(i));
        }
      }
      VCFAGENT_RETURN_IF_ERROR(ComparePosition());
      progress.Update(side_[0].in->records() + side_[1].in->records());
    }
    closed_[contig] = true;
    return Status::Ok();
  }

  // The rest of the comparison for two indexed files whose shared contigs come in opposite
  // orders: each contig not compared yet (A's index order, then B's others) is read from both
  // files by their indexes, as bcftools isec reads them.
  Status SweepByIndex(ProgressMeter& progress) {
    std::vector<std::string> order;
    std::unordered_map<std::string, bool> listed;
    for (int i = 0; i < 2; ++i) {
      for (const auto& name : side_[i].in->IndexContigs()) {
        const int id = contigs_.Id(name);
        if (id < static_cast<int>(closed_.size()) && closed_[id]) continue;
        if (listed.emplace(name, true).second) order.push_back(name);
      }
    }
    closed_.resize(contigs_.size(), false);
    for (int i = 0; i < 2; ++i) {
      if (side_[i].next) ++side_[i].dropped;  // read again from its contig's start
      side_[i].next.reset();
    }
    for (const auto& name : order) {
      for (int i = 0; i < 2; ++i) {
        VCFAGENT_RETURN_IF_ERROR(side_[i].in->SeekContig(name));
        VCFAGENT_RETURN_IF_ERROR(Advance(i));
      }
      VCFAGENT_RETURN_IF_ERROR(SweepContig(contigs_.Id(name), progress));
      for (int i = 0; i < 2; ++i) {
        if (side_[i].next) {
          return Status::Internal(fmt::format("{}: record on contig '{}' while reading '{}' by index",
                                              side_[i].in->Where(), contigs_.Name(side_[i].next_contig), name));
        }
      }
    }
    return Status::Ok();
  }

  Status Advance(int i) {
    Side& side = side_[i];
    auto rec = side.in->Next();
    if (!rec.ok()) return rec.status();
    side.next = std::move(*rec);
    if (!side.next) return Status::Ok();
    side.next_contig = contigs_.Id(bcf_seqname_safe(side.in->header(), side.next.get()));
    if (side.next_contig >= static_cast<int>(closed_.size())) closed_.resize(contigs_.size(), false);
    if (side.next_contig >= static_cast<int>(side.contigs_seen.size())) side.contigs_seen.resize(contigs_.size(), false);
    side.contigs_seen[side.next_contig] = true;
    if (closed_[side.next_contig]) {
      const Side& other = side_[1 - i];
      // Reachable only when an input could not be read ahead (see NextContig).
      return Status::InvalidInput(fmt::format(
          "{}: contig '{}' comes after contigs that {} has before it: {} (sort both with the "
          "same contig order, e.g. bcftools sort after giving both the same ##contig header "
          "lines)",
          side.in->Where(), contigs_.Name(side.next_contig), DisplayName(other.in->path()),
          guessed_order_ ? "neither input can be read twice (standard input or a pipe) to find "
                           "an order that suits both, and the header order did not; give them as "
                           "files"
                         : "the two files order their contigs differently"));
    }
    return Status::Ok();
  }

  void WarnIfNoCommonContig() {
    std::string names[2];
    bool any_common = false, both = true;
    for (int i = 0; i < 2; ++i) {
      int listed = 0;
      for (size_t c = 0; c < side_[i].contigs_seen.size(); ++c) {
        if (!side_[i].contigs_seen[c]) continue;
        if (i == 1 && c < side_[0].contigs_seen.size() && side_[0].contigs_seen[c]) any_common = true;
        if (listed++ < 3) names[i] += (names[i].empty() ? "" : ", ") + contigs_.Name(static_cast<int>(c));
      }
      if (!listed) both = false;
      if (listed > 3) names[i] += ", ...";
    }
    if (both && !any_common) {
      result_.warnings.push_back(fmt::format(
          "the files have no contig in common (A: {}; B: {}); are the names spelt differently, "
          "e.g. 'chr1' and '1'?",
          names[0], names[1]));
    }
  }

  // The contig to sweep next. When the files are on different contigs X (A) and Y (B), X can go
  // first unless B has X further on, and Y unless A has Y further on; if both files have both,
  // their orders conflict and no single pass can pair their records (with both files indexed,
  // kByIndex: the rest is read contig by contig by the indexes). Whether a file has a contig
  // further on comes from its index or a scan (SortedInput::HasContig); only when neither file
  // can say (both read from pipes) does the header order guess, checked by Advance().
  Result<int> NextContig() {
    if (!side_[0].next) return side_[1].next_contig;
    if (!side_[1].next) return side_[0].next_contig;
    const int x = side_[0].next_contig, y = side_[1].next_contig;
    if (x == y) return x;
    auto b_has_x = side_[1].in->HasContig(contigs_.Name(x));
    if (!b_has_x.ok()) return b_has_x.status();
    if (*b_has_x == false) return x;
    auto a_has_y = side_[0].in->HasContig(contigs_.Name(y));
    if (!a_has_y.ok()) return a_has_y.status();
    if (*a_has_y == false) return y;
    if (*b_has_x == true && *a_has_y == true) {
      if (side_[0].in->CanSeek() && side_[1].in->CanSeek()) return kByIndex;
      return Status::InvalidInput(fmt::format(
          "{}: contig '{}' comes before contig '{}' in this file, and after it in {}: the two "
          "files order their contigs differently, so they cannot be compared in one pass (bgzip "
          "and index both, and they are read by index; or sort one in the other's contig order, "
          "e.g. bcftools sort after giving both the same ##contig header lines)",
          side_[0].in->Where(), contigs_.Name(x), contigs_.Name(y), DisplayName(side_[1].in->path())));
    }
    if (*b_has_x == true) return y;
    if (*a_has_y == true) return x;
    guessed_order_ = true;  // A's then B's ##contig order, then first seen
    return std::min(x, y);
  }

  void MatchSamples() {
    const bcf_hdr_t* ha = side_[0].in->header();
    const bcf_hdr_t* hb = side_[1].in->header();
    for (int i = 0; i < bcf_hdr_nsamples(ha); ++i) {
      const int j = bcf_hdr_id2int(hb, BCF_DT_SAMPLE, ha->samples[i]);
      if (j < 0) continue;
      columns_a_.push_back(i);
      columns_b_.push_back(j);
      result_.samples.push_back(GenotypeConfusion{ha->samples[i], {}});
    }
  }

  Status OpenWriters() {
    const std::string* paths[3] = {&options_.write_private_a, &options_.write_private_b,
                                   &options_.write_shared};
    for (int k = 0; k < 3; ++k) {
      if (paths[k]->empty()) continue;
      WriterOptions format;
      format.format = RecordFormatForPath(*paths[k]);
      auto writer = OpenRecordWriter(*paths[k], format);
      if (!writer.ok()) return writer.status();
      writers_[k] = std::move(*writer);
      VCFAGENT_RETURN_IF_ERROR(writers_[k]->Begin(side_[k == kPrivateB ? 1 : 0].in->header()));
    }
    return Status::Ok();
  }

  void CountGenotypes(bcf1_t* a, bcf1_t* b) {
    if (columns_a_.empty()) return;
    if (a) states_a_.Read(side_[0].in->header(), a, columns_a_, gt_a_);
    else gt_a_.assign(columns_a_.size(), kMissingGenotype);
    if (b) states_b_.Read(side_[1].in->header(), b, columns_b_, gt_b_);
    else gt_b_.assign(columns_b_.size(), kMissingGenotype);
    for (size_t s = 0; s < columns_a_.size(); ++s) ++result_.samples[s].matrix[gt_a_[s]][gt_b_[s]];
  }

  void CountTruth(bcf1_t* truth, bcf1_t* query) {
    auto metrics = [&](VariantClass c) -> ClassMetrics* {
      if (c == VariantClass::kSnv) return &result_.snv;
      if (c == VariantClass::kIndel) return &result_.indel;
      return nullptr;
    };
    if (truth && query) {
      if (ClassMetrics* m = metrics(ClassOf(truth))) ++m->tp_truth;
      if (ClassMetrics* m = metrics(ClassOf(query))) ++m->tp_query;
    } else if (truth) {
      if (ClassMetrics* m = metrics(ClassOf(truth))) ++m->fn;
    } else if (query) {
      if (ClassMetrics* m = metrics(ClassOf(query))) ++m->fp;
    }
  }

  Status ComparePosition() {
    for (int i = 0; i < 2; ++i) {
      side_[i].here_raw.clear();
      for (auto& rec : side_[i].here) side_[i].here_raw.push_back(rec.get());
    }
    pairer_.Pair(side_[0].in->header(), side_[0].here_raw, side_[1].in->header(), side_[1].here_raw,
                 lines_);
    for (const PairedLine& line : lines_) {
      if (options_.on_site) options_.on_site(side_[0].in->header(), line.a, side_[1].in->header(), line.b);
      if (line.a && line.b) {
        Count(result_.shared, ClassOf(line.a));
        CountGenotypes(line.a, line.b);
        if (writers_[kShared]) VCFAGENT_RETURN_IF_ERROR(writers_[kShared]->Write(line.a));
      } else if (line.a) {
        Count(result_.a_only, ClassOf(line.a));
        if (options_.absent_as_missing) CountGenotypes(line.a, nullptr);
        if (writers_[kPrivateA]) VCFAGENT_RETURN_IF_ERROR(writers_[kPrivateA]->Write(line.a));
      } else {
        Count(result_.b_only, ClassOf(line.b));
        if (options_.absent_as_missing) CountGenotypes(nullptr, line.b);
        if (writers_[kPrivateB]) VCFAGENT_RETURN_IF_ERROR(writers_[kPrivateB]->Write(line.b));
      }
      if (options_.truth == TruthFile::kA) CountTruth(line.a, line.b);
      if (options_.truth == TruthFile::kB) CountTruth(line.b, line.a);
    }
    for (int i = 0; i < 2; ++i) {
      for (auto& rec : side_[i].here) side_[i].in->Recycle(std::move(rec));
      side_[i].here.clear();
    }
    return Status::Ok();
  }

  const CompareOptions& options_;
  CompareResult& result_;
  SitePairer pairer_;
  RegionSet regions_;
  std::unique_ptr<ReferenceGenome> reference_;
  Side side_[2];
  ContigOrder contigs_;
  std::vector<bool> closed_;
  bool guessed_order_ = false;
  std::vector<int> columns_a_, columns_b_;
  GenotypeStates states_a_, states_b_;
  std::vector<GenotypeState> gt_a_, gt_b_;
  std::vector<PairedLine> lines_;
  std::unique_ptr<RecordSink> writers_[3];
};

}  // namespace

Result<CompareResult> CompareFiles(const std::string& a, const std::string& b,
                                   const CompareOptions& options) {
  CompareResult result;
  result.file_a = a;
  result.file_b = b;
  result.match = options.match;
  result.normalized = options.normalize;
  result.left_aligned = options.normalize && !options.fasta.empty();
  result.absent_as_missing = options.absent_as_missing;
  result.truth = options.truth;
  Comparison comparison(options, result);
  VCFAGENT_RETURN_IF_ERROR(comparison.Run(a, b));
  return result;
}

}  // namespace vcfagent::vcf
