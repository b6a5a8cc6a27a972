#include "ai/report/cohort_scan.h"

#include <htslib/vcf.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "store/annotation/allele_annotator.h"
#include "store/annotation/consequence.h"
#include "store/variant_types.h"
#include "util/progress.h"
#include "vcf/variant_reader.h"

namespace vcfagent::ai::report {

const std::vector<std::string> kLossOfFunctionTerms = {
    "transcript_ablation", "splice_acceptor_variant", "splice_donor_variant",
    "stop_gained",         "frameshift_variant",      "start_lost"};

namespace {

using store::Zygosity;

std::string_view StripChr(std::string_view name) {
  if (name.size() > 3 && (name.substr(0, 3) == "chr" || name.substr(0, 3) == "CHR" || name.substr(0, 3) == "Chr")) {
    name.remove_prefix(3);
  }
  return name;
}

// The same chromosome classes relatedness.h uses: X; Y, mitochondria and XY pseudo-contigs are
// neither; every other contig counts as an autosome.
enum class ChromKind { kAutosome, kX, kOther };
ChromKind KindOf(std::string_view name) {
  const std::string_view n = StripChr(name);
  if (n == "X" || n == "x" || n == "23") return ChromKind::kX;
  if (n == "Y" || n == "y" || n == "M" || n == "MT" || n == "m" || n == "24" || n == "25" || n == "26" ||
      n == "XY") {
    return ChromKind::kOther;
  }
  return ChromKind::kAutosome;
}

bool IsLossOfFunction(std::string_view consequence) {
  size_t start = 0;
  while (start <= consequence.size()) {
    size_t amp = consequence.find('&', start);
    if (amp == std::string_view::npos) amp = consequence.size();
    const std::string term = store::CanonicalConsequence(consequence.substr(start, amp - start));
    for (const auto& lof : kLossOfFunctionTerms) {
      if (term == lof) return true;
    }
    start = amp + 1;
  }
  return false;
}

// The build from the header: chr1/chrX lengths are exact fingerprints; names are the fallback.
void DetectBuild(const bcf_hdr_t* hdr, CohortScan& scan) {
  for (int i = 0; i < hdr->n[BCF_DT_CTG]; ++i) {
    const char* name = hdr->id[BCF_DT_CTG][i].key;
    const bcf_idinfo_t* info = hdr->id[BCF_DT_CTG][i].val;
    if (name == nullptr || info == nullptr) continue;
    const std::string_view n = StripChr(name);
    const uint64_t length = info->info[0];
    if ((n == "1" && length == 249250621) || (n == "X" && length == 155270560)) {
      scan.build = store::GenomeBuild::kGrch37;
      scan.build_evidence = fmt::format("contig {} length {} (GRCh37)", name, length);
      return;
    }
    if ((n == "1" && length == 248956422) || (n == "X" && length == 156040895)) {
      scan.build = store::GenomeBuild::kGrch38;
      scan.build_evidence = fmt::format("contig {} length {} (GRCh38)", name, length);
      return;
    }
  }
  for (int i = 0; i < hdr->nhrec; ++i) {
    const bcf_hrec_t* h = hdr->hrec[i];
    std::string text = std::string(h->key ? h->key : "") + "=" + (h->value ? h->value : "");
    for (int k = 0; k < h->nkeys; ++k) text += std::string(",") + h->keys[k] + "=" + (h->vals[k] ? h->vals[k] : "");
    for (const char* tag : {"GRCh37", "hg19", "b37", "hs37d5", "human_g1k_v37"}) {
      if (text.find(tag) != std::string::npos) {
        scan.build = store::GenomeBuild::kGrch37;
        scan.build_evidence = fmt::format("header mentions {} (GRCh37)", tag);
        return;
      }
    }
    for (const char* tag : {"GRCh38", "hg38"}) {
      if (text.find(tag) != std::string::npos) {
        scan.build = store::GenomeBuild::kGrch38;
        scan.build_evidence = fmt::format("header mentions {} (GRCh38)", tag);
        return;
      }
    }
  }
  scan.build = store::GenomeBuild::kGrch38;
  scan.build_evidence = "no build in the header: GRCh38 assumed";
}

// Decodes each sample's copies of one ALT allele from the record's GT array.
struct GenotypeView {
  const int32_t* gt = nullptr;
  int ploidy = 0;
  int samples = 0;
  Zygosity ZygosityOf(int sample, int allele) const {
    const int32_t* g = gt + static_cast<size_t>(sample) * ploidy;
    int copies = 0, present = 0;
    bool missing = false;
    for (int k = 0; k < ploidy; ++k) {
      if (g[k] == bcf_int32_vector_end) break;
      ++present;
      if (bcf_gt_is_missing(g[k])) {
        missing = true;
      } else if (bcf_gt_allele(g[k]) == allele) {
        ++copies;
      }
    }
    if (present == 0 || missing) return Zygosity::kMissing;
    if (copies == 0) return Zygosity::kHomRef;
    return copies == present ? Zygosity::kHomAlt : Zygosity::kHet;
  }
};

class Scanner {
 public:
  Scanner(const ScanLimits& limits, CohortScan& scan) : limits_(limits), scan_(scan) {}
  ~Scanner() {
    free(gt_);
    free(str_);
    free(af_);
    free(ac_);
    free(an_);
  }

