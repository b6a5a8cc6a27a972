#include "vcf/record_writer_text.h"

#include <htslib/hts.h>
#include <htslib/kstring.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "util/json_text.h"
#include "util/number_text.h"
#include "util/output_file.h"
#include "vcf/filter_expr.h"

namespace vcfagent::vcf {

Status WriteFailed(const std::string& path) {
  return Status::IoError(fmt::format("{}: write failed: {}", path == "-" ? "<stdout>" : path,
                                     errno ? std::strerror(errno) : "I/O error"));
}

namespace {

class TextRecordWriter : public RecordSink {
 public:
  TextRecordWriter(std::unique_ptr<OutputFile> out, WriterOptions options)
      : out_(std::move(out)), options_(std::move(options)) {}
  ~TextRecordWriter() override {
    free(line_.s);
    free(values_.s);
    free(ints_);
    free(floats_);
    free(chars_);
  }

  Status Finish() override { return out_->Commit(); }

 protected:
  Status Flush() {
    if (line_.l == 0) return Status::Ok();
    auto stream = out_->stream();
    if (!stream.ok()) return stream.status();
    if (fwrite(line_.s, 1, line_.l, *stream) != line_.l) return WriteFailed(out_->path());
    line_.l = 0;
    return Status::Ok();
  }
  // Appends the record's line to line_ and flushes it when the buffer is large.
  Status MaybeFlush() { return line_.l >= (1 << 16) ? Flush() : Status::Ok(); }

  std::unique_ptr<OutputFile> out_;
  WriterOptions options_;
  const bcf_hdr_t* header_ = nullptr;
  kstring_t line_ = {0, 0, nullptr};
  kstring_t values_ = {0, 0, nullptr};
  int32_t* ints_ = nullptr;
  int n_ints_ = 0;
  float* floats_ = nullptr;
  int n_floats_ = 0;
  char* chars_ = nullptr;
  int n_chars_ = 0;
};

const char* TypeName(int mask) {
  if (mask == kTypeRefBit) return "ref";
  return nullptr;
}

void PutTypes(bcf1_t* rec, kstring_t* s) {
  const int mask = RecordTypeMask(rec);
  if (const char* single = TypeName(mask)) {
    kputs(single, s);
    return;
  }
  static const std::pair<int, const char*> kNames[] = {
      {VCF_SNP, "snp"}, {VCF_MNP, "mnp"}, {VCF_INDEL, "indel"},
      {VCF_OTHER, "other"}, {VCF_BND, "bnd"}, {VCF_OVERLAP, "overlap"}};
  bool first = true;
  for (const auto& [bit, name] : kNames) {
    if (!(mask & bit)) continue;
    if (!first) kputc(',', s);
    kputs(name, s);
    first = false;
  }
}

class TsvRecordWriter : public TextRecordWriter {
 public:
  using TextRecordWriter::TextRecordWriter;

  enum class Column { kChrom, kPos, kId, kRef, kAlt, kQual, kFilter, kType, kEnd, kInfo };
  struct ColumnSpec {
    Column column;
    std::string name;
    int info_id = -1;
  };

  bool needs_samples() const override { return false; }

  Status Begin(const bcf_hdr_t* header) override {
    header_ = header;
    std::vector<std::string> fields = options_.fields;
    if (fields.empty()) fields = {"CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER"};
    for (const std::string& field : fields) {
      ColumnSpec spec{Column::kInfo, field};
      if (field == "CHROM") spec.column = Column::kChrom;
      else if (field == "POS") spec.column = Column::kPos;
      else if (field == "ID") spec.column = Column::kId;
      else if (field == "REF") spec.column = Column::kRef;
      else if (field == "ALT") spec.column = Column::kAlt;
      else if (field == "QUAL") spec.column = Column::kQual;
      else if (field == "FILTER") spec.column = Column::kFilter;
      else if (field == "TYPE") spec.column = Column::kType;
      else if (field == "END") spec.column = Column::kEnd;
      else {
        const std::string tag = field.rfind("INFO/", 0) == 0 ? field.substr(5) : field;
        const int id = bcf_hdr_id2int(header, BCF_DT_ID, tag.c_str());
        if (tag.empty() || id < 0 || !bcf_hdr_idinfo_exists(header, BCF_HL_INFO, id)) {
          return Status::Usage(fmt::format(
              "-f: unknown field '{}': expected CHROM, POS, ID, REF, ALT, QUAL, FILTER, TYPE, END "
              "or INFO/TAG with TAG defined in the header", field));
        }
        spec.info_id = id;
      }
      columns_.push_back(std::move(spec));
    }
    if (options_.write_header) {
      for (size_t i = 0; i < columns_.size(); ++i) {
        kputs(i == 0 ? "#" : "\t", &line_);
        kputs(columns_[i].name.c_str(), &line_);
      }
      kputc('\n', &line_);
    }
    return Status::Ok();
  }

