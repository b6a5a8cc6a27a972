#include "store/ingest_annotate.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <optional>

#include "store/annotation/allele_annotator.h"
#include "store/annotation/consequence.h"
#include "store/annotation/gene_intervals.h"
#include "store/annotation/pedigree.h"
#include "util/json_text.h"

namespace vcfagent::store {

struct IngestAnnotator::Impl {
  std::optional<GeneIntervals> genes;
  std::vector<AlleleAnnotator> annotators;
  std::optional<ConsequenceParser> consequences;  // of the current file
  bool file_has_clnsig = false;                   // the file carries ClinVar's CLNSIG itself
  char* clnsig_buffer = nullptr;
  int clnsig_size = 0;
  ~Impl() { free(clnsig_buffer); }
};

Result<std::unique_ptr<IngestAnnotator>> IngestAnnotator::Create(const IngestOptions& options) {
  auto annotator = std::unique_ptr<IngestAnnotator>(new IngestAnnotator());
  annotator->impl_ = std::make_unique<Impl>();
  if (!options.genes_path.empty()) {
    auto genes = GeneIntervals::Load(options.genes_path);
    if (!genes.ok()) return genes.status();
    annotator->impl_->genes = std::move(genes).value();
  }
  for (const std::string& path : options.annotate_paths) {
    auto source = AlleleAnnotator::Open(path, options.annotate_fields);
    if (!source.ok()) return source.status();
    annotator->impl_->annotators.push_back(std::move(source).value());
  }
  return annotator;
}

IngestAnnotator::~IngestAnnotator() = default;

void IngestAnnotator::StartFile(const bcf_hdr_t* header) {
  impl_->consequences = ConsequenceParser::FromHeader(header);
  const int id = bcf_hdr_id2int(header, BCF_DT_ID, "CLNSIG");
  impl_->file_has_clnsig = id >= 0 && bcf_hdr_idinfo_exists(header, BCF_HL_INFO, id);
}

void IngestAnnotator::Annotate(const bcf_hdr_t* header, bcf1_t* rec, std::span<AlleleRow> rows) {
  Impl& impl = *impl_;
  if (impl.consequences) {
    const auto parsed = impl.consequences->ParseRecord(header, rec);
    for (AlleleRow& row : rows) {
      const size_t index = static_cast<size_t>(row.allele_index - 1);
      if (index >= parsed.size()) continue;
      const AlleleConsequence& c = parsed[index];
      row.consequence = c.consequence;
      row.impact = c.impact;
      row.gene = c.gene;
      row.genes = c.genes;
    }
  }
  if (impl.genes) {
    for (AlleleRow& row : rows) {
      if (!row.gene.empty()) continue;  // the file's own annotation wins
      const auto overlapping = impl.genes->Overlapping(row.chrom, row.pos, row.end_pos);
      if (overlapping.empty()) continue;
      row.gene = overlapping.front();
      row.genes.assign(overlapping.begin(), overlapping.end());
    }
  }
  if (impl.file_has_clnsig &&
      bcf_get_info_string(header, rec, "CLNSIG", &impl.clnsig_buffer, &impl.clnsig_size) > 0) {
    // ClinVar's CLNSIG is per record (Number=.): it applies to each of its alleles.
    const std::string cls = ClinicalSignificanceClass(impl.clnsig_buffer);
    for (AlleleRow& row : rows) row.clnsig = cls;
  }
  if (impl.annotators.empty()) return;
  for (AlleleRow& row : rows) {
    nlohmann::json attached = nlohmann::json::object();
    for (const AlleleAnnotator& source : impl.annotators) {
      auto fields = source.Lookup(row.chrom, row.pos, row.ref, row.alt);
      if (!fields) continue;
      nlohmann::json values = nlohmann::json::object();
      for (const auto& [key, value] : *fields) {
        values[key] = value;
        if (key == "CLNSIG" && row.clnsig.empty()) row.clnsig = ClinicalSignificanceClass(value);
      }
      attached[std::string(source.source_name())] = std::move(values);
    }
    if (!attached.empty()) row.annotations = DumpJson(attached);
  }
}

Result<int64_t> ApplyPedigree(Store& store, const std::string& ped_path) {
  auto pedigree = Pedigree::Load(ped_path);
  if (!pedigree.ok()) return pedigree.status();
  Database& db = store.db();
  auto tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  auto upsert = db.Prepare(
      "INSERT INTO samples(name, family, father, mother, sex, phenotype) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT (name) DO UPDATE SET family = excluded.family, father = excluded.father, "
      "mother = excluded.mother, sex = excluded.sex, phenotype = excluded.phenotype");
  if (!upsert.ok()) return upsert.status();
  auto text = [](const std::string& value) { return value.empty() ? std::nullopt : std::optional<std::string>(value); };
  for (const PedigreeMember& member : pedigree->members()) {
    upsert->Bind(1, member.individual).Bind(2, text(member.family)).Bind(3, text(member.father));
    upsert->Bind(4, text(member.mother));
    if (member.sex == Sex::kUnknown) upsert->BindNull(5); else upsert->Bind(5, ToString(member.sex));
    if (member.phenotype == Phenotype::kUnknown) upsert->BindNull(6); else upsert->Bind(6, ToString(member.phenotype));
    VCFAGENT_RETURN_IF_ERROR(upsert->Run());
  }
  VCFAGENT_RETURN_IF_ERROR(db.Exec(kBumpGenerationSql));
  VCFAGENT_RETURN_IF_ERROR(tx->Commit());
  return static_cast<int64_t>(pedigree->members().size());
}

}  // namespace vcfagent::store
