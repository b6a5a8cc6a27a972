#include "store/annotation/allele_annotator.h"

#include <htslib/vcf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <tuple>

#include "store/annotation/text_util.h"
#include "util/number_text.h"
#include "util/progress.h"
#include "vcf/variant_reader.h"

namespace vcfagent::store {
namespace {

bool IsSymbolicAllele(std::string_view allele) {
  return allele.empty() || allele.front() == '<' ||
         allele.find_first_of("[]") != std::string_view::npos || allele == "*" || allele == "." ||
         allele.front() == '.' || allele.back() == '.';
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string SourceNameOf(const std::string& path) {
  std::string_view name = path;
  if (size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  for (std::string_view ext : {".gz", ".bgz", ".vcf", ".bcf"}) {
    if (name.size() > ext.size() && EqualsIgnoreCase(name.substr(name.size() - ext.size()), ext)) {
      name.remove_suffix(ext.size());
    }
  }
  return std::string(name);
}

// How to read one requested field from a record.
struct FieldReader {
  std::string tag;
  int type = BCF_HT_STR;    // BCF_HT_FLAG, BCF_HT_INT, BCF_HT_REAL or BCF_HT_STR
  int number = BCF_VL_VAR;  // BCF_VL_A and BCF_VL_R select per allele
};

}  // namespace

MinimalAllele MinimalRepresentation(int64_t pos, std::string_view ref, std::string_view alt) {
  MinimalAllele out{pos, Upper(ref), Upper(alt)};
  if (IsSymbolicAllele(alt) || IsSymbolicAllele(ref)) return out;
  size_t suffix = 0;
  while (out.ref.size() - suffix > 1 && out.alt.size() - suffix > 1 &&
         out.ref[out.ref.size() - 1 - suffix] == out.alt[out.alt.size() - 1 - suffix]) {
    ++suffix;
  }
  out.ref.resize(out.ref.size() - suffix);
  out.alt.resize(out.alt.size() - suffix);
  size_t prefix = 0;
  while (out.ref.size() - prefix > 1 && out.alt.size() - prefix > 1 &&
         out.ref[prefix] == out.alt[prefix]) {
    ++prefix;
  }
  out.ref.erase(0, prefix);
  out.alt.erase(0, prefix);
  out.pos += static_cast<int64_t>(prefix);
  return out;
}

// Reads an annotation VCF into an AlleleAnnotator.
class AnnotationVcfLoader {
 public:
  static Status Load(const std::string& path, bool default_fields, AlleleAnnotator* annotator) {
    auto opened = vcf::VariantReader::Open(path);
    if (!opened.ok()) return opened.status();
    vcf::VariantReader& reader = **opened;
    const bcf_hdr_t* header = reader.header();

    std::vector<FieldReader> readers;
    std::vector<std::string> kept;
    for (const std::string& tag : annotator->fields_) {
      const int id = bcf_hdr_id2int(header, BCF_DT_ID, tag.c_str());
      if (id < 0 || !bcf_hdr_idinfo_exists(header, BCF_HL_INFO, id)) {
        if (default_fields) continue;
        return Status::Usage(path + ": INFO/" + tag + " is not defined in the header");
      }
      readers.push_back(FieldReader{tag, static_cast<int>(bcf_hdr_id2type(header, BCF_HL_INFO, id)),
                                    static_cast<int>(bcf_hdr_id2length(header, BCF_HL_INFO, id))});
      kept.push_back(tag);
    }
    if (readers.empty()) {
      return Status::Usage(path +
                           ": the header defines none of the default ClinVar fields (CLNSIG, "
                           "CLNREVSTAT, CLNDN, GENEINFO); name the INFO fields to attach");
    }
    annotator->fields_ = std::move(kept);

    vcf::BcfRecordPtr record = vcf::NewRecord();
    ProgressMeter progress("load annotations " + vcf::DisplayName(path));
    std::vector<std::optional<std::string>> values(readers.size());
    std::vector<std::vector<std::string>> per_field(readers.size());
    // One buffer per field: htslib counts a buffer's capacity in elements of the type last read
    // into it, so a buffer shared between a String and a Float field would be overrun.
    std::vector<void*> buffers(readers.size(), nullptr);
    std::vector<int> capacities(readers.size(), 0);
    Status status;
    while (status.ok()) {
      auto more = reader.Next(record.get());
      if (!more.ok()) {
        status = more.status();
        break;
      }
      if (!*more) break;
      if (CancelRequested()) {
        status = Status::Cancelled("interrupted");
        break;
      }
      progress.Update(reader.records_read());
      bcf1_t* rec = record.get();
      bcf_unpack(rec, BCF_UN_INFO);
      for (size_t f = 0; f < readers.size(); ++f) {
        per_field[f].clear();
        ReadField(header, rec, readers[f], &buffers[f], &capacities[f], &per_field[f]);
      }
      const char* chrom = bcf_seqname_safe(header, rec);
      for (int a = 1; a < rec->n_allele && status.ok(); ++a) {
        const std::string_view alt = rec->d.allele[a];
        if (alt == "*" || alt == "." || alt.empty()) continue;
        for (size_t f = 0; f < readers.size(); ++f) values[f] = Select(readers[f], per_field[f], a);
        status = annotator->AddAllele(chrom, rec->pos + 1, rec->d.allele[0], alt, values);
        if (!status.ok()) status = status.WithContext(reader.Where());
      }
    }
    for (void* buffer : buffers) std::free(buffer);
    progress.Finish(reader.records_read());
    VCFAGENT_RETURN_IF_ERROR(status);
    annotator->Finish();
    return Status::Ok();
  }

 private:
  // The field's values as text, one per comma-separated element (a Flag gives "1").
  static void ReadField(const bcf_hdr_t* header, bcf1_t* rec, const FieldReader& field,
                        void** buffer, int* capacity, std::vector<std::string>* out) {
    switch (field.type) {
      case BCF_HT_FLAG:
        if (bcf_get_info_flag(header, rec, field.tag.c_str(), nullptr, nullptr) == 1)
          out->push_back("1");
        return;
      case BCF_HT_INT: {
        const int n = bcf_get_info_int32(header, rec, field.tag.c_str(), buffer, capacity);
        const auto* data = static_cast<const int32_t*>(*buffer);
        for (int i = 0; i < n; ++i) {
          if (data[i] == bcf_int32_vector_end) break;
          out->push_back(data[i] == bcf_int32_missing ? "." : std::to_string(data[i]));
        }
        return;
      }
      case BCF_HT_REAL: {
        const int n = bcf_get_info_float(header, rec, field.tag.c_str(), buffer, capacity);
        const auto* data = static_cast<const float*>(*buffer);
        for (int i = 0; i < n; ++i) {
          if (bcf_float_is_vector_end(data[i])) break;
          out->push_back(bcf_float_is_missing(data[i]) ? "." : FloatText(data[i]));  // shortest: %g kept 6 digits
        }
        return;
      }
      default: {
        const int n = bcf_get_info_string(header, rec, field.tag.c_str(), buffer, capacity);
        if (n <= 0) return;
        const char* text = static_cast<const char*>(*buffer);
        const std::string_view value(text, strnlen(text, n));
        if (field.number == BCF_VL_A || field.number == BCF_VL_R) {
          ForEachPart(value, ',', [&](std::string_view part) { out->emplace_back(part); });
        } else {
          out->emplace_back(value);
        }
        return;
      }
    }
  }

  // The value kept for ALT `allele` (1-based): its own element for Number=A/R, else all of them.
  static std::optional<std::string> Select(const FieldReader& field,
                                           const std::vector<std::string>& elements, int allele) {
    if (elements.empty()) return std::nullopt;
    std::string value;
    if (field.number == BCF_VL_A || field.number == BCF_VL_R) {
      const size_t index = static_cast<size_t>(field.number == BCF_VL_A ? allele - 1 : allele);
      if (index >= elements.size()) return std::nullopt;
      if (field.number == BCF_VL_R) value = elements[0] + ",";
      value += elements[index];
    } else {
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) value += ',';
        value += elements[i];
      }
    }
    if (value.empty() || value == ".") return std::nullopt;
    return value;
  }
};

uint32_t AlleleAnnotator::InternValue(std::string_view value) {
  auto [it, inserted] =
      value_index_.try_emplace(std::string(value), static_cast<uint32_t>(values_.size()));
  if (inserted) values_.emplace_back(value);
  return it->second;
}

Status AlleleAnnotator::AddAllele(std::string_view chrom, int64_t pos, std::string_view ref,
                                  std::string_view alt,
                                  const std::vector<std::optional<std::string>>& values) {
  const MinimalAllele minimal = MinimalRepresentation(pos, ref, alt);
  if (alleles_.size() + minimal.ref.size() + minimal.alt.size() >
          std::numeric_limits<uint32_t>::max() ||
      entries_.size() >= std::numeric_limits<uint32_t>::max() / (fields_.size() + 1)) {
    return Status::InvalidInput(
        "the annotation VCF is too large to hold in memory (over 4 GB of alleles)");
  }
  const std::string key(ChromKey(chrom));
  auto [it, inserted] = chrom_ids_.try_emplace(key, static_cast<uint32_t>(chrom_names_.size()));
  if (inserted) chrom_names_.push_back(key);
  Entry entry{minimal.pos,
              it->second,
              static_cast<uint32_t>(alleles_.size()),
              static_cast<uint32_t>(minimal.ref.size()),
              static_cast<uint32_t>(minimal.alt.size()),
              static_cast<uint32_t>(value_ids_.size()),
              static_cast<uint32_t>(entries_.size())};
  alleles_ += minimal.ref;
  alleles_ += minimal.alt;
  for (const auto& value : values) value_ids_.push_back(value ? InternValue(*value) : kNoValue);
  entries_.push_back(entry);
  return Status::Ok();
}

void AlleleAnnotator::Finish() {
  std::sort(entries_.begin(), entries_.end(), [this](const Entry& a, const Entry& b) {
    return std::make_tuple(a.chrom, a.pos, Ref(a), Alt(a), a.order) <
           std::make_tuple(b.chrom, b.pos, Ref(b), Alt(b), b.order);
  });
  entries_.shrink_to_fit();
  alleles_.shrink_to_fit();
  value_ids_.shrink_to_fit();
  value_index_ = {};  // lookups go by id; the reverse index only served loading
}

Result<AlleleAnnotator> AlleleAnnotator::Open(const std::string& vcf_path,
                                              std::vector<std::string> fields) {
  AlleleAnnotator annotator;
  annotator.source_name_ = SourceNameOf(vcf_path);
  const bool default_fields = fields.empty();
  annotator.fields_ = default_fields ? kDefaultClinVarFields : std::move(fields);
  VCFAGENT_RETURN_IF_ERROR(AnnotationVcfLoader::Load(vcf_path, default_fields, &annotator));
  return annotator;
}

std::optional<AnnotationFields> AlleleAnnotator::Lookup(std::string_view chrom, int64_t pos,
                                                        std::string_view ref,
                                                        std::string_view alt) const {
  auto chrom_it = chrom_ids_.find(std::string(ChromKey(chrom)));
  if (chrom_it == chrom_ids_.end()) return std::nullopt;
  const MinimalAllele key = MinimalRepresentation(pos, ref, alt);
  const auto key_tuple = std::make_tuple(chrom_it->second, key.pos, std::string_view(key.ref),
                                         std::string_view(key.alt));
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key_tuple,
                             [this](const Entry& e, const auto& k) {
                               return std::make_tuple(e.chrom, e.pos, Ref(e), Alt(e)) < k;
                             });
  if (it == entries_.end() ||
      std::make_tuple(it->chrom, it->pos, Ref(*it), Alt(*it)) != key_tuple) {
    return std::nullopt;
  }
  AnnotationFields out;
  for (size_t f = 0; f < fields_.size(); ++f) {
    const uint32_t id = value_ids_[it->values + f];
    if (id != kNoValue) out.emplace_back(fields_[f], values_[id]);
  }
  return out;
}