  Status Write(bcf1_t* rec) override {
    bcf_unpack(rec, needs_info() ? BCF_UN_INFO : BCF_UN_FLT);
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i) kputc('\t', &line_);
      PutColumn(columns_[i], rec);
    }
    kputc('\n', &line_);
    return MaybeFlush();
  }

  Status Finish() override {
    VCFAGENT_RETURN_IF_ERROR(Flush());
    return TextRecordWriter::Finish();
  }

 private:
  bool needs_info() const {
    for (const auto& c : columns_) if (c.column == Column::kInfo) return true;
    return false;
  }

  void PutColumn(const ColumnSpec& spec, bcf1_t* rec) {
    kstring_t* s = &line_;
    switch (spec.column) {
      case Column::kChrom: kputs(bcf_seqname_safe(header_, rec), s); return;
      case Column::kPos: kputll(rec->pos + 1, s); return;
      case Column::kEnd: kputll(rec->pos + rec->rlen, s); return;
      case Column::kId: kputs(rec->d.id, s); return;
      case Column::kRef: kputs(rec->n_allele ? rec->d.allele[0] : ".", s); return;
      case Column::kAlt:
        if (rec->n_allele < 2) {
          kputc('.', s);
          return;
        }
        for (int i = 1; i < rec->n_allele; ++i) {
          if (i > 1) kputc(',', s);
          kputs(rec->d.allele[i], s);
        }
        return;
      case Column::kQual:
        if (bcf_float_is_missing(rec->qual)) kputc('.', s);
        else kputd(rec->qual, s);
        return;
      case Column::kFilter:
        if (rec->d.n_flt == 0) {
          kputc('.', s);
          return;
        }
        for (int i = 0; i < rec->d.n_flt; ++i) {
          if (i) kputc(';', s);
          kputs(bcf_hdr_int2id(header_, BCF_DT_ID, rec->d.flt[i]), s);
        }
        return;
      case Column::kType: PutTypes(rec, s); return;
      case Column::kInfo: {
        bcf_info_t* info = nullptr;
        for (int i = 0; i < rec->n_info; ++i) {
          if (rec->d.info[i].key == spec.info_id && rec->d.info[i].vptr) {
            info = &rec->d.info[i];
            break;
          }
        }
        if (bcf_hdr_id2type(header_, BCF_HL_INFO, spec.info_id) == BCF_HT_FLAG) {
          kputc(info ? '1' : '.', s);  // as bcftools query
          return;
        }
        if (!info || info->len <= 0) {
          kputc('.', s);
          return;
        }
        bcf_fmt_array(s, info->len, info->type, info->vptr);
        return;
      }
    }
  }

  std::vector<ColumnSpec> columns_;
};

// Quoted by the project's one JSON rule (util/json_text.h): bytes that are not UTF-8 become U+FFFD.
void PutJsonString(std::string_view text, kstring_t* s) {
  thread_local std::string quoted;
  quoted.clear();
  AppendJsonString(text, &quoted);
  kputsn(quoted.data(), quoted.size(), s);
}

// QUAL and Type=Float values are single precision: the float's shortest decimal (AF=0.167 is
// 0.167, not 0.16699999570846558, nor htslib's 6-digit %g, which loses digits), a whole value
// without ".0" as before (QUAL 50); NaN (missing) is null. Integers are written whole (%g would
// write 12345678 as 1.23457e+07).
void PutJsonFloat(float value, kstring_t* s) {
  if (!std::isfinite(value)) {
    kputs("null", s);
    return;
  }
  const std::string text = FloatText(value);  // finite: a valid JSON number ("50", "1e-05")
  kputsn(text.data(), text.size(), s);
}

void PutJsonInteger(double value, kstring_t* s) {
  if (std::isfinite(value)) kputll(static_cast<long long>(value), s);
  else kputs("null", s);
}

class JsonLinesRecordWriter : public TextRecordWriter {
 public:
  using TextRecordWriter::TextRecordWriter;

  bool needs_samples() const override { return options_.json_samples; }

  Status Begin(const bcf_hdr_t* header) override {
    header_ = header;
    return Status::Ok();
  }

