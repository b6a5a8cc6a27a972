#include "vcf/stats_collector.h"

#include <htslib/vcfutils.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "fmt/format.h"

namespace vcfagent::vcf {

namespace {

// Fixed parameters of bcftools stats 1.16 (its defaults; the options changing them are not offered).
constexpr int kMaxIndelLength = 60;  // IDD clips longer indels to this length
constexpr int kDepthMin = 0, kDepthMax = 500;  // DP histogram, step 1
constexpr int kDepthBins = 4 + (kDepthMax - kDepthMin);
constexpr int kHweBins = 100;

int DepthBin(int64_t depth) {
  if (depth < kDepthMin) return 0;
  if (depth > kDepthMax) return kDepthBins - 1;
  return 1 + static_cast<int>(depth - kDepthMin);
}

// bcftools' dist_t with npow=5: values up to 10^5 have a bin each, larger ones share bins with
// five significant digits. QUAL is binned as 1 + floor(QUAL*10), 0 for missing or negative.
// Counts are 32-bit until a count could overflow: the histogram is updated for every record at
// random positions, and half the memory means fewer cache misses.
class QualityHistogram {
 public:
  static constexpr uint32_t kExact = 100000;
  static constexpr uint32_t kLevel = 90000;  // bins per further order of magnitude

  void Insert(uint32_t value) {
    uint32_t bin;
    if (value <= kExact) {
      bin = value;
    } else {
      const int npow = static_cast<int>(std::log10(value));
      const int level = npow - 5 + 1;
      const uint32_t step = static_cast<uint32_t>(std::pow(10, level));
      bin = static_cast<uint32_t>(kExact + kLevel * (level - 1) +
                                  (value - std::pow(10, npow)) / step);
    }
    if (bin >= size_) Grow(bin + 1);
    if (!wide_.empty()) {
      ++wide_[bin];
      return;
    }
    ++narrow_[bin];
    if (++inserted_ == UINT32_MAX) wide_.assign(narrow_.begin(), narrow_.end());
  }
  size_t size() const { return size_; }
  uint64_t count(size_t i) const {
    if (i >= size_) return 0;
    return wide_.empty() ? narrow_[i] : wide_[i];
  }

  // The first value of bin `i`.
  static uint32_t BinStart(uint32_t i) {
    if (i < kExact) return i;
    const int level = (i - kExact) / kLevel + 1;
    const int bin = i - kExact - kLevel * (level - 1);
    const uint32_t step = static_cast<uint32_t>(std::pow(10, level));
    return static_cast<uint32_t>(std::pow(10, level + 5 - 1) + static_cast<double>(step) * bin);
  }

