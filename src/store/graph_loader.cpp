#include "store/graph_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

namespace vcfagent::store {

Result<uint32_t> LoadedGraph::VariantIndexOf(int64_t variant_id) const {
  auto it = variant_index.find(variant_id);
  if (it == variant_index.end()) return Status::Usage(fmt::format("variant {} is not in the store", variant_id));
  return it->second;
}

Result<uint32_t> LoadedGraph::SampleIndexOf(const std::string& name) const {
  auto index = graph->FindSample(name);
  if (!index) {
    std::string known;
    for (size_t i = 0; i < std::min<size_t>(graph->num_samples(), 5); ++i) {
      known += (i ? ", " : "") + graph->sample_name(static_cast<uint32_t>(i));
    }
    return Status::Usage(fmt::format("sample '{}' has no genotypes in the store{}", name,
                                     known.empty() ? "" : " (samples include " + known + ")"));
  }
  return *index;
}

Result<std::unique_ptr<LoadedGraph>> LoadCohortGraph(Store& store) {
  const auto start = std::chrono::steady_clock::now();
  Database& db = store.db();
  // One snapshot for all the reads below: an ingest committing meanwhile (the service loads the
  // graph while jobs write) must not add genotypes of variants the variant pass did not see.
  auto snapshot = Transaction::BeginRead(db);
  if (!snapshot.ok()) return snapshot.status();
  CohortGraph::Builder builder;
  auto loaded = std::make_unique<LoadedGraph>();

  // Samples with genotypes, in id order.
  std::unordered_map<int64_t, uint32_t> sample_index;
  {
    auto stmt = db.Prepare("SELECT sample_id, name FROM samples WHERE sample_id IN "
                           "(SELECT sample_id FROM sample_files) ORDER BY sample_id");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      sample_index[stmt->Int(0)] = builder.AddSample(std::string(stmt->Text(1)));
    }
  }
  // Samples of each file; a variant's group is the union over the files that have it.
  std::map<int64_t, std::vector<uint32_t>> file_samples;
  {
    auto stmt = db.Prepare("SELECT file_id, sample_id FROM sample_files ORDER BY file_id, column_index");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      file_samples[stmt->Int(0)].push_back(sample_index.at(stmt->Int(1)));
    }
  }
  std::unordered_map<int64_t, std::vector<int64_t>> extra_files;
  {
    auto stmt = db.Prepare("SELECT variant_id, file_id FROM variant_files ORDER BY variant_id, file_id");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      extra_files[stmt->Int(0)].push_back(stmt->Int(1));
    }
  }
  std::map<std::vector<int64_t>, uint32_t> groups;
  auto group_of = [&](std::vector<int64_t> files) {
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    auto it = groups.find(files);
    if (it != groups.end()) return it->second;
    std::vector<uint32_t> members;
    for (int64_t file : files) {
      auto f = file_samples.find(file);
      if (f != file_samples.end()) members.insert(members.end(), f->second.begin(), f->second.end());
    }
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    const uint32_t id = builder.AddSampleGroup(std::move(members));
    groups.emplace(std::move(files), id);
    return id;
  };

  {
    std::vector<std::string> chroms(1);
    auto stmt = db.Prepare("SELECT chrom_id, name FROM contigs ORDER BY chrom_id");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const auto id = static_cast<size_t>(stmt->Int(0));
      if (chroms.size() <= id) chroms.resize(id + 1);
      chroms[id] = stmt->Text(1);
    }
    builder.SetChromNames(std::move(chroms));
  }
  {
    auto stmt = db.Prepare("SELECT gene_id, name FROM genes");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      builder.SetGeneName(static_cast<uint32_t>(stmt->Int(0)), std::string(stmt->Text(1)));
    }
  }
  auto counts = store.Counts();
  if (!counts.ok()) return counts.status();
  builder.Reserve(static_cast<size_t>(counts->variants), static_cast<size_t>(counts->genotypes));
  loaded->variant_ids.reserve(static_cast<size_t>(counts->variants));
  {
    auto stmt = db.Prepare(
        "SELECT variant_id, chrom_id, pos, end_pos, gene_id, class, impact, af, n_het, n_hom_alt,"
        " n_called, n_alt_alleles, file_id FROM variants ORDER BY variant_id");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      GraphVariant v;
      v.variant_id = stmt->Int(0);
      v.chrom_id = static_cast<uint32_t>(stmt->Int(1));
      v.pos = stmt->Int(2);
      v.end = stmt->Int(3);
      v.gene_id = stmt->IsNull(4) ? kNoGene : static_cast<uint32_t>(stmt->Int(4));
      v.variant_class = static_cast<VariantClass>(stmt->Int(5));
      v.impact = static_cast<Impact>(stmt->Int(6));
      const int64_t called = stmt->Int(10);
      if (called > 0) {
        v.af = static_cast<float>((stmt->Int(8) + 2.0 * stmt->Int(9)) / (2.0 * called));
      } else if (!stmt->IsNull(7)) {
        v.af = static_cast<float>(stmt->Double(7));
      }
      v.biallelic_snv = stmt->Int(11) == 1 && v.variant_class == VariantClass::kSnv;
      std::vector<int64_t> files = {stmt->Int(12)};
      if (auto extra = extra_files.find(v.variant_id); extra != extra_files.end()) {
        files.insert(files.end(), extra->second.begin(), extra->second.end());
      }
      v.group = group_of(std::move(files));
      const uint32_t index = builder.AddVariant(v);
      loaded->variant_index.emplace(v.variant_id, index);
      loaded->variant_ids.push_back(v.variant_id);
    }
  }
  {
    auto stmt = db.Prepare("SELECT variant_id, sample_id, zygosity, gq, dp FROM genotypes");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t gq = stmt->IsNull(3) ? -1 : std::min<int64_t>(stmt->Int(3), INT16_MAX);
      const int64_t dp = stmt->IsNull(4) ? -1 : std::min<int64_t>(stmt->Int(4), INT32_MAX);
      builder.AddCall(loaded->variant_index.at(stmt->Int(0)), sample_index.at(stmt->Int(1)),
                      static_cast<Zygosity>(stmt->Int(2)), static_cast<int16_t>(gq),
                      static_cast<int32_t>(dp));
    }
  }
  auto graph = builder.Build();
  if (!graph.ok()) return graph.status().WithContext("building the cohort graph");
  loaded->graph.emplace(std::move(graph).value());
  loaded->load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return loaded;
}

}  // namespace vcfagent::store
