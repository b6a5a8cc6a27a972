#include "store/variant_format.h"
#include "util/json_text.h"
#include "util/number_text.h"

#include <fmt/format.h>

#include <htslib/vcf.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <type_traits>

#include "vcf/validate/field_definitions.h"

namespace vcfagent::store {
namespace {

// The cells of one variant. Values from the file (QUAL, AF) are its own decimals everywhere; the
// cohort AF, a ratio computed in double precision, has every digit in TSV and 4 significant digits
// in the table that people read (`for_reading`).
std::vector<std::string> Columns(const VariantRecord& r, bool with_call, bool for_reading = false) {
  const std::string cohort_af = !for_reading ? DoubleText(r.cohort_af)
                                : r.cohort_af ? fmt::format("{:.4g}", *r.cohort_af) : ".";
  std::vector<std::string> cells = {
      std::to_string(r.variant_id), r.chrom, std::to_string(r.pos), r.ref, r.alt,
      r.rsid.value_or("."), FloatText(r.qual), r.filter.value_or("."),
      std::string(ToString(r.variant_class)), r.gene.empty() ? "." : r.gene,
      r.consequence.empty() ? "." : r.consequence,
      r.impact == Impact::kNone ? "." : std::string(ToString(r.impact)),
      r.clnsig.empty() ? "." : r.clnsig, FloatText(r.af), cohort_af,
      std::to_string(r.n_het + r.n_hom_alt)};
  if (with_call && r.call) {
    cells.push_back(r.call->gt);
    cells.push_back(std::string(ToString(r.call->zygosity)));
    cells.push_back(r.call->dp ? std::to_string(*r.call->dp) : ".");
    cells.push_back(r.call->gq ? std::to_string(*r.call->gq) : ".");
  }
  return cells;
}

std::vector<std::string> Header(bool with_call) {
  std::vector<std::string> names = {"id", "chrom", "pos", "ref", "alt", "rsid", "qual", "filter",
                                    "class", "gene", "consequence", "impact", "clnsig", "af",
                                    "cohort_af", "carriers"};
  if (with_call) {
    for (const char* name : {"gt", "zygosity", "dp", "gq"}) names.push_back(name);
  }
  return names;
}

std::string Table(const VariantPage& page, bool with_call) {
  std::vector<std::vector<std::string>> rows = {Header(with_call)};
  for (const auto& r : page.variants) rows.push_back(Columns(r, with_call, /*for_reading=*/true));
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], std::min<size_t>(row[i].size(), 40));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string cell = row[i].size() > 40 ? row[i].substr(0, 39) + "~" : row[i];
      line += fmt::format("{:<{}}", cell, width[i]);
      if (i + 1 < row.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (page.variants.empty()) out += "(no variants)\n";
  if (page.more) out += "(more variants: use --offset or --limit)\n";
  return out;
}

std::string Tsv(const VariantPage& page, bool with_call) {
  std::string out;
  auto write = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "\t" : "") + cells[i];
    out += "\n";
  };
  auto header = Header(with_call);
  header[0] = "#" + header[0];
  write(header);
  for (const auto& r : page.variants) write(Columns(r, with_call));
  return out;
}


// ---- the header of a VCF export -----------------------------------------------------------------

struct HeaderDeleter {
  void operator()(bcf_hdr_t* header) const { bcf_hdr_destroy(header); }
};
struct HrecDeleter {
  void operator()(bcf_hrec_t* hrec) const { bcf_hrec_destroy(hrec); }
};
using HrecPtr = std::unique_ptr<bcf_hrec_t, HrecDeleter>;

// One definition of an INFO tag as one or more ingested files' headers give it.
struct TagDefinition {
  std::string number, type;
  HrecPtr hrec;                    // the first file's line
  std::vector<std::string> files;  // the files whose header defines it this way
  std::vector<int64_t> file_ids;
};

// The definitions of one INFO or FILTER ID, in the order the files were ingested.
struct HeaderTag {
  std::string id;
  std::vector<TagDefinition> definitions;
};

std::string Attribute(bcf_hrec_t* hrec, const char* key) {
  const int i = bcf_hrec_find_key(hrec, key);
  return i >= 0 && hrec->vals[i] ? hrec->vals[i] : "";
}

