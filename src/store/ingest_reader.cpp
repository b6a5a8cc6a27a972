#include "store/ingest_reader.h"

#include <fmt/format.h>
#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>

#include "util/number_text.h"
#include "util/progress.h"

namespace vcfagent::store {
namespace {

bool HeaderHas(const bcf_hdr_t* header, int type, const char* key) {
  const int id = bcf_hdr_id2int(header, BCF_DT_ID, key);
  return id >= 0 && bcf_hdr_idinfo_exists(header, type, id);
}

// Splits on `sep` into views.
std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t next = text.find(sep, start);
    parts.push_back(text.substr(start, next - start));
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  return parts;
}

}  // namespace

IngestReader::IngestReader(vcf::VariantReader& reader, IngestAnnotator& annotator)
    : reader_(reader), annotator_(annotator), header_(reader.header()), rec_(vcf::NewRecord()) {
  has_dp_ = HeaderHas(header_, BCF_HL_FMT, "DP");
  has_gq_ = HeaderHas(header_, BCF_HL_FMT, "GQ");
  if (has_gq_) {
    const int id = bcf_hdr_id2int(header_, BCF_DT_ID, "GQ");
    gq_is_float_ = bcf_hdr_id2type(header_, BCF_HL_FMT, id) == BCF_HT_REAL;
  }
  has_ad_ = HeaderHas(header_, BCF_HL_FMT, "AD");
  has_af_ = HeaderHas(header_, BCF_HL_INFO, "AF");
  struct stat st;
  if (reader.path() != "-" && ::stat(reader.path().c_str(), &st) == 0) file_size_ = st.st_size;
}

IngestReader::~IngestReader() {
  free(gt_);
  free(dp_);
  free(gq_);
  free(gqf_);
  free(ad_);
  free(af_);
  free(text_.s);
}

double IngestReader::FractionRead() const {
  if (file_size_ <= 0) return -1;
  htsFile* fp = reader_.file();
  int64_t offset = -1;
  if (fp->format.compression == bgzf || fp->format.compression == gzip) {
    BGZF* bgzfp = fp->fp.bgzf;
    if (bgzfp) offset = bgzf_tell(bgzfp) >> 16;
  } else {
    offset = htell(fp->fp.hfile);
  }
  if (offset < 0) return -1;
  return std::min(1.0, static_cast<double>(offset) / static_cast<double>(file_size_));
}

Status IngestReader::Skip(int64_t records) {
  while (records_read_ < records) {
    auto more = reader_.Next(rec_.get());
    if (!more.ok()) return more.status();
    if (!*more) {
      return Status::InvalidInput(fmt::format(
          "{}: the file has {} records but an earlier ingest of the same content committed {}",
          reader_.path(), records_read_, records));
    }
    ++records_read_;
    if (CancelRequested()) return Status::Cancelled("interrupted");
  }
  return Status::Ok();
}

Result<bool> IngestReader::Next(int64_t max_records, int64_t max_calls, RecordBatch& batch) {
  batch.alleles.clear();
  int64_t n = 0, calls = 0;
  while (n < max_records && calls < max_calls) {
    if (CancelRequested()) return Status::Cancelled("interrupted");
    auto more = reader_.Next(rec_.get());
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++records_read_;
    ++n;
    const size_t before = batch.alleles.size();
    VCFAGENT_RETURN_IF_ERROR(Convert(batch.alleles).WithContext(reader_.Where()));
    for (size_t i = before; i < batch.alleles.size(); ++i) {
      calls += static_cast<int64_t>(batch.alleles[i].genotypes.size()) + 1;
    }
  }
  batch.records_end = records_read_;
  batch.fraction_read = FractionRead();
  return n > 0;
}