 private:
  void Grow(size_t n) {
    size_ = n;
    if (wide_.empty()) narrow_.resize(n, 0);
    else wide_.resize(n, 0);
  }
  size_t size_ = 0;
  uint64_t inserted_ = 0;
  std::vector<uint32_t> narrow_;
  std::vector<uint64_t> wide_;
};

// 1 + (int)(QUAL*10) as bcftools computes it in float, including what x86 does for values that
// do not fit an int (INT_MIN), so huge QUALs land in the same bin.
uint32_t QualityValue(float qual) {
  if (std::isnan(qual) || qual < 0) return 0;
  const float scaled = qual * 10;
  const int truncated = scaled >= 2147483648.0f ? INT_MIN : static_cast<int>(scaled);
  return static_cast<uint32_t>(1 + static_cast<int64_t>(truncated));
}

struct SampleCounters {
  uint64_t hets = 0, hom_rr = 0, hom_aa = 0, ts = 0, tv = 0, indels = 0, ndp = 0, singletons = 0;
  uint64_t hap_ref = 0, hap_alt = 0, missing = 0;
  uint64_t ins_hets = 0, del_hets = 0, ins_homs = 0, del_homs = 0;
  uint64_t dp_sum = 0;  // unsigned long in bcftools: negative depths wrap the same way
};

template <typename T>
T ReadLittle(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Reads the j-th integer of a FORMAT field for sample `is`; false at the vector end.
bool FormatInt(const bcf_fmt_t* fmt, int is, int j, int32_t* value, bool* missing) {
  const uint8_t* p = fmt->p + static_cast<size_t>(fmt->size) * is;
  switch (fmt->type) {
    case BCF_BT_INT8: {
      const int8_t v = ReadLittle<int8_t>(p + j);
      if (v == bcf_int8_vector_end) return false;
      *missing = v == bcf_int8_missing;
      *value = v;
      return true;
    }
    case BCF_BT_INT16: {
      const int16_t v = ReadLittle<int16_t>(p + 2 * j);
      if (v == bcf_int16_vector_end) return false;
      *missing = v == bcf_int16_missing;
      *value = v;
      return true;
    }
    default: {
      const int32_t v = ReadLittle<int32_t>(p + 4 * j);
      if (v == bcf_int32_vector_end) return false;
      *missing = v == bcf_int32_missing;
      *value = v;
      return true;
    }
  }
}

// bcf_gt_type() of htslib 1.16 for one sample, inlined: it runs for every genotype.
template <typename T>
int GenotypeType(const uint8_t* p, int n, T vector_end, int* out_ial, int* out_jal) {
  int nals = 0, has_ref = 0, has_alt = 0, ial = 0, jal = 0;
  for (int i = 0; i < n; ++i) {
    const int32_t val = ReadLittle<T>(p + i * sizeof(T));
    if (val == vector_end) break;
    if (bcf_gt_is_missing(val)) return GT_UNKN;
    const int tmp = val >> 1;
    if (tmp > 1) {
      if (!ial) {
        ial = tmp;
        has_alt = 1;
      } else if (tmp != ial) {
        if (tmp < ial) {
          jal = ial;
          ial = tmp;
        } else {
          jal = tmp;
        }
        has_alt = 2;
      }
    } else {
      has_ref = 1;
    }
    ++nals;
  }
  *out_ial = ial > 0 ? ial - 1 : ial;
  *out_jal = jal > 0 ? jal - 1 : jal;
  if (!nals) return GT_UNKN;
  if (nals == 1) return has_ref ? GT_HAPL_R : GT_HAPL_A;
  if (!has_ref) return has_alt == 1 ? GT_HOM_AA : GT_HET_AA;
  if (!has_alt) return GT_HOM_RR;
  return GT_HET_RA;
}

int GenotypeType(const bcf_fmt_t* fmt, int sample, int* ial, int* jal) {
  const uint8_t* p = fmt->p + static_cast<size_t>(fmt->size) * sample;
  switch (fmt->type) {
    case BCF_BT_INT8: return GenotypeType<int8_t>(p, fmt->n, bcf_int8_vector_end, ial, jal);
    case BCF_BT_INT16: return GenotypeType<int16_t>(p, fmt->n, bcf_int16_vector_end, ial, jal);
    default: return GenotypeType<int32_t>(p, fmt->n, bcf_int32_vector_end, ial, jal);
  }
}

bool IsIntegerType(int type) {
  return type == BCF_BT_INT8 || type == BCF_BT_INT16 || type == BCF_BT_INT32;
}

std::string Position(const bcf_hdr_t* hdr, const bcf1_t* rec) {
  return fmt::format("{}:{}", bcf_seqname_safe(hdr, rec), rec->pos + 1);
}

}  // namespace

struct StatsCollector::State {
  bcf_hdr_t* hdr = nullptr;
  bool with_samples = false;
  int64_t header_samples = 0;
  std::vector<std::string> sample_names;
  std::vector<int> sample_index;  // header index of each selected sample
  std::vector<std::string> warnings;
  int m_af = 101;                 // AF bins; bin 0 holds singletons

  // SN
  uint64_t n_records = 0, n_noalts = 0, n_snps = 0, n_mnps = 0, n_indels = 0, n_others = 0;
  uint64_t n_mals = 0, n_snp_mals = 0;
  // TSTV, AF, SiS
  uint64_t ts_alt1 = 0, tv_alt1 = 0;
  std::vector<uint64_t> af_ts, af_tv, af_snps, af_indels;  // af_indels = repeats "not applicable"
  // QUAL
  QualityHistogram qual_ts, qual_tv, qual_indels;
  // IDD
  std::array<uint64_t, kMaxIndelLength> insertions{}, deletions{};
  std::array<uint32_t, 2 * kMaxIndelLength + 1> nvaf{};
  std::array<double, 2 * kMaxIndelLength + 1> dvaf{};
  // ST
  std::array<uint64_t, 16> subst{};
  // DP
  std::array<uint64_t, kDepthBins> dp{}, dp_sites{};
  // PSC, PSI, HWE
  std::vector<SampleCounters> smpl;
  std::vector<uint64_t> af_hwe;

  // Header ids of INFO/AN, AC and DP. Ids never change once assigned, but a tag missing from the
  // header may be added while reading (htslib defines undefined tags), so -1 is looked up again.
  int an_id = -1, ac_id = -1, dp_id = -1;
  int Id(int* cached, const char* tag) {
    if (*cached < 0) *cached = bcf_hdr_id2int(hdr, BCF_DT_ID, tag);
    return *cached;
  }
  bool InfoDepth(bcf1_t* rec, int32_t* depth);