  Status Write(bcf1_t* rec) override {
    bcf_unpack(rec, options_.json_samples ? BCF_UN_ALL : BCF_UN_INFO);
    kstring_t* s = &line_;
    kputs("{\"chrom\":", s);
    PutJsonString(bcf_seqname_safe(header_, rec), s);
    kputs(",\"pos\":", s);
    kputll(rec->pos + 1, s);
    kputs(",\"id\":", s);
    if (std::strcmp(rec->d.id, ".") == 0) kputs("null", s);
    else PutJsonString(rec->d.id, s);
    kputs(",\"ref\":", s);
    PutJsonString(rec->n_allele ? rec->d.allele[0] : "", s);
    kputs(",\"alt\":[", s);
    for (int i = 1; i < rec->n_allele; ++i) {
      if (i > 1) kputc(',', s);
      PutJsonString(rec->d.allele[i], s);
    }
    kputs("],\"qual\":", s);
    if (bcf_float_is_missing(rec->qual)) kputs("null", s);
    else PutJsonFloat(rec->qual, s);
    kputs(",\"filter\":[", s);
    for (int i = 0; i < rec->d.n_flt; ++i) {
      if (i) kputc(',', s);
      PutJsonString(bcf_hdr_int2id(header_, BCF_DT_ID, rec->d.flt[i]), s);
    }
    kputs("],\"info\":{", s);
    bool first = true;
    for (int i = 0; i < rec->n_info; ++i) {
      const bcf_info_t& info = rec->d.info[i];
      if (!info.vptr) continue;  // removed
      if (!first) kputc(',', s);
      first = false;
      const char* tag = bcf_hdr_int2id(header_, BCF_DT_ID, info.key);
      PutJsonString(tag, s);
      kputc(':', s);
      PutInfoValue(tag, info.key, rec);
    }
    kputc('}', s);
    if (options_.json_samples) PutSamples(rec);
    kputs("}\n", s);
    return MaybeFlush();
  }

  Status Finish() override {
    VCFAGENT_RETURN_IF_ERROR(Flush());
    return TextRecordWriter::Finish();
  }

 private:
  // One typed value of a FORMAT field, widened to int32 with the int32 sentinels.
  static int32_t IntAt(const uint8_t* p, int type, int j) {
    switch (type) {
      case BCF_BT_INT8: {
        const int8_t v = reinterpret_cast<const int8_t*>(p)[j];
        return v == bcf_int8_missing ? bcf_int32_missing : v == bcf_int8_vector_end ? bcf_int32_vector_end : v;
      }
      case BCF_BT_INT16: {
        int16_t v;
        std::memcpy(&v, p + 2 * j, 2);
        return v == bcf_int16_missing ? bcf_int32_missing : v == bcf_int16_vector_end ? bcf_int32_vector_end : v;
      }
      default: {
        int32_t v;
        std::memcpy(&v, p + 4 * j, 4);
        return v;
      }
    }
  }

  void PutGenotype(const uint8_t* p, int type, int n) {
    kstring_t* s = &line_;
    kputc('"', s);
    for (int j = 0; j < n; ++j) {
      const int32_t v = IntAt(p, type, j);
      if (v == bcf_int32_vector_end) break;
      if (j) kputc(bcf_gt_is_phased(v) ? '|' : '/', s);
      if (v == bcf_int32_missing || bcf_gt_is_missing(v)) kputc('.', s);
      else kputw(bcf_gt_allele(v), s);
    }
    kputc('"', s);
  }

