#include "store/variant_query.h"

#include <fmt/format.h>

#include "obs/service_metrics.h"
#include "obs/timed_span.h"
#include "store/where_expr.h"

namespace vcfagent::store {

std::string_view VariantColumns() {
  return "v.variant_id, (SELECT name FROM contigs c WHERE c.chrom_id = v.chrom_id), v.pos, "
         "v.end_pos, v.ref, v.alt, v.rsid, v.qual, v.filter, v.class, v.af, "
         "(SELECT name FROM genes g WHERE g.gene_id = v.gene_id), v.consequence, v.impact, "
         "v.clnsig, v.info, v.annotations, v.n_het, v.n_hom_alt, v.n_missing, v.n_called, "
         "v.dp_sum, v.dp_n, v.gq_sum, v.gq_n, v.allele_index, v.file_id";
}

VariantRecord ReadVariantRow(const Statement& s) {
  VariantRecord r;
  r.variant_id = s.Int(0);
  r.chrom = s.Text(1);
  r.pos = s.Int(2);
  r.end = s.Int(3);
  r.ref = s.Text(4);
  r.alt = s.Text(5);
  if (!s.IsNull(6)) r.rsid = std::string(s.Text(6));
  // qual and af hold the file's single-precision values, exactly (docs/store.md): kept as floats
  // so that outputs print the float's shortest decimal (util/number_text.h).
  if (!s.IsNull(7)) r.qual = static_cast<float>(s.Double(7));
  if (!s.IsNull(8)) r.filter = std::string(s.Text(8));
  r.variant_class = static_cast<VariantClass>(s.Int(9));
  if (!s.IsNull(10)) r.af = static_cast<float>(s.Double(10));
  r.gene = s.Text(11);
  r.consequence = s.Text(12);
  r.impact = static_cast<Impact>(s.Int(13));
  r.clnsig = s.Text(14);
  r.info = s.Text(15);
  r.annotations = s.Text(16);
  r.n_het = s.Int(17);
  r.n_hom_alt = s.Int(18);
  r.n_missing = s.Int(19);
  r.n_called = s.Int(20);
  if (r.n_called > 0) r.cohort_af = (r.n_het + 2.0 * r.n_hom_alt) / (2.0 * r.n_called);
  if (s.Int(22) > 0) r.mean_dp = static_cast<double>(s.Int(21)) / s.Int(22);
  if (s.Int(24) > 0) r.mean_gq = static_cast<double>(s.Int(23)) / s.Int(24);
  r.allele_index = static_cast<int>(s.Int(25));
  r.file_id = s.Int(26);
  return r;
}

Result<std::optional<VariantQuery::Sort>> ParseSort(const std::string& text) {
  using Sort = VariantQuery::Sort;
  if (text == "position" || text == "pos") return std::optional<Sort>(Sort::kPosition);
  if (text == "qual") return std::optional<Sort>(Sort::kQual);
  if (text == "af") return std::optional<Sort>(Sort::kAf);
  if (text == "cohort_af") return std::optional<Sort>(Sort::kCohortAf);
  if (text == "impact") return std::optional<Sort>(Sort::kImpact);
  if (text == "carriers") return std::optional<Sort>(Sort::kCarriers);
  return Status::Usage(fmt::format(
      "--sort: '{}' is not one of position, qual, af, cohort_af, impact, carriers", text));
}

Result<VariantPage> QueryVariants(Store& store, const VariantQuery& query) {
  obs::TimedSpan timed("store.query variants", obs::Metrics().query_duration.With({"variants"}));
  if (query.limit < 0 || query.offset < 0) return Status::Usage("--limit and --offset must be >= 0");
  if (query.zygosity && query.sample.empty()) return Status::Usage("--zygosity needs --sample");
  if (query.zygosity && *query.zygosity != Zygosity::kHet && *query.zygosity != Zygosity::kHomAlt) {
    return Status::Usage("--zygosity takes het or hom-alt");
  }
  std::vector<std::string> conditions;
  std::vector<SqlValue> params;
  std::string from = "variants v";

  std::optional<int64_t> sample_id;
  if (!query.sample.empty()) {
    auto id = store.SampleId(query.sample);
    if (!id.ok()) return id.status();
    sample_id = *id;
    from += " JOIN genotypes gt ON gt.variant_id = v.variant_id AND gt.sample_id = ?";
    params.push_back(*id);
    if (query.zygosity) {
      conditions.push_back("gt.zygosity = ?");
      params.push_back(static_cast<int64_t>(*query.zygosity));
    } else {
      conditions.push_back("gt.zygosity IN (1, 2)");
    }
  }
  if (!query.regions.empty()) {
    std::vector<std::string> any;
    for (const vcf::Region& region : query.regions) {
      auto chrom = store.ContigId(region.contig);
      if (!chrom.ok()) return chrom.status();
      if (!chrom->has_value()) continue;  // a contig the store has not seen matches nothing
      auto span = QueryInt(store.db(), fmt::format("SELECT max_span FROM contigs WHERE chrom_id = {}", **chrom));
      if (!span.ok()) return span.status();
      // 1-based: overlap of [pos, end_pos] with [begin+1, end]; the max_span bound lets the
      // (chrom_id, pos) index do the work.
      const int64_t begin1 = region.begin + 1;
      const int64_t end1 = region.end >= vcf::kRegionEnd ? INT64_MAX / 4 : region.end;
      any.push_back("(v.chrom_id = ? AND v.pos BETWEEN ? AND ? AND v.end_pos >= ?)");
      params.push_back(**chrom);
      params.push_back(begin1 - span->value_or(1) + 1);
      params.push_back(end1);
      params.push_back(begin1);
    }
    if (any.empty()) return VariantPage{};
    std::string joined;
    for (const auto& item : any) joined += (joined.empty() ? "" : " OR ") + item;
    conditions.push_back("(" + joined + ")");
  }
  if (!query.genes.empty()) {
    std::string placeholders;
    for (const std::string& gene : query.genes) {
      placeholders += placeholders.empty() ? "?" : ", ?";
      params.push_back(gene);
    }
    conditions.push_back(
        "v.variant_id IN (SELECT vg.variant_id FROM variant_genes vg JOIN genes g USING (gene_id) "
        "WHERE g.name COLLATE NOCASE IN (" + placeholders + "))");
  }
  if (!query.variant_ids.empty()) {
    std::string ids;
    for (int64_t id : query.variant_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    conditions.push_back("v.variant_id IN (" + ids + ")");
  }
  if (!query.where.empty()) {
    auto where = CompileWhere(query.where, StoreInfoTags(store.db()));
    if (!where.ok()) return where.status();
    if (!where->sql.empty()) {
      conditions.push_back(where->sql);
      params.insert(params.end(), where->params.begin(), where->params.end());
    }
  }

  std::string order;
  const char* dir = query.descending ? " DESC" : "";
  switch (query.sort) {
    case VariantQuery::Sort::kPosition: order = fmt::format("v.chrom_id{0}, v.pos{0}, v.variant_id{0}", dir); break;
    case VariantQuery::Sort::kQual: order = fmt::format("v.qual{} NULLS LAST, v.variant_id", dir); break;
    case VariantQuery::Sort::kAf: order = fmt::format("v.af{} NULLS LAST, v.variant_id", dir); break;
    case VariantQuery::Sort::kCohortAf:
      order = fmt::format("(v.n_het + 2.0 * v.n_hom_alt) / max(1, v.n_called){}, v.variant_id", dir);
      break;
    case VariantQuery::Sort::kImpact: order = fmt::format("v.impact{}, v.variant_id", dir); break;
    case VariantQuery::Sort::kCarriers: order = fmt::format("(v.n_het + v.n_hom_alt){}, v.variant_id", dir); break;
  }
  std::string sql = "SELECT " + std::string(VariantColumns());
  if (sample_id) sql += ", gt.gt, gt.zygosity, gt.dp, gt.gq, gt.ad, gt.file_id";
  sql += " FROM " + from;
  if (!conditions.empty()) {
    sql += " WHERE ";
    for (size_t i = 0; i < conditions.size(); ++i) sql += (i ? " AND " : "") + conditions[i];
  }
  sql += " ORDER BY " + order;
  if (query.limit > 0) sql += fmt::format(" LIMIT {} OFFSET {}", query.limit + 1, query.offset);
  else if (query.offset > 0) sql += fmt::format(" LIMIT -1 OFFSET {}", query.offset);

  auto stmt = store.db().Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  BindAll(*stmt, params, 1);
  VariantPage page;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (query.limit > 0 && static_cast<int64_t>(page.variants.size()) == query.limit) {
      page.more = true;
      break;
    }
    VariantRecord record = ReadVariantRow(*stmt);
    if (sample_id) {
      const int base = 27;
      QueriedCall call;
      call.sample = query.sample;
      call.gt = stmt->Text(base);
      call.zygosity = static_cast<Zygosity>(stmt->Int(base + 1));
      call.dp = stmt->OptionalInt(base + 2);
      call.gq = stmt->OptionalInt(base + 3);
      call.ad = stmt->Text(base + 4);
      call.file_id = stmt->Int(base + 5);
      record.call = std::move(call);
    }
    page.variants.push_back(std::move(record));
  }
  return page;
}

}  // namespace vcfagent::store