  // Per-record scratch, reused.
  std::vector<int> ac;
  std::vector<int> iaf;
  std::vector<int> allele_type;
  int32_t* info_values = nullptr;
  int info_capacity = 0;

  ~State() { free(info_values); }

  Status ComputeAlleleFrequencyBins(bcf1_t* rec);
  Status CountAlleles(bcf1_t* rec, bool* known);
  void SnpStats(bcf1_t* rec);
  void IndelStats(bcf1_t* rec);
  Status SampleStats(bcf1_t* rec);
  void UpdateIndelVaf(bcf1_t* rec, const bcf_fmt_t* ad, int is, int ial, int jal);
};

StatsCollector::StatsCollector(std::unique_ptr<State> state) : state_(std::move(state)) {}
StatsCollector::~StatsCollector() = default;

Result<std::unique_ptr<StatsCollector>> StatsCollector::Create(bcf_hdr_t* hdr,
                                                               const StatsOptions& options) {
  auto s = std::make_unique<State>();
  s->hdr = hdr;
  s->header_samples = bcf_hdr_nsamples(hdr);
  // bcftools sizes the AF histogram by the header's samples, so each allele count has a bin.
  s->m_af = static_cast<int>(std::max<int64_t>(101, s->header_samples + 1));

  if (options.samples != StatsOptions::Samples::kNone) {
    if (s->header_samples == 0) {
      return Status::Usage("per-sample statistics were requested but the file has no sample columns");
    }
    s->with_samples = true;
    if (options.samples == StatsOptions::Samples::kAll) {
      for (int i = 0; i < s->header_samples; ++i) {
        s->sample_names.emplace_back(hdr->samples[i]);
        s->sample_index.push_back(i);
      }
    } else {
      // As bcftools: names missing from the header are skipped with a warning.
      std::vector<std::string> missing;
      for (const auto& name : options.sample_names) {
        const int id = bcf_hdr_id2int(hdr, BCF_DT_SAMPLE, name.c_str());
        if (id < 0) {
          s->warnings.push_back(fmt::format("sample \"{}\" is not in the header, skipping it", name));
          continue;
        }
        s->sample_names.push_back(name);
        s->sample_index.push_back(id);
      }
      if (s->sample_names.empty()) return Status::Usage("none of the requested samples is in the header");
    }
    s->smpl.resize(s->sample_names.size());
    s->af_hwe.assign(static_cast<size_t>(s->m_af) * kHweBins, 0);
  }
  s->af_ts.assign(s->m_af, 0);
  s->af_tv.assign(s->m_af, 0);
  s->af_snps.assign(s->m_af, 0);
  s->af_indels.assign(s->m_af, 0);
  return std::unique_ptr<StatsCollector>(new StatsCollector(std::move(s)));
}

// bcf_calc_ac() of htslib 1.16, returning an error where htslib would exit().
Status StatsCollector::State::CountAlleles(bcf1_t* rec, bool* known) {
  const int n_allele = rec->n_allele;
  ac.assign(std::max(n_allele, 1), 0);
  *known = false;
  const int an_tag = Id(&an_id, "AN");
  const int ac_tag = Id(&ac_id, "AC");
  int an = -1, ac_len = 0, ac_type = 0;
  const uint8_t* ac_ptr = nullptr;
  if (an_tag >= 0 && ac_tag >= 0) {
    for (int i = 0; i < rec->n_info; ++i) {
      const bcf_info_t* z = &rec->d.info[i];
      if (z->key == an_tag) {
        an = z->v1.i;
      } else if (z->key == ac_tag) {
        ac_ptr = z->vptr;
        ac_len = z->len;
        ac_type = z->type;
      }
    }
  }
  if (an >= 0 && ac_ptr) {
    if (ac_len != n_allele - 1) return Status::Ok();  // htslib warns once and ignores AC
    int nac = 0;
    for (int i = 0; i < ac_len; ++i) {
      int v;
      switch (ac_type) {
        case BCF_BT_INT8: v = ReadLittle<int8_t>(ac_ptr + i); break;
        case BCF_BT_INT16: v = ReadLittle<int16_t>(ac_ptr + 2 * i); break;
        case BCF_BT_INT32: v = ReadLittle<int32_t>(ac_ptr + 4 * i); break;
        default:
          return Status::InvalidInput(
              fmt::format("{}: INFO/AC is not an integer field", Position(hdr, rec)));
      }
      ac[i + 1] = v;
      nac += v;
    }
    if (an < nac) {
      return Status::InvalidInput(fmt::format(
          "{}: INFO/AN ({}) is smaller than the sum of INFO/AC ({})", Position(hdr, rec), an, nac));
    }
    ac[0] = an - nac;
    *known = true;
    return Status::Ok();
  }
  if (!with_samples) return Status::Ok();
  const bcf_fmt_t* gt = bcf_get_fmt(hdr, rec, "GT");
  if (!gt) return Status::Ok();
  if (!IsIntegerType(gt->type)) {
    return Status::InvalidInput(fmt::format("{}: FORMAT/GT is not encoded as integers", Position(hdr, rec)));
  }
  for (int is = 0; is < rec->n_sample; ++is) {
    for (int j = 0; j < gt->n; ++j) {
      int32_t v;
      bool missing_value;
      if (!FormatInt(gt, is, j, &v, &missing_value)) break;
      if (bcf_gt_is_missing(v)) continue;
      if ((v >> 1) > n_allele) {
        return Status::InvalidInput(fmt::format(
            "{}: sample {} has genotype allele {} but the record has only {} ALT allele(s)",
            Position(hdr, rec), hdr->samples[is], (v >> 1) - 1, n_allele - 1));
      }
      if ((v >> 1) - 1 >= 0) ++ac[(v >> 1) - 1];
    }
  }
  *known = true;
  return Status::Ok();
}

// init_iaf(): each ALT allele's AF bin; bin 0 for singletons and unknown frequencies.
Status StatsCollector::State::ComputeAlleleFrequencyBins(bcf1_t* rec) {
  const int n_allele = rec->n_allele;
  iaf.assign(std::max(n_allele, 1), 0);
  bool known = false;
  VCFAGENT_RETURN_IF_ERROR(CountAlleles(rec, &known));
  if (!known) return Status::Ok();
  int an = 0;
  for (int i = 0; i < n_allele; ++i) an += ac[i];
  for (int i = 1; i < n_allele; ++i) {
    if (ac[i] == 1) {
      iaf[i] = 0;
    } else if (!an) {
      iaf[i] = 1;
    } else {
      float af = static_cast<float>(ac[i]) / an;
      if (af < 0) af = 0;
      else if (af > 1) af = 1;
      iaf[i] = static_cast<int>(af * (m_af - 2)) + 1;
    }
  }
  return Status::Ok();
}

void StatsCollector::State::SnpStats(bcf1_t* rec) {
  ++n_snps;
  const int ref = bcf_acgt2int(*rec->d.allele[0]);
  if (ref < 0) return;
  const uint32_t qual = QualityValue(rec->qual);
  for (int i = 1; i < rec->n_allele; ++i) {
    if (!(bcf_get_variant_type(rec, i) & VCF_SNP)) continue;
    const int alt = bcf_acgt2int(*rec->d.allele[i]);
    if (alt < 0 || ref == alt) continue;
    ++subst[ref << 2 | alt];
    const int bin = iaf[i];
    ++af_snps[bin];
    if (std::abs(ref - alt) == 2) {
      if (i == 1) {
        ++ts_alt1;
        qual_ts.Insert(qual);
      }
      ++af_ts[bin];
    } else {
      if (i == 1) {
        ++tv_alt1;
        qual_tv.Insert(qual);
      }
      ++af_tv[bin];
    }
  }
}

void StatsCollector::State::IndelStats(bcf1_t* rec) {
  ++n_indels;
  qual_indels.Insert(QualityValue(rec->qual));
  for (int i = 1; i < rec->n_allele; ++i) {
    if (bcf_has_variant_type(rec, i, VCF_INDEL) <= 0) continue;
    int len = bcf_variant_length(rec, i);
    ++af_indels[iaf[i]];
    auto& counts = len < 0 ? deletions : insertions;
    len = std::abs(len);
    if (len == 0) continue;  // not produced by htslib for indels; bcftools would index -1
    if (--len >= kMaxIndelLength) len = kMaxIndelLength - 1;
    ++counts[len];
  }
}

void StatsCollector::State::UpdateIndelVaf(bcf1_t* rec, const bcf_fmt_t* ad, int is, int ial,
                                           int jal) {
  if (!ad || !IsIntegerType(ad->type)) return;
  if (ial >= ad->n || jal >= ad->n) return;  // bcftools would read past the sample's values
  int32_t a, b;
  bool a_missing, b_missing;
  if (!FormatInt(ad, is, ial, &a, &a_missing) || !FormatInt(ad, is, jal, &b, &b_missing)) return;
  if (a_missing || b_missing) return;
  if (!a && !b) return;
  const float vaf = static_cast<float>(a) / (a + b);
  int len = rec->d.var[ial].n;
  if (len < -kMaxIndelLength) len = -kMaxIndelLength;
  else if (len > kMaxIndelLength) len = kMaxIndelLength;
  const int bin = kMaxIndelLength + len;
  ++nvaf[bin];
  dvaf[bin] += vaf;
}

Status StatsCollector::State::SampleStats(bcf1_t* rec) {
  const int line_type = bcf_get_variant_types(rec);
  const int n = static_cast<int>(sample_index.size());
  int nref_tot = 0, nhet_tot = 0, nalt_tot = 0;
  const bcf_fmt_t* gt_fmt = bcf_get_fmt(hdr, rec, "GT");
  if (gt_fmt) {
    if (!IsIntegerType(gt_fmt->type)) {
      return Status::InvalidInput(fmt::format("{}: FORMAT/GT is not encoded as integers", Position(hdr, rec)));
    }
    const bcf_fmt_t* ad_fmt = (line_type & VCF_INDEL) ? bcf_get_fmt(hdr, rec, "AD") : nullptr;
    const int ref = bcf_acgt2int(*rec->d.allele[0]);
    // Each allele's type, looked up once per record rather than per genotype.
    allele_type.resize(rec->n_allele);
    for (int i = 0; i < rec->n_allele; ++i) allele_type[i] = bcf_get_variant_type(rec, i);
    int n_nref = 0, i_nref = 0;
    for (int is = 0; is < n; ++is) {
      SampleCounters& c = smpl[is];
      int ial = 0, jal = 0;
      const int gt = GenotypeType(gt_fmt, sample_index[is], &ial, &jal);
      if (gt == GT_UNKN) {
        ++c.missing;
        continue;
      }
      if (ial >= rec->n_allele || jal >= rec->n_allele) {
        return Status::InvalidInput(fmt::format(
            "{}: sample {} has genotype allele {} but the record has only {} ALT allele(s)",
            Position(hdr, rec), sample_names[is], std::max(ial, jal), rec->n_allele - 1));
      }
      if (gt == GT_HAPL_R || gt == GT_HAPL_A) {
        if (gt == GT_HAPL_R) ++c.hap_ref;
        else ++c.hap_alt;
        continue;
      }
      if (gt != GT_HOM_RR) {
        ++n_nref;
        i_nref = is;
      }
      switch (gt) {
        case GT_HOM_RR: ++nref_tot; break;
        case GT_HET_RA: ++nhet_tot; break;
        case GT_HET_AA:
        case GT_HOM_AA: ++nalt_tot; break;
        default: break;
      }
      int var_type = 0;
      if (ial > 0) var_type |= allele_type[ial];
      if (jal > 0) var_type |= allele_type[jal];
      if ((var_type & VCF_SNP) || var_type == VCF_REF) {  // ALT=. counts as SNP, as in bcftools
        if (gt == GT_HET_RA || gt == GT_HET_AA) ++c.hets;
        else if (gt == GT_HOM_RR) ++c.hom_rr;
        else if (gt == GT_HOM_AA) ++c.hom_aa;
        if (gt != GT_HOM_RR && (rec->d.var[ial].type & VCF_SNP)) {
          const int alt = bcf_acgt2int(*rec->d.allele[ial]);
          if (alt < 0) continue;  // bcftools skips the rest of this sample too
          if (std::abs(ref - alt) == 2) ++c.ts;
          else ++c.tv;
        }
      }
      if (var_type & VCF_INDEL) {
        if (gt != GT_HOM_RR) {
          ++c.indels;
          if (gt == GT_HET_RA || gt == GT_HET_AA) {
            bool is_ins = false, is_del = false;
            // AD is read at the selection position `is`, exactly as bcftools does.
            if (allele_type[ial] & VCF_INDEL) {
              if (rec->d.var[ial].n < 0) is_del = true;
              else is_ins = true;
              UpdateIndelVaf(rec, ad_fmt, is, ial, jal);
            }
            if (allele_type[jal] & VCF_INDEL) {
              if (rec->d.var[jal].n < 0) is_del = true;
              else is_ins = true;
              UpdateIndelVaf(rec, ad_fmt, is, jal, ial);
            }
            if (is_del) ++c.del_hets;
            if (is_ins) ++c.ins_hets;
          } else if (gt == GT_HOM_AA) {
            if (rec->d.var[ial].n < 0) ++c.del_homs;
            else ++c.ins_homs;
          }
        }
      }
    }
    if (n_nref == 1) ++smpl[i_nref].singletons;
  }

  if (nhet_tot + nref_tot + nalt_tot) {
    const float het_frac = static_cast<float>(nhet_tot) / (nhet_tot + nref_tot + nalt_tot);
    int idx = static_cast<int>(het_frac * (kHweBins - 1));
    if (rec->n_allele > 1) idx += kHweBins * iaf[1];
    ++af_hwe[idx];
  }

  // Depth: FORMAT/DP, else the sum of FORMAT/AD. Read at the selection position, as bcftools.
  if (const bcf_fmt_t* dp_fmt = bcf_get_fmt(hdr, rec, "DP")) {
    if (!IsIntegerType(dp_fmt->type)) {
      return Status::InvalidInput(fmt::format("{}: FORMAT/DP is not an integer field", Position(hdr, rec)));
    }
    const int limit = std::min(n, static_cast<int>(rec->n_sample));
    for (int is = 0; is < limit; ++is) {
      int32_t v;
      bool missing;
      if (!FormatInt(dp_fmt, is, 0, &v, &missing)) continue;
      if (missing) continue;
      ++dp[DepthBin(v)];
      ++smpl[is].ndp;
      smpl[is].dp_sum += static_cast<uint64_t>(static_cast<int64_t>(v));
    }
  } else if (const bcf_fmt_t* ad = bcf_get_fmt(hdr, rec, "AD")) {
    if (!IsIntegerType(ad->type)) {
      return Status::InvalidInput(fmt::format("{}: FORMAT/AD is not an integer field", Position(hdr, rec)));
    }
    const int limit = std::min(n, static_cast<int>(rec->n_sample));
    for (int is = 0; is < limit; ++is) {
      int depth = 0;
      bool has_value = false;
      for (int j = 0; j < ad->n; ++j) {
        int32_t v;
        bool missing;
        if (!FormatInt(ad, is, j, &v, &missing)) break;
        if (missing) continue;
        has_value = true;
        depth += v;
      }
      if (has_value) {
        ++dp[DepthBin(depth)];
        ++smpl[is].ndp;
        smpl[is].dp_sum += static_cast<uint64_t>(static_cast<int64_t>(depth));
      }
    }
  }
  return Status::Ok();
}

// bcf_get_info_int32(hdr, rec, "DP", ...) == 1, without its per-record tag lookup: true when
// INFO/DP is declared Integer and the record has exactly one value (possibly missing, which
// bcftools then counts below 0).
bool StatsCollector::State::InfoDepth(bcf1_t* rec, int32_t* depth) {
  const int id = Id(&dp_id, "DP");
  if (!bcf_hdr_idinfo_exists(hdr, BCF_HL_INFO, id)) return false;
  if (bcf_hdr_id2type(hdr, BCF_HL_INFO, id) != BCF_HT_INT) return false;
  const bcf_info_t* info = nullptr;
  for (int i = 0; i < rec->n_info; ++i) {
    if (rec->d.info[i].key == id) {
      info = &rec->d.info[i];
      break;
    }
  }
  if (!info || !info->vptr) return false;
  if (!IsIntegerType(info->type)) {
    // Unusual encodings (BCF written by other tools): let htslib decide.
    if (bcf_get_info_int32(hdr, rec, "DP", &info_values, &info_capacity) != 1) return false;
    *depth = info_values[0];
    return true;
  }
  int n = 0;
  int32_t first = 0;
  for (int j = 0; j < info->len; ++j) {
    int32_t v;
    bool vector_end, missing;
    switch (info->type) {
      case BCF_BT_INT8: {
        const int8_t x = ReadLittle<int8_t>(info->vptr + j);
        vector_end = x == bcf_int8_vector_end;
        missing = x == bcf_int8_missing;
        v = x;
        break;
      }
      case BCF_BT_INT16: {
        const int16_t x = ReadLittle<int16_t>(info->vptr + 2 * j);
        vector_end = x == bcf_int16_vector_end;
        missing = x == bcf_int16_missing;
        v = x;
        break;
      }
      default: {
        const int32_t x = ReadLittle<int32_t>(info->vptr + 4 * j);
        vector_end = x == bcf_int32_vector_end;
        missing = x == bcf_int32_missing;
        v = x;
        break;
      }
    }
    if (vector_end) break;
    if (j == 0) first = missing ? bcf_int32_missing : v;
    ++n;
  }
  if (n != 1) return false;
  *depth = first;
  return true;
}

Status StatsCollector::Add(bcf1_t* rec) {
  State& s = *state_;
  bcf_unpack(rec, s.with_samples ? BCF_UN_ALL : (BCF_UN_STR | BCF_UN_INFO));
  if (rec->n_allele < 1) {
    return Status::InvalidInput(fmt::format("{}: the record has no REF allele", Position(s.hdr, rec)));
  }
  const int line_type = bcf_get_variant_types(rec);
  VCFAGENT_RETURN_IF_ERROR(s.ComputeAlleleFrequencyBins(rec));
  ++s.n_records;
  if (line_type == VCF_REF) ++s.n_noalts;
  if (line_type & VCF_SNP) s.SnpStats(rec);
  if (line_type & VCF_INDEL) s.IndelStats(rec);
  if (line_type & VCF_MNP) ++s.n_mnps;
  if (line_type & VCF_OTHER) ++s.n_others;
  if (rec->n_allele > 2) {
    ++s.n_mals;
    if (line_type == VCF_SNP) ++s.n_snp_mals;
  }
  if (s.with_samples) VCFAGENT_RETURN_IF_ERROR(s.SampleStats(rec));
  int32_t site_depth;
  if (s.InfoDepth(rec, &site_depth)) ++s.dp_sites[DepthBin(site_depth)];
  return Status::Ok();
}

VcfStats StatsCollector::Finish(const std::string& input) const {
  const State& s = *state_;
  VcfStats out;
  out.input = input;
  out.with_samples = s.with_samples;
  out.warnings = s.warnings;

  StatsSummary& sn = out.summary;
  sn.samples = s.header_samples;
  sn.records = s.n_records;
  sn.no_alts = s.n_noalts;
  sn.snps = s.n_snps;
  sn.mnps = s.n_mnps;
  sn.indels = s.n_indels;
  sn.others = s.n_others;
  sn.multiallelic_sites = s.n_mals;
  sn.multiallelic_snp_sites = s.n_snp_mals;

  // bcftools sums int counters and divides in float.
  for (int i = 0; i < s.m_af; ++i) {
    out.tstv.ts += s.af_ts[i];
    out.tstv.tv += s.af_tv[i];
  }
  out.tstv.ts_tv = out.tstv.tv ? static_cast<float>(out.tstv.ts) / static_cast<float>(out.tstv.tv) : 0.0f;
  out.tstv.ts_1st_alt = s.ts_alt1;
  out.tstv.tv_1st_alt = s.tv_alt1;
  out.tstv.ts_tv_1st_alt =
      s.tv_alt1 ? static_cast<float>(s.ts_alt1) / static_cast<float>(s.tv_alt1) : 0.0f;

  out.singletons.allele_frequency = 1;
  out.singletons.snps = s.af_snps[0];
  out.singletons.transitions = s.af_ts[0];
  out.singletons.transversions = s.af_tv[0];
  out.singletons.indels = s.af_indels[0];
  out.singletons.not_applicable = s.af_indels[0];

  // AF: singletons are folded into the first frequency bin.
  for (int i = 1; i < s.m_af; ++i) {
    StatsAlleleFrequencyBin b;
    b.snps = s.af_snps[i] + (i == 1 ? s.af_snps[0] : 0);
    b.transitions = s.af_ts[i] + (i == 1 ? s.af_ts[0] : 0);
    b.transversions = s.af_tv[i] + (i == 1 ? s.af_tv[0] : 0);
    b.indels = s.af_indels[i] + (i == 1 ? s.af_indels[0] : 0);
    b.not_applicable = b.indels;
    if (b.snps + b.transitions + b.transversions + b.indels == 0) continue;
    b.allele_frequency = static_cast<double>(i - 1) / (s.m_af - 1);
    out.allele_frequency.push_back(b);
  }

  const size_t nq = std::max({s.qual_ts.size(), s.qual_tv.size(), s.qual_indels.size()});
  for (size_t i = 0; i < nq; ++i) {
    StatsQualityBin q;
    q.transitions = s.qual_ts.count(i);
    q.transversions = s.qual_tv.count(i);
    q.indels = s.qual_indels.count(i);
    if (q.transitions + q.transversions + q.indels == 0) continue;
    q.snps = q.transitions + q.transversions;
    const uint32_t beg = QualityHistogram::BinStart(static_cast<uint32_t>(i));
    if (beg > 0) q.quality = static_cast<float>(0.1 * (beg - 1));
    out.quality.push_back(q);
  }

  auto vaf = [&](int bin, StatsIndelLength* row) {
    if (s.with_samples && s.nvaf[bin]) {
      row->genotypes = s.nvaf[bin];
      row->mean_vaf = s.dvaf[bin] / s.nvaf[bin];
    }
  };
  for (int i = kMaxIndelLength - 1; i >= 0; --i) {
    if (!s.deletions[i]) continue;
    StatsIndelLength row;
    row.length = -i - 1;
    row.sites = s.deletions[i];
    vaf(kMaxIndelLength - i - 1, &row);
    out.indel_lengths.push_back(row);
  }
  for (int i = 0; i < kMaxIndelLength; ++i) {
    if (!s.insertions[i]) continue;
    StatsIndelLength row;
    row.length = i + 1;
    row.sites = s.insertions[i];
    vaf(kMaxIndelLength + i + 1, &row);
    out.indel_lengths.push_back(row);
  }

  int k = 0;
  for (int t = 0; t < 15; ++t) {
    if (t >> 2 == (t & 3)) continue;
    out.substitutions[k++] = {"ACGT"[t >> 2], "ACGT"[t & 3], s.subst[t]};
  }

  uint64_t sum = 0, sum_sites = 0;
  for (int i = 0; i < kDepthBins; ++i) {
    sum += s.dp[i];
    sum_sites += s.dp_sites[i];
  }
  for (int i = 0; i < kDepthBins; ++i) {
    if (s.dp[i] == 0 && s.dp_sites[i] == 0) continue;
    StatsDepthBin b;
    if (i == 0) {
      b.kind = StatsDepthBin::Kind::kBelow;
      b.depth = kDepthMin;
    } else if (i + 1 == kDepthBins) {
      b.kind = StatsDepthBin::Kind::kAbove;
      b.depth = kDepthMax;
    } else {
      b.depth = i - 1 + kDepthMin;
    }
    b.genotypes = s.dp[i];
    b.genotypes_percent = sum ? s.dp[i] * 100. / sum : 0;
    b.sites = s.dp_sites[i];
    b.sites_percent = sum_sites ? s.dp_sites[i] * 100. / sum_sites : 0;
    out.depth.push_back(b);
  }

  if (s.with_samples) {
    for (size_t i = 0; i < s.smpl.size(); ++i) {
      const SampleCounters& c = s.smpl[i];
      StatsSample p;
      p.name = s.sample_names[i];
      p.ref_hom = c.hom_rr;
      p.non_ref_hom = c.hom_aa;
      p.hets = c.hets;
      p.transitions = c.ts;
      p.transversions = c.tv;
      p.indels = c.indels;
      p.average_depth = c.ndp ? static_cast<float>(c.dp_sum) / static_cast<float>(c.ndp) : 0.0f;
      p.singletons = c.singletons;
      p.hap_ref = c.hap_ref;
      p.hap_alt = c.hap_alt;
      p.missing = c.missing;
      p.ins_hets = c.ins_hets;
      p.del_hets = c.del_hets;
      p.ins_alt_homs = c.ins_homs;
      p.del_alt_homs = c.del_homs;
      out.samples.push_back(std::move(p));
    }

    std::vector<uint64_t> hwe = s.af_hwe;
    for (int i = 0; i < kHweBins; ++i) hwe[i + kHweBins] += hwe[i];  // singletons
    for (int i = 1; i < s.m_af; ++i) {
      const uint64_t* bins = &hwe[static_cast<size_t>(i) * kHweBins];
      uint32_t total = 0, running = 0;
      for (int j = 0; j < kHweBins; ++j) total += static_cast<uint32_t>(bins[j]);
      if (!total) continue;
      StatsHweBin h;
      h.allele_frequency = static_cast<double>(i - 1) / (s.m_af - 1);
      h.observations = total;
      double* slots[3] = {&h.percentile_25, &h.median, &h.percentile_75};
      int printed = 0;
      for (int j = 0; j < kHweBins; ++j) {
        running += static_cast<uint32_t>(bins[j]);
        const float frac = static_cast<float>(running) / total;
        const double value = static_cast<float>(j) / kHweBins;
        if (frac >= 0.75) {
          while (printed < 3) *slots[printed++] = value;
          break;
        }
        if (frac >= 0.5) {
          while (printed < 2) *slots[printed++] = value;
          continue;
        }
        if (frac >= 0.25) {
          while (printed < 1) *slots[printed++] = value;
        }
      }
      out.hwe.push_back(h);
    }
  }
  return out;
}

}  // namespace vcfagent::vcf