  void PutFormatValue(const bcf_fmt_t& fmt, int sample, bool scalar) {
    kstring_t* s = &line_;
    const uint8_t* p = fmt.p + static_cast<size_t>(sample) * fmt.size;
    if (fmt.type == BCF_BT_CHAR) {
      std::string_view text(reinterpret_cast<const char*>(p), strnlen(reinterpret_cast<const char*>(p), fmt.n));
      if (text.empty() || text == ".") kputs("null", s);
      else PutJsonString(text, s);
      return;
    }
    std::vector<double> values;  // NaN marks a missing value
    for (int j = 0; j < fmt.n; ++j) {
      if (fmt.type == BCF_BT_FLOAT) {
        float f;
        std::memcpy(&f, p + 4 * j, 4);
        if (bcf_float_is_vector_end(f)) break;
        values.push_back(bcf_float_is_missing(f) ? NAN : f);
      } else {
        const int32_t v = IntAt(p, fmt.type, j);
        if (v == bcf_int32_vector_end) break;
        values.push_back(v == bcf_int32_missing ? NAN : v);
      }
    }
    auto put = [&](double value) {
      if (fmt.type == BCF_BT_FLOAT) PutJsonFloat(static_cast<float>(value), s);  // exact: it was a float
      else PutJsonInteger(value, s);
    };
    if (scalar) {
      if (values.empty()) kputs("null", s);
      else put(values[0]);
      return;
    }
    kputc('[', s);
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) kputc(',', s);
      put(values[i]);
    }
    kputc(']', s);
  }

  void PutSamples(bcf1_t* rec) {
    kstring_t* s = &line_;
    kputs(",\"samples\":{", s);
    for (int i = 0; i < bcf_hdr_nsamples(header_); ++i) {
      if (i) kputc(',', s);
      PutJsonString(header_->samples[i], s);
      kputs(":{", s);
      bool first = true;
      for (int k = 0; k < rec->n_fmt; ++k) {
        const bcf_fmt_t& fmt = rec->d.fmt[k];
        if (!fmt.p) continue;
        const char* tag = bcf_hdr_int2id(header_, BCF_DT_ID, fmt.id);
        if (!first) kputc(',', s);
        first = false;
        PutJsonString(tag, s);
        kputc(':', s);
        if (std::strcmp(tag, "GT") == 0 && fmt.type != BCF_BT_CHAR && fmt.type != BCF_BT_FLOAT) {
          PutGenotype(fmt.p + static_cast<size_t>(i) * fmt.size, fmt.type, fmt.n);
          continue;
        }
        const bool scalar = bcf_hdr_id2length(header_, BCF_HL_FMT, fmt.id) == BCF_VL_FIXED &&
                            bcf_hdr_id2number(header_, BCF_HL_FMT, fmt.id) == 1;
        PutFormatValue(fmt, i, scalar);
      }
      kputc('}', s);
    }
    kputc('}', s);
  }

  void PutInfoValue(const char* tag, int id, bcf1_t* rec) {
    kstring_t* s = &line_;
    const int type = bcf_hdr_id2type(header_, BCF_HL_INFO, id);
    const bool scalar = bcf_hdr_id2length(header_, BCF_HL_INFO, id) == BCF_VL_FIXED &&
                        bcf_hdr_id2number(header_, BCF_HL_INFO, id) == 1;
    if (type == BCF_HT_FLAG) {
      kputs("true", s);
      return;
    }
    if (type == BCF_HT_STR) {
      const int n = bcf_get_info_string(header_, rec, tag, &chars_, &n_chars_);
      if (n <= 0) {
        kputs("null", s);
        return;
      }
      std::string_view all(chars_, strnlen(chars_, n));
      if (scalar) {
        if (all == ".") kputs("null", s);
        else PutJsonString(all, s);
        return;
      }
      kputc('[', s);
      for (size_t start = 0, k = 0; start <= all.size(); ++k) {
        size_t end = all.find(',', start);
        if (end == std::string_view::npos) end = all.size();
        if (k) kputc(',', s);
        const std::string_view item = all.substr(start, end - start);
        if (item == ".") kputs("null", s);
        else PutJsonString(item, s);
        start = end + 1;
      }
      kputc(']', s);
      return;
    }
    std::vector<double> values;  // NaN marks a missing value
    if (type == BCF_HT_REAL) {
      const int n = bcf_get_info_float(header_, rec, tag, &floats_, &n_floats_);
      for (int i = 0; i < n && !bcf_float_is_vector_end(floats_[i]); ++i) {
        values.push_back(bcf_float_is_missing(floats_[i]) ? NAN : floats_[i]);
      }
    } else {
      const int n = bcf_get_info_int32(header_, rec, tag, &ints_, &n_ints_);
      for (int i = 0; i < n && ints_[i] != bcf_int32_vector_end; ++i) {
        values.push_back(ints_[i] == bcf_int32_missing ? NAN : ints_[i]);
      }
    }
    auto put = [&](double value) {
      if (type == BCF_HT_REAL) PutJsonFloat(static_cast<float>(value), s);  // exact: it was a float
      else PutJsonInteger(value, s);
    };
    if (scalar && values.size() == 1) {
      put(values[0]);
      return;
    }
    kputc('[', s);
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) kputc(',', s);
      put(values[i]);
    }
    kputc(']', s);
  }
};

}  // namespace

std::unique_ptr<RecordSink> NewTsvRecordWriter(std::unique_ptr<OutputFile> out, const WriterOptions& options) {
  return std::make_unique<TsvRecordWriter>(std::move(out), options);
}

std::unique_ptr<RecordSink> NewJsonLinesRecordWriter(std::unique_ptr<OutputFile> out,
                                                     const WriterOptions& options) {
  return std::make_unique<JsonLinesRecordWriter>(std::move(out), options);
}

}  // namespace vcfagent::vcf