std::string FormatHrec(const bcf_hrec_t* hrec) {
  kstring_t text = {0, 0, nullptr};
  if (bcf_hrec_format(hrec, &text) < 0 || !text.s) {
    free(text.s);
    return {};
  }
  std::string line(text.s, text.l);
  free(text.s);
  return line;
}

// The narrowest VCF type that holds the values of both: integers are valid floats, and anything
// is a valid string (a Flag's bare key included: readers take it as a present value).
std::string WiderType(const std::string& a, const std::string& b) {
  if (a == b) return a;
  if ((a == "Integer" && b == "Float") || (a == "Float" && b == "Integer")) return "Float";
  return "String";
}

std::string JoinFiles(const std::vector<std::string>& files) {
  std::string joined;
  for (const auto& f : files) joined += (joined.empty() ? "" : ", ") + f;
  return joined;
}

std::vector<std::string> SplitText(std::string_view text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(sep, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool FitsType(const std::string& value, const std::string& type) {
  if (value == "." || type == "String") return true;
  if (type == "Character") return value.size() == 1;
  char* end = nullptr;
  if (type == "Integer") {
    errno = 0;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    return !value.empty() && *end == '\0' && errno == 0 && v > INT32_MIN + 7 && v <= INT32_MAX;
  }
  if (type == "Float") {
    std::strtod(value.c_str(), &end);
    return !value.empty() && *end == '\0';
  }
  return false;
}

// A value written under `from` (Number/Type of its file) rewritten for `to` (the export's line)
// on a record with one ALT: Number=R values keep the ALT's, a single value under Number=R gets a
// missing REF value, a count that still does not fit becomes missing, and values that are not of
// the type become missing. nullopt: write the bare key (the target is a Flag).
std::optional<std::string> ConvertValue(const std::string& value, const std::string& from_number,
                                        const std::string& to_number, const std::string& to_type) {
  if (to_type == "Flag") return std::nullopt;
  std::vector<std::string> values = SplitText(value, ',');
  size_t want = 0;  // 0: any count
  if (to_number == "A") want = 1;
  else if (to_number == "R") want = 2;
  else if (to_number != "." && to_number != "G") want = std::strtoul(to_number.c_str(), nullptr, 10);
  if (want && values.size() != want) {
    if (from_number == "R" && values.size() == 2 && want == 1) values = {values[1]};
    else if (values.size() == 1 && want == 2) values = {".", values[0]};
    else values.assign(want, ".");
  }
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    out += (i ? "," : "") + (FitsType(values[i], to_type) ? values[i] : std::string("."));
  }
  return out;
}

// The INFO and FILTER lines of an export of records that came from several files, and the
// rewriting of INFO values some files need. Each record's INFO was written under the header of
// the file that introduced it, so where the files define a tag differently (AF as Number=A in one,
// Number=R in another) no single file's line is right for all records (`bcftools merge` keeps the
// first and warns). The export's line:
//  - for a tag the VCF specification reserves (AF, DP, ...): the specification's Number and Type,
//    which validators insist on; values of files that define it otherwise are converted
//    (ConvertValue);
//  - otherwise: the common Number or else Number=., and the wider Type (Integer+Float: Float;
//    anything else: String), which every file's values satisfy as they are.
// A ##vcf-agent_header_merge line says what each file had. INFO keys and FILTER names that records
// use without any header line get one, so that readers do not warn.
class ExportHeader {
 public:
  Status Build(Store& store, const VariantPage& page);
  const std::string& lines() const { return lines_; }
  // `info` of a record introduced by `file_id`, rewritten where that file's definitions differ.
  std::string Info(int64_t file_id, const std::string& info) const;

 private:
  struct Conversion {
    std::string from_number, to_number, to_type;
  };
  std::string lines_;
  std::map<int64_t, std::map<std::string, Conversion, std::less<>>> conversions_;  // by file
};

Status ExportHeader::Build(Store& store, const VariantPage& page) {
  std::vector<HeaderTag> tags[2];  // 0: INFO, 1: FILTER
  std::map<std::string, size_t> index[2];
  auto headers = store.db().Prepare("SELECT file_id, path, header FROM files ORDER BY file_id");
  if (!headers.ok()) return headers.status();
  for (;;) {
    auto row = headers->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t file_id = headers->Int(0);
    const std::string path(headers->Text(1));
    std::string text(headers->Text(2));
    std::unique_ptr<bcf_hdr_t, HeaderDeleter> header(bcf_hdr_init("r"));
    if (!header || bcf_hdr_parse(header.get(), text.data()) < 0) {
      return Status::Internal(fmt::format("the stored header of {} cannot be parsed", path));
    }
    for (int i = 0; i < header->nhrec; ++i) {
      bcf_hrec_t* hrec = header->hrec[i];
      if (hrec->type != BCF_HL_INFO && hrec->type != BCF_HL_FLT) continue;
      const int kind = hrec->type == BCF_HL_INFO ? 0 : 1;
      const std::string id = Attribute(hrec, "ID");
      if (id.empty()) continue;
      auto [at, added] = index[kind].emplace(id, tags[kind].size());
      if (added) tags[kind].push_back(HeaderTag{id, {}});
      auto& definitions = tags[kind][at->second].definitions;
      // FILTER lines only describe: the first one serves every file.
      const std::string number = kind == 0 ? Attribute(hrec, "Number") : "";
      const std::string type = kind == 0 ? Attribute(hrec, "Type") : "";
      auto same = std::find_if(definitions.begin(), definitions.end(), [&](const TagDefinition& d) {
        return d.number == number && d.type == type;
      });
      if (same == definitions.end()) {
        definitions.push_back(TagDefinition{number, type, HrecPtr(bcf_hrec_dup(hrec)), {}, {}});
        if (!definitions.back().hrec) return Status::Internal("out of memory");
        same = definitions.end() - 1;
      }
      same->files.push_back(path);
      same->file_ids.push_back(file_id);
    }
  }

  for (const HeaderTag& tag : tags[0]) {
    const auto& defs = tag.definitions;
    if (defs.size() == 1) {
      lines_ += FormatHrec(defs[0].hrec.get());
      continue;
    }
    std::string number = defs[0].number, type = defs[0].type, was;
    for (const auto& d : defs) {
      if (d.number != number) number = ".";
      type = WiderType(type, d.type);
      was += fmt::format("{}Number={},Type={} in {}", was.empty() ? "" : "; ", d.number, d.type,
                         JoinFiles(d.files));
    }
    const vcf::validate::FieldDefinition* reserved = vcf::validate::ReservedInfo(2, tag.id);
    const bool specified = reserved && reserved->number_text != "." &&
                           reserved->type != vcf::validate::ValueType::kAny;
    if (specified) {
      number = reserved->number_text;
      type = reserved->type_text;
    }
    // Keep the line of a file that already has the export's definition, else the first file's.
    const TagDefinition* base = &defs[0];
    for (const auto& d : defs) {
      if (d.number == number && d.type == type) base = &d;
      if (d.number == number && d.type == type) break;
    }
    for (const auto& d : defs) {
      if (!specified || (d.number == number && d.type == type)) continue;
      for (int64_t file_id : d.file_ids) {
        conversions_[file_id][tag.id] = Conversion{d.number, number, type};
      }
    }
    HrecPtr merged(bcf_hrec_dup(base->hrec.get()));
    if (!merged) return Status::Internal("out of memory");
    for (const auto& [key, value] : {std::pair<const char*, const std::string&>("Number", number),
                                     std::pair<const char*, const std::string&>("Type", type)}) {
      const int i = bcf_hrec_find_key(merged.get(), key);
      if (i >= 0 && bcf_hrec_set_val(merged.get(), i, value.c_str(), value.size(), 0) < 0) {
        return Status::Internal("out of memory");
      }
    }
    lines_ += fmt::format(
        "##vcf-agent_header_merge=INFO/{} is {}; written as Number={},Type={}, {}\n", tag.id, was,
        number, type,
        specified ? "as the VCF specification reserves it, with the other files' values converted "
                    "(of Number=R values the ALT's; values that do not fit are written as missing)"
                  : "which holds the values of every file");
    lines_ += FormatHrec(merged.get());
  }
  bool has_pass = false;
  for (const HeaderTag& tag : tags[1]) {
    lines_ += FormatHrec(tag.definitions[0].hrec.get());
    has_pass |= tag.id == "PASS";
  }
  if (!has_pass) lines_ = "##FILTER=<ID=PASS,Description=\"All filters passed\">\n" + lines_;

  // Keys and filter names the records use that no header defines (htslib accepts them on input
  // with a warning and the file's stored header does not list them).
  std::set<std::string> undefined_info, undefined_filter;
  for (const auto& r : page.variants) {
    if (!r.info.empty()) {
      for (const auto& field : SplitText(r.info, ';')) {
        const std::string key = field.substr(0, field.find('='));
        if (!key.empty() && !index[0].count(key)) undefined_info.insert(key);
      }
    }
    if (!r.filter) continue;
    for (const auto& name : SplitText(*r.filter, ';')) {
      if (!name.empty() && name != "PASS" && !index[1].count(name)) undefined_filter.insert(name);
    }
  }
  for (const auto& key : undefined_info) {
    // A reserved key keeps the specification's definition (validators insist on it).
    const vcf::validate::FieldDefinition* reserved = vcf::validate::ReservedInfo(2, key);
    const bool specified = reserved && reserved->type != vcf::validate::ValueType::kAny;
    lines_ += fmt::format("##INFO=<ID={},Number={},Type={},Description=\"Not defined in the "
                          "header of the file it was ingested from\">\n",
                          key, specified ? reserved->number_text : ".",
                          specified ? reserved->type_text : "String");
  }
  for (const auto& name : undefined_filter) {
    lines_ += fmt::format("##FILTER=<ID={},Description=\"Not defined in the header of the file it "
                          "was ingested from\">\n", name);
  }
  return Status::Ok();
}

std::string ExportHeader::Info(int64_t file_id, const std::string& info) const {
  auto file = conversions_.find(file_id);
  std::string out;
  for (const auto& field : SplitText(info, ';')) {
    // Stores hold "=" as the INFO of a multiallelic record that had none (the allele split of
    // ingest's IngestReader::SubsetInfo): a field without a key is not VCF.
    if (field.empty() || field[0] == '=') continue;
    const size_t eq = field.find('=');
    std::string rewritten = field;
    if (file != conversions_.end()) {
      auto it = file->second.find(std::string_view(field).substr(0, eq));
      if (it != file->second.end()) {
        const Conversion& c = it->second;
        auto value = ConvertValue(eq == std::string::npos ? "." : field.substr(eq + 1),
                                  c.from_number, c.to_number, c.to_type);
        rewritten = value ? it->first + "=" + *value : it->first;
      }
    }
    out += (out.empty() ? "" : ";") + rewritten;
  }
  return out.empty() ? "." : out;
}

// The queried sample's GT for a record with one ALT. The stored GT numbers the alleles of the
// record in the file the call came from, and other alleles are written as 0 (the bcftools norm
// -m- convention). The variant's allele_index is its index in the file that introduced it; a
// call from another file may number it differently (C,G in one file, G alone in another), so
// there the stored zygosity decides: het is 0/1 (unphased: which haplotype carries the ALT is not
// known), hom-alt is 1/1, and a partly missing call is missing.
std::string SplitGenotype(const VariantRecord& r) {
  const QueriedCall& call = *r.call;
  std::vector<std::string> alleles;
  std::string separators;
  size_t i = 0;
  while (i <= call.gt.size()) {
    const size_t j = call.gt.find_first_of("/|", i);
    alleles.push_back(call.gt.substr(i, j == std::string::npos ? j : j - i));
    if (j == std::string::npos) break;
    separators += call.gt[j];
    i = j + 1;
  }
  const bool same_numbering = call.file_id == r.file_id;
  std::string rebuilt;
  for (size_t k = 0; k < alleles.size(); ++k) {
    if (k) rebuilt += same_numbering ? separators[k - 1] : '/';
    if (alleles[k] == "." || alleles[k].empty() ||
        (call.zygosity == Zygosity::kMissing && !same_numbering)) {
      rebuilt += '.';
    } else if (same_numbering) {
      rebuilt += alleles[k] == std::to_string(r.allele_index) ? '1' : '0';
    } else {
      rebuilt += call.zygosity == Zygosity::kHomAlt || k + 1 == alleles.size() ? '1' : '0';
    }
  }
  return rebuilt;
}

Result<std::string> Vcf(Store& store, const VariantPage& page, const VariantQuery& query) {
  std::string out = "##fileformat=VCFv4.2\n";
  out += fmt::format("##source=vcf-agent {} variants (store {})\n", VCFAGENT_VERSION, store.dir());
  auto contigs = store.db().Prepare("SELECT name, length FROM contigs ORDER BY chrom_id");
  if (!contigs.ok()) return contigs.status();
  for (;;) {
    auto row = contigs->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out += contigs->IsNull(1) ? fmt::format("##contig=<ID={}>\n", contigs->Text(0))
                              : fmt::format("##contig=<ID={},length={}>\n", contigs->Text(0), contigs->Int(1));
  }
  ExportHeader header;
  VCFAGENT_RETURN_IF_ERROR(header.Build(store, page));
  out += header.lines();
  const bool with_call = !query.sample.empty();
  if (with_call) {
    out += "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
           "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n"
           "##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n";
  }
  out += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO";
  if (with_call) out += "\tFORMAT\t" + query.sample;
  out += "\n";
  for (const auto& r : page.variants) {
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}", r.chrom, r.pos, r.rsid.value_or("."), r.ref,
                       r.alt, r.qual ? fmt::format("{:g}", static_cast<double>(*r.qual)) : ".", r.filter.value_or("."),
                       header.Info(r.file_id, r.info));
    if (with_call && r.call) {
      out += fmt::format("\tGT:DP:GQ\t{}:{}:{}", SplitGenotype(r), r.call->dp ? std::to_string(*r.call->dp) : ".",
                         r.call->gq ? std::to_string(*r.call->gq) : ".");
    }
    out += "\n";
  }
  return out;
}

}  // namespace