std::string IngestReader::InfoText() {
  std::string_view line = reader_.text();
  if (line.empty()) {
    // BCF input (or no kept text): format the record once to read its INFO column.
    text_.l = 0;
    if (vcf_format(header_, rec_.get(), &text_) < 0) return {};
    line = std::string_view(text_.s, text_.l);
  }
  size_t start = 0;
  for (int column = 0; column < 7; ++column) {
    start = line.find('\t', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  size_t end = line.find_first_of("\t\n", start);
  std::string_view info = line.substr(start, end == std::string_view::npos ? end : end - start);
  if (info == ".") return {};
  return std::string(info);
}

std::string IngestReader::SubsetInfo(const std::string& info, int allele_index, int n_alleles) {
  std::string out;
  out.reserve(info.size());
  for (std::string_view field : Split(info, ';')) {
    const size_t eq = field.find('=');
    std::string key(field.substr(0, eq));
    auto it = info_number_.find(key);
    if (it == info_number_.end()) {
      const int id = bcf_hdr_id2int(header_, BCF_DT_ID, key.c_str());
      const int number = id >= 0 && bcf_hdr_idinfo_exists(header_, BCF_HL_INFO, id)
                             ? bcf_hdr_id2length(header_, BCF_HL_INFO, id)
                             : BCF_VL_VAR;
      it = info_number_.emplace(key, number).first;
    }
    std::string_view value = eq == std::string_view::npos ? std::string_view() : field.substr(eq + 1);
    std::string kept;
    if (eq != std::string_view::npos && (it->second == BCF_VL_A || it->second == BCF_VL_R ||
                                         it->second == BCF_VL_G)) {
      const auto values = Split(value, ',');
      std::vector<size_t> pick;
      if (it->second == BCF_VL_A) {
        pick = {static_cast<size_t>(allele_index - 1)};
      } else if (it->second == BCF_VL_R) {
        pick = {0, static_cast<size_t>(allele_index)};
      } else {
        // Diploid genotype order: (j,k) at k*(k+1)/2 + j; keep 0/0, 0/a, a/a.
        const size_t a = allele_index;
        if (values.size() == static_cast<size_t>(n_alleles * (n_alleles + 1) / 2)) {
          pick = {0, a * (a + 1) / 2, a * (a + 1) / 2 + a};
        } else {
          pick = {0, a};  // haploid: one value per allele
        }
      }
      for (size_t i = 0; i < pick.size(); ++i) {
        if (i) kept += ',';
        kept += pick[i] < values.size() ? std::string(values[pick[i]]) : std::string(".");
      }
      field = {};
    }
    if (!out.empty()) out += ';';
    if (field.empty()) {
      out += key;
      out += '=';
      out += kept;
    } else {
      out += field;
    }
  }
  return out;
}

Status IngestReader::Convert(std::vector<AlleleRow>& out) {
  bcf1_t* rec = rec_.get();
  if (bcf_unpack(rec, BCF_UN_ALL) < 0) return Status::InvalidInput("the record cannot be decoded");
  const int n_alleles = rec->n_allele;
  if (n_alleles < 2) return Status::Ok();  // a reference-only site: no variant to store
  const size_t first = out.size();
  const char* chrom = bcf_seqname(header_, rec);
  if (!chrom) return Status::InvalidInput("the record's CHROM is not in the header");
  const std::string info = InfoText();
  std::optional<std::string> rsid;
  if (rec->d.id && std::string_view(rec->d.id) != ".") rsid = rec->d.id;
  std::optional<std::string> filter;
  if (rec->d.n_flt > 0) {
    std::string joined;
    for (int i = 0; i < rec->d.n_flt; ++i) {
      if (i) joined += ';';
      joined += bcf_hdr_int2id(header_, BCF_DT_ID, rec->d.flt[i]);
    }
    filter = std::move(joined);
  }
  std::optional<float> qual;
  if (!bcf_float_is_missing(rec->qual)) qual = rec->qual;
  int n_af = 0;
  if (has_af_) n_af = bcf_get_info_float(header_, rec, "AF", &af_, &n_af_);

  const int n_samples = bcf_hdr_nsamples(header_);
  int ploidy = 0;
  if (n_samples > 0) {
    const int n = bcf_get_genotypes(header_, rec, &gt_, &n_gt_);
    if (n > 0) ploidy = n / n_samples;
  }
  int dp_per = 0, gq_per = 0, ad_per = 0;
  if (ploidy > 0) {
    if (has_dp_) {
      const int n = bcf_get_format_int32(header_, rec, "DP", &dp_, &n_dp_);
      dp_per = n > 0 ? n / n_samples : 0;
    }
    if (has_gq_) {
      const int n = gq_is_float_ ? bcf_get_format_float(header_, rec, "GQ", &gqf_, &n_gqf_)
                                 : bcf_get_format_int32(header_, rec, "GQ", &gq_, &n_gq_);
      gq_per = n > 0 ? n / n_samples : 0;
    }
    if (has_ad_) {
      const int n = bcf_get_format_int32(header_, rec, "AD", &ad_, &n_ad_);
      ad_per = n > 0 ? n / n_samples : 0;
    }
  }

  for (int a = 1; a < n_alleles; ++a) {
    const std::string_view alt = rec->d.allele[a];
    if (alt == "*" || alt == "<*>" || alt == "<NON_REF>") continue;  // not variants themselves
    AlleleRow row;
    row.chrom = chrom;
    row.pos = rec->pos + 1;
    row.end_pos = rec->pos + rec->rlen;
    row.ref = rec->d.allele[0];
    row.alt = alt;
    row.rsid = rsid;
    row.filter = filter;
    row.qual = qual;
    row.variant_class = ClassifyAllele(row.ref, row.alt);
    row.allele_index = a;
    row.n_alt_alleles = n_alleles - 1;
    row.info = n_alleles > 2 ? SubsetInfo(info, a, n_alleles) : info;
    if (n_af >= a && !bcf_float_is_missing(af_[a - 1]) && !bcf_float_is_vector_end(af_[a - 1])) {
      row.af = af_[a - 1];
    }
    for (int s = 0; ploidy > 0 && s < n_samples; ++s) {
      const int32_t* alleles = gt_ + static_cast<size_t>(s) * ploidy;
      int copies = 0, present = 0;
      bool missing = false, phased = false;
      for (int i = 0; i < ploidy; ++i) {
        if (alleles[i] == bcf_int32_vector_end) break;
        ++present;
        if (bcf_gt_is_missing(alleles[i])) {
          missing = true;
        } else if (bcf_gt_allele(alleles[i]) == a) {
          ++copies;
        }
        if (i > 0 && bcf_gt_is_phased(alleles[i])) phased = true;
      }
      if (present == 0) missing = true;
      int32_t dp = -1, gq = -1;
      if (dp_per > 0 && dp_[s * dp_per] != bcf_int32_missing && dp_[s * dp_per] != bcf_int32_vector_end) {
        dp = dp_[s * dp_per];
      }
      if (gq_per > 0) {
        if (gq_is_float_) {
          const float v = gqf_[s * gq_per];
          if (!bcf_float_is_missing(v) && !bcf_float_is_vector_end(v)) {
            // GQ is an Integer in the specification and in the store: a whole number written as a
            // Float is kept; anything else is refused rather than silently rounded.
            if (!(v >= 0 && v <= 2147483647.0f) || v != std::nearbyint(v)) {
              return Status::InvalidInput(fmt::format(
                  "sample {}: FORMAT/GQ={} is not a whole number; the specification's GQ is an Integer "
                  "(run vcf-agent validate on the file; format-reserved-type)", header_->samples[s], FloatText(v)));
            }
            gq = static_cast<int32_t>(v);
          }
        } else if (gq_[s * gq_per] != bcf_int32_missing && gq_[s * gq_per] != bcf_int32_vector_end) {
          gq = gq_[s * gq_per];
        }
      }
      if (missing) {
        ++row.n_missing;
      } else {
        ++row.n_called;
        if (dp >= 0) row.dp_sum += dp, ++row.dp_n;
        if (gq >= 0) row.gq_sum += gq, ++row.gq_n;
      }
      // Hom-ref for this allele: implied, not stored (but compared for samples of two files).
      const bool hom_ref = !missing && copies == 0;
      if (hom_ref && (static_cast<size_t>(s) >= keep_hom_ref_.size() || !keep_hom_ref_[s])) continue;
      GenotypeRow call;
      call.sample_column = static_cast<uint32_t>(s);
      call.zygosity = missing ? Zygosity::kMissing
                      : hom_ref ? Zygosity::kHomRef
                      : copies == present ? Zygosity::kHomAlt : Zygosity::kHet;
      if (call.zygosity == Zygosity::kHet) ++row.n_het;
      if (call.zygosity == Zygosity::kHomAlt) ++row.n_hom_alt;
      call.phased = phased;
      call.dp = dp;
      call.gq = gq;
      for (int i = 0; i < present; ++i) {
        if (i) call.gt += bcf_gt_is_phased(alleles[i]) ? '|' : '/';
        if (bcf_gt_is_missing(alleles[i])) {
          call.gt += '.';
        } else {
          call.gt += std::to_string(bcf_gt_allele(alleles[i]));
        }
      }
      if (ad_per > a) {
        const int32_t ref_depth = ad_[s * ad_per], alt_depth = ad_[s * ad_per + a];
        auto text = [](int32_t v) {
          return v == bcf_int32_missing || v == bcf_int32_vector_end ? std::string(".") : std::to_string(v);
        };
        call.ad = text(ref_depth) + "," + text(alt_depth);
      }
      row.genotypes.push_back(std::move(call));
    }
    out.push_back(std::move(row));
  }
  if (out.size() > first) annotator_.Annotate(header_, rec, std::span(out).subspan(first));
  return Status::Ok();
}

}  // namespace vcfagent::store