size_t AlleleAnnotator::MemoryBytes() const {
  size_t bytes = entries_.capacity() * sizeof(Entry) + alleles_.capacity() +
                 value_ids_.capacity() * sizeof(uint32_t) +
                 values_.capacity() * sizeof(std::string);
  for (const std::string& value : values_) {
    if (value.capacity() > 15) bytes += value.capacity() + 1;
  }
  return bytes;
}

std::string ClinicalSignificanceClass(std::string_view clnsig) {
  std::string result = "other";
  bool found = false;
  // Parts are separated by '|' (several conditions) or ',' (",_low_penetrance", ",_risk_factor").
  auto classify = [&](std::string_view part) {
    if (found) return;
    part = Trim(part, " _");
    const std::string lower = ToLower(part);
    std::string_view first = lower;
    const size_t slash = first.find('/');
    if (lower.rfind("conflicting", 0) == 0) {
      result = "conflicting";
    } else {
      if (slash != std::string_view::npos) first = first.substr(0, slash);
      if (first == "pathogenic")
        result = "pathogenic";
      else if (first == "likely_pathogenic")
        result = "likely-pathogenic";
      else if (first == "uncertain_significance")
        result = "uncertain";
      else if (first == "likely_benign")
        result = "likely-benign";
      else if (first == "benign")
        result = "benign";
      else
        return;
    }
    found = true;
  };
  ForEachPart(clnsig, '|', [&](std::string_view part) { ForEachPart(part, ',', classify); });
  return result;
}

}  // namespace vcfagent::store