Result<VariantOutput> ParseVariantOutput(const std::string& text) {
  if (text == "table" || text == "text") return VariantOutput::kTable;
  if (text == "tsv") return VariantOutput::kTsv;
  if (text == "json") return VariantOutput::kJson;
  if (text == "vcf") return VariantOutput::kVcf;
  return Status::Usage(fmt::format("--format: '{}' is not one of table, tsv, json, vcf", text));
}

nlohmann::json VariantToJson(const VariantRecord& r) {
  auto optional = [](const auto& value) -> nlohmann::json {
    if (!value) return nullptr;
    if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, float>) return JsonFloat(*value);
    else return *value;
  };
  nlohmann::json json = {
      {"id", r.variant_id}, {"chrom", r.chrom}, {"pos", r.pos}, {"end", r.end}, {"ref", r.ref},
      {"alt", r.alt}, {"variant", r.Label()}, {"rsid", optional(r.rsid)}, {"qual", optional(r.qual)},
      {"filter", optional(r.filter)}, {"class", ToString(r.variant_class)},
      {"gene", r.gene.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.gene)},
      {"consequence", r.consequence.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.consequence)},
      {"impact", r.impact == Impact::kNone ? nlohmann::json(nullptr) : nlohmann::json(ToString(r.impact))},
      {"clnsig", r.clnsig.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.clnsig)},
      {"af", optional(r.af)}, {"cohort_af", optional(r.cohort_af)},
      {"het", r.n_het}, {"hom_alt", r.n_hom_alt}, {"missing", r.n_missing}, {"called", r.n_called},
      {"mean_dp", optional(r.mean_dp)}, {"mean_gq", optional(r.mean_gq)}, {"info", r.info}};
  if (!r.annotations.empty()) {
    json["annotations"] = nlohmann::json::parse(r.annotations, nullptr, false);
  }
  if (r.call) {
    json["call"] = {{"sample", r.call->sample}, {"gt", r.call->gt},
                    {"zygosity", ToString(r.call->zygosity)}, {"dp", optional(r.call->dp)},
                    {"gq", optional(r.call->gq)},
                    {"ad", r.call->ad.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.call->ad)}};
  }
  return json;
}

Result<std::string> FormatVariants(Store& store, const VariantPage& page, VariantOutput format,
                                   const VariantQuery& query) {
  const bool with_call = !query.sample.empty();
  switch (format) {
    case VariantOutput::kTable: return Table(page, with_call);
    case VariantOutput::kTsv: return Tsv(page, with_call);
    case VariantOutput::kVcf: return Vcf(store, page, query);
    case VariantOutput::kJson: {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& r : page.variants) list.push_back(VariantToJson(r));
      nlohmann::json json = {{"variants", list}, {"returned", page.variants.size()},
                             {"offset", query.offset}, {"limit", query.limit}, {"more", page.more}};
      return DumpJson(json, 2) + "\n";
    }
  }
  return Status::Internal("unknown output format");
}

}  // namespace vcfagent::store
