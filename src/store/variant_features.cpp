#include "store/variant_features.h"

#include <fmt/format.h>

#include <algorithm>

namespace vcfagent::store {
namespace {

struct FaidxDeleter {
  void operator()(faidx_t* fai) const { fai_destroy(fai); }
};

// Reference bases pos-5..pos+5 (1-based pos in the middle), 'N' beyond the contig.
class ContextReader {
 public:
  explicit ContextReader(const std::string& fasta) {
    if (!fasta.empty()) fai_.reset(fai_load(fasta.c_str()));
  }
  std::string Context(const std::string& chrom, int64_t pos) {
    if (!fai_) return {};
    std::string name = chrom;
    if (!faidx_has_seq(fai_.get(), name.c_str())) {
      name = chrom.rfind("chr", 0) == 0 ? chrom.substr(3) : "chr" + chrom;
      if (!faidx_has_seq(fai_.get(), name.c_str())) return {};
    }
    constexpr int64_t kFlank = 5;
    hts_pos_t len = 0;
    const int64_t begin = pos - 1 - kFlank;
    char* seq = faidx_fetch_seq64(fai_.get(), name.c_str(), std::max<int64_t>(0, begin), pos - 1 + kFlank, &len);
    if (!seq) return {};
    std::string out(static_cast<size_t>(std::max<int64_t>(0, -begin)), 'N');
    out.append(seq, static_cast<size_t>(len));
    free(seq);
    out.resize(2 * kFlank + 1, 'N');
    return out;
  }

 private:
  std::unique_ptr<faidx_t, FaidxDeleter> fai_;
};

}  // namespace

Status ForEachVariantFeatures(Store& store, const std::vector<int64_t>& ids,
                              const std::function<Status(int64_t, VariantFeatures&)>& visit) {
  Database& db = store.db();
  auto fasta = store.MetaValue("reference_fasta");
  if (!fasta.ok()) return fasta.status();
  ContextReader context(*fasta);
  std::string filter;
  if (!ids.empty()) {
    for (int64_t id : ids) filter += (filter.empty() ? "" : ",") + std::to_string(id);
    filter = " WHERE v.variant_id IN (" + filter + ")";
  }
  auto variants = db.Prepare(
      "SELECT v.variant_id, c.name, v.pos, v.ref, v.alt, g.name, v.consequence, v.impact, v.clnsig,"
      " v.af, v.n_het, v.n_hom_alt, v.n_called, v.n_missing, v.qual, v.filter, v.dp_sum, v.dp_n,"
      " v.gq_sum, v.gq_n FROM variants v JOIN contigs c USING (chrom_id)"
      " LEFT JOIN genes g USING (gene_id)" + filter + " ORDER BY v.variant_id");
  if (!variants.ok()) return variants.status();
  auto carriers = db.Prepare(
      "SELECT variant_id, sample_id FROM genotypes WHERE zygosity IN (1, 2)" +
      std::string(ids.empty() ? "" : " AND variant_id IN (" + filter.substr(filter.find('(') + 1)) +
      " ORDER BY variant_id, sample_id");
  if (!carriers.ok()) return carriers.status();
  auto carrier_row = carriers->Step();
  if (!carrier_row.ok()) return carrier_row.status();
  bool carriers_left = *carrier_row;
  for (;;) {
    auto row = variants->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const Statement& s = *variants;
    const int64_t id = s.Int(0);
    VariantFeatures f;
    f.chrom = s.Text(1);
    f.pos = s.Int(2);
    f.ref = s.Text(3);
    f.alt = s.Text(4);
    f.gene = s.Text(5);
    f.consequence = s.Text(6);
    f.impact = static_cast<Impact>(s.Int(7));
    f.clinical_significance = s.Text(8);
    f.population_af = s.OptionalDouble(9);
    const int64_t called = s.Int(12);
    if (called > 0) f.cohort_af = (s.Int(10) + 2.0 * s.Int(11)) / (2.0 * called);
    f.cohort_size = static_cast<uint32_t>(called + s.Int(13));
    f.qual = s.OptionalDouble(14);
    f.filter_pass = s.IsNull(15) || s.Text(15) == "PASS";
    if (s.Int(17) > 0) f.mean_dp = static_cast<double>(s.Int(16)) / s.Int(17);
    if (s.Int(19) > 0) f.mean_gq = static_cast<double>(s.Int(18)) / s.Int(19);
    f.context = context.Context(f.chrom, f.pos);
    while (carriers_left && carriers->Int(0) <= id) {
      if (carriers->Int(0) == id) f.carrier_samples.push_back(static_cast<uint32_t>(carriers->Int(1)));
      auto next = carriers->Step();
      if (!next.ok()) return next.status();
      carriers_left = *next;
    }
    VCFAGENT_RETURN_IF_ERROR(visit(id, f));
  }
  return Status::Ok();
}

Result<std::unordered_map<int64_t, VariantFeatures>> ReadVariantFeatures(Store& store,
                                                                     const std::vector<int64_t>& ids) {
  std::unordered_map<int64_t, VariantFeatures> out;
  if (ids.empty()) return out;
  VCFAGENT_RETURN_IF_ERROR(ForEachVariantFeatures(store, ids, [&](int64_t id, VariantFeatures& f) {
    out.emplace(id, std::move(f));
    return Status::Ok();
  }));
  return out;
}

}  // namespace vcfagent::store
