#include "store/variant_format.h"
#include "util/json_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace vcfagent::store {
namespace {

std::string Number(std::optional<double> value, int precision = 4) {
  if (!value) return ".";
  std::string text = fmt::format("{:.{}g}", *value, precision);
  return text;
}

std::vector<std::string> Columns(const VariantRecord& r, bool with_call) {
  std::vector<std::string> cells = {
      std::to_string(r.variant_id), r.chrom, std::to_string(r.pos), r.ref, r.alt,
      r.rsid.value_or("."), Number(r.qual, 6), r.filter.value_or("."),
      std::string(ToString(r.variant_class)), r.gene.empty() ? "." : r.gene,
      r.consequence.empty() ? "." : r.consequence,
      r.impact == Impact::kNone ? "." : std::string(ToString(r.impact)),
      r.clnsig.empty() ? "." : r.clnsig, Number(r.af), Number(r.cohort_af),
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
  for (const auto& r : page.variants) rows.push_back(Columns(r, with_call));
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
  // INFO and FILTER definitions from the ingested files' headers, first definition of an ID wins.
  std::set<std::string> seen;
  auto headers = store.db().Prepare("SELECT header FROM files ORDER BY file_id");
  if (!headers.ok()) return headers.status();
  for (;;) {
    auto row = headers->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string_view text = headers->Text(0);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      start = end + 1;
      const bool info = line.rfind("##INFO=<", 0) == 0, filter = line.rfind("##FILTER=<", 0) == 0;
      if (!info && !filter) continue;
      const size_t id_at = line.find("ID=");
      const size_t id_end = line.find_first_of(",>", id_at);
      if (id_at == std::string_view::npos || id_end == std::string_view::npos) continue;
      std::string key = std::string(info ? "I:" : "F:") + std::string(line.substr(id_at + 3, id_end - id_at - 3));
      if (seen.insert(key).second) out += std::string(line) + "\n";
    }
  }
  if (!seen.count("F:PASS")) out.insert(out.find("##source"), "##FILTER=<ID=PASS,Description=\"All filters passed\">\n");
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
                       r.alt, r.qual ? fmt::format("{:g}", *r.qual) : ".", r.filter.value_or("."),
                       r.info.empty() ? "." : r.info);
    if (with_call && r.call) {
      // The stored GT names the original record's alleles; after splitting, this record has one
      // ALT, so other alleles are written as 0 (the bcftools norm -m- convention).
      std::string rebuilt;
      size_t i = 0;
      const std::string& original = r.call->gt;
      while (i < original.size()) {
        if (original[i] == '/' || original[i] == '|') {
          rebuilt += original[i++];
          continue;
        }
        size_t j = i;
        while (j < original.size() && original[j] != '/' && original[j] != '|') ++j;
        const std::string allele = original.substr(i, j - i);
        rebuilt += allele == "." ? "." : allele == std::to_string(r.allele_index) ? "1" : "0";
        i = j;
      }
      out += fmt::format("\tGT:DP:GQ\t{}:{}:{}", rebuilt, r.call->dp ? std::to_string(*r.call->dp) : ".",
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
    if (value) return *value;
    return nullptr;
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