  Status Run(const std::string& path);
  // The header's facts (samples, build, annotations), before the first record.
  void Begin(bcf_hdr_t* hdr);
  Status Record(bcf_hdr_t* hdr, bcf1_t* rec);
  // After the last record: the names of the contigs met.
  void End(bcf_hdr_t* hdr);

 private:
  const GenotypeView* Genotypes(bcf_hdr_t* hdr, bcf1_t* rec);
  void AddSite(CohortScan::SiteSet& set, uint64_t candidate, bcf1_t* rec, const GenotypeView& g);
  void Fill(NotableVariant& v, const GenotypeView* g, int allele) const;

  const ScanLimits& limits_;
  CohortScan& scan_;
  std::optional<store::ConsequenceParser> parser_;
  bool clnsig_per_allele_ = false;
  std::vector<ChromKind> chrom_kind_;
  int32_t* gt_ = nullptr;
  int n_gt_ = 0;
  char* str_ = nullptr;
  int n_str_ = 0;
  float* af_ = nullptr;
  int n_af_ = 0;
  int32_t* ac_ = nullptr;
  int n_ac_ = 0;
  int32_t* an_ = nullptr;
  int n_an_ = 0;
  GenotypeView view_;
  bool view_ready_ = false;
};

const GenotypeView* Scanner::Genotypes(bcf_hdr_t* hdr, bcf1_t* rec) {
  if (view_ready_) return view_.ploidy > 0 ? &view_ : nullptr;
  view_ready_ = true;
  view_ = {};
  const int n_samples = bcf_hdr_nsamples(hdr);
  if (n_samples == 0) return nullptr;
  const int n = bcf_get_genotypes(hdr, rec, &gt_, &n_gt_);
  if (n <= 0) return nullptr;
  view_ = {gt_, n / n_samples, n_samples};
  return view_.ploidy > 0 ? &view_ : nullptr;
}

void Scanner::AddSite(CohortScan::SiteSet& set, uint64_t candidate, bcf1_t* rec, const GenotypeView& g) {
  set.site_chrom.push_back(static_cast<uint32_t>(rec->rid));
  set.site_pos.push_back(rec->pos + 1);
  set.site_candidate.push_back(candidate);
  for (int s = 0; s < g.samples; ++s) {
    const Zygosity z = g.ZygosityOf(s, 1);
    if (z != Zygosity::kHomRef) set.calls.push_back(static_cast<uint32_t>(s) << 2 | static_cast<uint32_t>(z));
  }
  set.call_offsets.push_back(set.calls.size());
}

void Scanner::Fill(NotableVariant& v, const GenotypeView* g, int allele) const {
  if (g == nullptr) return;
  for (int s = 0; s < g->samples; ++s) {
    const Zygosity z = g->ZygosityOf(s, allele);
    if (z != Zygosity::kHet && z != Zygosity::kHomAlt) continue;
    ++v.carrier_count;
    if (v.carriers.size() < limits_.max_carriers) {
      v.carriers.push_back({scan_.samples[s], std::string(store::ToString(z))});
    }
  }
}

Status Scanner::Record(bcf_hdr_t* hdr, bcf1_t* rec) {
  view_ready_ = false;
  bcf_unpack(rec, BCF_UN_STR | BCF_UN_INFO);
  if (rec->rid >= static_cast<int>(chrom_kind_.size())) {
    for (int i = static_cast<int>(chrom_kind_.size()); i <= rec->rid; ++i) {
      chrom_kind_.push_back(KindOf(bcf_hdr_id2name(hdr, i)));
    }
  }
  const ChromKind kind = chrom_kind_[rec->rid];
  const int n_alleles = rec->n_allele;

  // Genotype sites for kinship and sex.
  if (n_alleles == 2 && bcf_hdr_nsamples(hdr) > 0 &&
      store::ClassifyAllele(rec->d.allele[0], rec->d.allele[1]) == store::VariantClass::kSnv) {
    if (kind == ChromKind::kAutosome && scan_.autosomal_collected) {
      const uint64_t candidate = scan_.autosomal_candidates++;
      if (candidate % (uint64_t{1} << scan_.autosomal_thinning_level) == 0) {
        if (const GenotypeView* g = Genotypes(hdr, rec)) AddSite(scan_.autosomal_, candidate, rec, *g);
        while (scan_.autosomal_.site_chrom.size() > limits_.max_autosomal_sites ||
               scan_.autosomal_.calls.size() > limits_.max_calls * 4 / 5) {
          scan_.autosomal_.Thin(++scan_.autosomal_thinning_level);
        }
      }
    } else if (kind == ChromKind::kX && !store::InChrXPar(rec->pos + 1, scan_.build)) {
      const uint64_t candidate = scan_.chrx_candidates++;
      if (candidate % (uint64_t{1} << scan_.chrx_thinning_level) == 0) {
        if (const GenotypeView* g = Genotypes(hdr, rec)) AddSite(scan_.chrx_, candidate, rec, *g);
        while (scan_.chrx_.site_chrom.size() > limits_.max_chrx_sites ||
               scan_.chrx_.calls.size() > limits_.max_calls / 5) {
          scan_.chrx_.Thin(++scan_.chrx_thinning_level);
        }
      }
    }
  }

  // Notable variants.
  std::vector<store::AlleleConsequence> consequences;
  if (parser_) consequences = parser_->ParseRecord(hdr, rec);
  std::vector<std::string> clnsig;  // per ALT
  if (scan_.has_clnsig && bcf_get_info_string(hdr, rec, "CLNSIG", &str_, &n_str_) > 0) {
    const std::string text(str_);
    if (clnsig_per_allele_) {
      size_t start = 0;
      for (int a = 1; a < n_alleles; ++a) {
        const size_t comma = text.find(',', start);
        clnsig.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        start = comma == std::string::npos ? text.size() : comma + 1;
      }
    } else {
      clnsig.assign(static_cast<size_t>(n_alleles - 1), text);
    }
  }
  if (clnsig.empty() && consequences.empty()) return Status::Ok();

  bool af_read = false;
  int n_af = -1, n_ac = -1, n_an = -1;
  for (int a = 1; a < n_alleles; ++a) {
    const std::string_view alt = rec->d.allele[a];
    if (alt == "*" || alt == "<*>" || alt == "<NON_REF>") continue;
    const store::AlleleConsequence* csq = static_cast<size_t>(a - 1) < consequences.size() ? &consequences[a - 1] : nullptr;
    const std::string clinical = static_cast<size_t>(a - 1) < clnsig.size() && !clnsig[a - 1].empty() &&
                                         clnsig[a - 1] != "."
                                     ? store::ClinicalSignificanceClass(clnsig[a - 1])
                                     : "";
    const bool is_clinvar = clinical == "pathogenic" || clinical == "likely-pathogenic";
    const bool is_high = csq != nullptr && csq->impact == store::Impact::kHigh;
    const bool is_lof = csq != nullptr && IsLossOfFunction(csq->consequence);
    if (!is_clinvar && !is_high && !is_lof) continue;

    NotableVariant v;
    v.chrom = bcf_hdr_id2name(hdr, rec->rid);
    v.pos = rec->pos + 1;
    v.ref = rec->d.allele[0];
    v.alt = alt;
    if (csq != nullptr) {
      v.gene = csq->gene;
      v.consequence = csq->consequence;
      if (csq->impact != store::Impact::kNone) v.impact = store::ToString(csq->impact);
    }
    if (v.gene.empty() && bcf_get_info_string(hdr, rec, "GENEINFO", &str_, &n_str_) > 0) {
      // ClinVar: "SYMBOL:id|SYMBOL2:id2"; the first symbol names the gene.
      const std::string_view info(str_);
      v.gene = std::string(info.substr(0, info.find_first_of(":|")));
    }
    if (!clinical.empty()) {
      v.clinvar_class = clinical;
      v.clnsig = clnsig[a - 1];
    }
    if (!af_read) {
      af_read = true;
      n_af = bcf_get_info_float(hdr, rec, "AF", &af_, &n_af_);
      n_ac = bcf_get_info_int32(hdr, rec, "AC", &ac_, &n_ac_);
      n_an = bcf_get_info_int32(hdr, rec, "AN", &an_, &n_an_);
    }
    if (n_af >= a && !bcf_float_is_missing(af_[a - 1]) && !bcf_float_is_vector_end(af_[a - 1])) {
      v.af = af_[a - 1];
      v.af_source = "INFO/AF";
    } else if (n_ac >= a && n_an >= 1 && an_[0] > 0 && ac_[a - 1] != bcf_int32_missing &&
               ac_[a - 1] != bcf_int32_vector_end && an_[0] != bcf_int32_missing) {
      v.af = static_cast<double>(ac_[a - 1]) / an_[0];
      v.af_source = "INFO/AC/AN";
    } else if (const GenotypeView* g = Genotypes(hdr, rec)) {
      uint64_t alt_copies = 0, called = 0;
      for (int s = 0; s < g->samples; ++s) {
        const int32_t* gt = g->gt + static_cast<size_t>(s) * g->ploidy;
        for (int k = 0; k < g->ploidy && gt[k] != bcf_int32_vector_end; ++k) {
          if (bcf_gt_is_missing(gt[k])) continue;
          ++called;
          if (bcf_gt_allele(gt[k]) == a) ++alt_copies;
        }
      }
      if (called > 0) {
        v.af = static_cast<double>(alt_copies) / static_cast<double>(called);
        v.af_source = "genotypes";
      }
    }
    const bool is_rare_lof = is_lof && v.af && *v.af < limits_.rare_af;
    if (is_lof && !v.af) ++scan_.lof_af_unknown;

    bool filled = false;
    auto add = [&](NotableList& list) {
      ++list.total;
      if (list.items.size() >= limits_.max_listed) return;
      if (!filled) {
        Fill(v, Genotypes(hdr, rec), a);
        filled = true;
      }
      list.items.push_back(v);
    };
    if (is_clinvar) add(scan_.clinvar);
    if (is_high) add(scan_.high_impact);
    if (is_rare_lof) add(scan_.rare_lof);
  }
  return Status::Ok();
}

void Scanner::Begin(bcf_hdr_t* hdr) {
  for (int s = 0; s < bcf_hdr_nsamples(hdr); ++s) scan_.samples.emplace_back(hdr->samples[s]);
  DetectBuild(hdr, scan_);
  parser_ = store::ConsequenceParser::FromHeader(hdr);
  if (parser_) scan_.consequence_tag = parser_->tag();
  const int clnsig_id = bcf_hdr_id2int(hdr, BCF_DT_ID, "CLNSIG");
  if (clnsig_id >= 0 && bcf_hdr_idinfo_exists(hdr, BCF_HL_INFO, clnsig_id)) {
    scan_.has_clnsig = true;
    clnsig_per_allele_ = bcf_hdr_id2length(hdr, BCF_HL_INFO, clnsig_id) == BCF_VL_A;
  }
  scan_.autosomal_collected = scan_.samples.size() >= 2 && scan_.samples.size() <= limits_.max_kinship_samples;
}

void Scanner::End(bcf_hdr_t* hdr) {
  // htslib adds contigs missing from the header as it meets them: names come last.
  scan_.chrom_names_ = vcf::HeaderContigs(hdr);
  for (size_t i = scan_.chrom_names_.size(); i < chrom_kind_.size(); ++i) {
    scan_.chrom_names_.emplace_back(bcf_hdr_id2name(hdr, static_cast<int>(i)));
  }
}

Status Scanner::Run(const std::string& path) {
  vcf::ReaderOptions options;
  options.threads = std::max(0, limits_.threads);
  auto reader = vcf::VariantReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  bcf_hdr_t* hdr = (*reader)->header();
  Begin(hdr);
  vcf::BcfRecordPtr rec = vcf::NewRecord();
  for (;;) {
    auto more = (*reader)->Next(rec.get());
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++scan_.records;
    if ((scan_.records & 0x3FF) == 0 && CancelRequested()) return Status::Cancelled("interrupted");
    VCFAGENT_RETURN_IF_ERROR(Record(hdr, rec.get()));
  }
  End(hdr);
  return Status::Ok();
}

}  // namespace

void CohortScan::SiteSet::Thin(int level) {
  const uint64_t stride = uint64_t{1} << level;
  size_t out_site = 0;
  size_t out_call = 0;
  std::vector<uint64_t> offsets{0};
  for (size_t s = 0; s < site_chrom.size(); ++s) {
    if (site_candidate[s] % stride != 0) continue;
    for (uint64_t c = call_offsets[s]; c < call_offsets[s + 1]; ++c) calls[out_call++] = calls[c];
    site_chrom[out_site] = site_chrom[s];
    site_pos[out_site] = site_pos[s];
    site_candidate[out_site] = site_candidate[s];
    offsets.push_back(out_call);
    ++out_site;
  }
  site_chrom.resize(out_site);
  site_pos.resize(out_site);
  site_candidate.resize(out_site);
  calls.resize(out_call);
  call_offsets = std::move(offsets);
}

Result<store::CohortGraph> CohortScan::BuildGraph() const {
  store::CohortGraph::Builder builder;
  std::vector<uint32_t> members;
  for (const auto& name : samples) members.push_back(builder.AddSample(name));
  const uint32_t group = builder.AddSampleGroup(members);
  builder.SetChromNames(chrom_names_);
  builder.Reserve(autosomal_.site_chrom.size() + chrx_.site_chrom.size(), autosomal_.calls.size() + chrx_.calls.size());
  int64_t next_id = 1;
  for (const SiteSet* set : {&autosomal_, &chrx_}) {
    for (size_t s = 0; s < set->site_chrom.size(); ++s) {
      store::GraphVariant v;
      v.variant_id = next_id++;
      v.chrom_id = set->site_chrom[s];
      v.pos = set->site_pos[s];
      v.end = v.pos;
      v.variant_class = store::VariantClass::kSnv;
      v.biallelic_snv = true;
      v.group = group;
      const uint32_t index = builder.AddVariant(v);
      for (uint64_t c = set->call_offsets[s]; c < set->call_offsets[s + 1]; ++c) {
        builder.AddCall(index, set->calls[c] >> 2, static_cast<Zygosity>(set->calls[c] & 3));
      }
    }
  }
  return builder.Build();
}

Result<CohortScan> ScanCohort(const std::string& path, const ScanLimits& limits) {
  CohortScan scan;
  Scanner scanner(limits, scan);
  VCFAGENT_RETURN_IF_ERROR(scanner.Run(path));
  return scan;
}

struct CohortScanner::State {
  State(bcf_hdr_t* h, const ScanLimits& l) : header(h), limits(l), scanner(limits, scan) {}
  bcf_hdr_t* header;
  ScanLimits limits;
  CohortScan scan;
  Scanner scanner;
};

CohortScanner::CohortScanner(bcf_hdr_t* header, const ScanLimits& limits)
    : state_(std::make_unique<State>(header, limits)) {
  state_->scanner.Begin(header);
}

CohortScanner::~CohortScanner() = default;

Status CohortScanner::Add(bcf1_t* record) {
  ++state_->scan.records;
  return state_->scanner.Record(state_->header, record);
}

CohortScan CohortScanner::Finish() {
  state_->scanner.End(state_->header);
  return std::move(state_->scan);
}

}  // namespace vcfagent::ai::report
