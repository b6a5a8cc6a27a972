#include "store/ingest.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <htslib/faidx.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "obs/service_metrics.h"
#include "obs/tracing.h"
#include "store/ingest_annotate.h"
#include "store/ingest_reader.h"
#include "util/progress.h"
#include "vcf/variant_reader.h"

namespace vcfagent::store {
namespace {

using Clock = std::chrono::steady_clock;

// Genotype rows per committed batch: bounds memory for files with many samples.
constexpr int64_t kMaxCallsPerBatch = 200000;

// Metrics of one committed batch: progress, and the running rate for the ingest-stalled alert.
void RecordCommittedBatch(int64_t records, int64_t alleles, int64_t alleles_this_run, Clock::time_point start) {
  obs::ServiceMetrics& metrics = obs::Metrics();
  metrics.ingest_records.With({}).Inc(static_cast<double>(records));
  metrics.ingest_variants.With({}).Inc(static_cast<double>(alleles));
  metrics.ingest_last_progress.With({}).Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (seconds > 0) metrics.ingest_rate.With({}).Set(static_cast<double>(alleles_this_run) / seconds);
}

// Counts the ingest as running for its lifetime.
class RunningIngest {
 public:
  RunningIngest() { obs::Metrics().ingest_running.With({}).Add(1); }
  ~RunningIngest() {
    obs::Metrics().ingest_running.With({}).Add(-1);
    if (obs::Metrics().ingest_running.With({}).value() <= 0) obs::Metrics().ingest_rate.With({}).Set(0);
  }
};

uint64_t Fnv1a(const char* data, size_t size, uint64_t hash = 1469598103934665603ULL) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 1099511628211ULL;
  }
  return hash;
}

// A bounded hand-over of batches from the reading thread to the writer.
class BatchQueue {
 public:
  void Push(std::optional<RecordBatch> batch, Status status = Status::Ok()) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < 2 || stopped_; });
    items_.push_back({std::move(batch), std::move(status)});
    not_empty_.notify_one();
  }
  // nullopt batch = the end (with the reader's final status).
  std::pair<std::optional<RecordBatch>, Status> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    auto item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  // The writer gave up: let a blocked reader finish.
  void Stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    not_full_.notify_all();
  }
  bool stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::pair<std::optional<RecordBatch>, Status>> items_;
  bool stopped_ = false;
};

// Writes allele rows of one file into the store; owns the prepared statements and id caches.
class StoreWriter {
 public:
  explicit StoreWriter(Store& store) : db_(store.db()) {}

  Status Prepare() {
    auto prepare = [&](Statement& stmt, std::string_view sql) -> Status {
      auto prepared = db_.Prepare(sql);
      if (!prepared.ok()) return prepared.status();
      stmt = std::move(prepared).value();
      return Status::Ok();
    };
    VCFAGENT_RETURN_IF_ERROR(prepare(upsert_variant_, R"SQL(
      INSERT INTO variants(chrom_id, pos, end_pos, ref, alt, rsid, qual, filter, class,
        allele_index, n_alt_alleles, info, af, gene_id, consequence, impact, clnsig, annotations,
        n_het, n_hom_alt, n_missing, n_called, dp_sum, dp_n, gq_sum, gq_n, file_id)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
              ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)
      ON CONFLICT (chrom_id, pos, ref, alt) DO UPDATE SET
        n_het = n_het + excluded.n_het, n_hom_alt = n_hom_alt + excluded.n_hom_alt,
        n_missing = n_missing + excluded.n_missing, n_called = n_called + excluded.n_called,
        dp_sum = dp_sum + excluded.dp_sum, dp_n = dp_n + excluded.dp_n,
        gq_sum = gq_sum + excluded.gq_sum, gq_n = gq_n + excluded.gq_n,
        gene_id = coalesce(gene_id, excluded.gene_id),
        consequence = coalesce(consequence, excluded.consequence),
        impact = max(impact, excluded.impact), clnsig = coalesce(clnsig, excluded.clnsig),
        annotations = coalesce(annotations, excluded.annotations),
        af = coalesce(af, excluded.af)
      RETURNING variant_id, file_id)SQL"));
    VCFAGENT_RETURN_IF_ERROR(prepare(insert_variant_file_,
                                     "INSERT OR IGNORE INTO variant_files VALUES (?1, ?2)"));
    VCFAGENT_RETURN_IF_ERROR(prepare(insert_genotype_,
        "INSERT OR IGNORE INTO genotypes VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    VCFAGENT_RETURN_IF_ERROR(prepare(insert_variant_gene_,
                                     "INSERT OR IGNORE INTO variant_genes VALUES (?1, ?2)"));
    VCFAGENT_RETURN_IF_ERROR(prepare(select_gene_, "SELECT gene_id FROM genes WHERE name = ?1"));
    VCFAGENT_RETURN_IF_ERROR(prepare(insert_gene_, "INSERT INTO genes(name) VALUES (?1)"));
    VCFAGENT_RETURN_IF_ERROR(prepare(select_contig_, "SELECT chrom_id FROM contigs WHERE name = ?1"));
    VCFAGENT_RETURN_IF_ERROR(prepare(insert_contig_, "INSERT INTO contigs(name, length) VALUES (?1, ?2)"));
    VCFAGENT_RETURN_IF_ERROR(prepare(update_span_,
        "UPDATE contigs SET max_span = max(max_span, ?2) WHERE chrom_id = ?1"));
    VCFAGENT_RETURN_IF_ERROR(prepare(update_progress_,
        "UPDATE files SET records_done = ?2, alleles_done = alleles_done + ?3 WHERE file_id = ?1"));
    VCFAGENT_RETURN_IF_ERROR(prepare(bump_generation_, kBumpGenerationSql));
    VCFAGENT_RETURN_IF_ERROR(prepare(select_variant_,
        "SELECT variant_id, file_id FROM variants WHERE chrom_id = ?1 AND pos = ?2 AND ref = ?3 AND alt = ?4"));
    VCFAGENT_RETURN_IF_ERROR(prepare(select_variant_files_, "SELECT file_id FROM variant_files WHERE variant_id = ?1"));
    VCFAGENT_RETURN_IF_ERROR(prepare(select_call_,
        "SELECT zygosity, gt, file_id FROM genotypes WHERE variant_id = ?1 AND sample_id = ?2"));
    return Status::Ok();
  }

  // Starts a file: its samples (by column) and contig lengths, and which of its samples other
  // files of the store also hold.
  Status StartFile(int64_t file_id, std::vector<int64_t> sample_ids,
                   std::unordered_map<std::string, int64_t> contig_lengths) {
    file_id_ = file_id;
    sample_ids_ = std::move(sample_ids);
    contig_lengths_ = std::move(contig_lengths);
    spans_.clear();
    holders_.assign(sample_ids_.size(), {});
    sample_names_.assign(sample_ids_.size(), {});
    file_paths_.clear();
    shared_ = false;
    std::unordered_map<int64_t, size_t> column_of;
    for (size_t i = 0; i < sample_ids_.size(); ++i) column_of.emplace(sample_ids_[i], i);
    auto others = db_.Prepare(
        "SELECT sf.sample_id, sf.file_id, f.path, s.name FROM sample_files sf JOIN files f USING (file_id) "
        "JOIN samples s USING (sample_id) WHERE sf.file_id != ?1 ORDER BY sf.file_id");
    if (!others.ok()) return others.status();
    others->Bind(1, file_id_);
    for (;;) {
      auto row = others->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      auto it = column_of.find(others->Int(0));
      if (it == column_of.end()) continue;
      holders_[it->second].push_back(others->Int(1));
      sample_names_[it->second] = std::string(others->Text(3));
      file_paths_.emplace(others->Int(1), std::string(others->Text(2)));
      shared_ = true;
    }
    return Status::Ok();
  }

  // The columns whose samples another file also holds: their hom-ref calls are needed too.
  std::vector<bool> SharedColumns() const {
    std::vector<bool> columns(holders_.size());
    for (size_t i = 0; i < holders_.size(); ++i) columns[i] = !holders_[i].empty();
    return columns;
  }

  // Writes one batch in one transaction, with the file's progress.
  Status WriteBatch(const RecordBatch& batch, FileIngestResult& result) {
    auto tx = Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    for (const AlleleRow& row : batch.alleles) VCFAGENT_RETURN_IF_ERROR(WriteAllele(row, result));
    for (const auto& [chrom_id, span] : spans_) {
      update_span_.Bind(1, chrom_id).Bind(2, span);
      VCFAGENT_RETURN_IF_ERROR(update_span_.Run());
    }
    spans_.clear();
    update_progress_.Bind(1, file_id_).Bind(2, batch.records_end)
        .Bind(3, static_cast<int64_t>(batch.alleles.size()));
    VCFAGENT_RETURN_IF_ERROR(update_progress_.Run());
    VCFAGENT_RETURN_IF_ERROR(bump_generation_.Run());
    VCFAGENT_RETURN_IF_ERROR(tx->Commit());
    result.alleles += static_cast<int64_t>(batch.alleles.size());
    return Status::Ok();
  }

  // Forgets ids cached from rolled-back transactions.
  void ClearCaches() {
    genes_.clear();
    contigs_.clear();
  }

 private:
  Result<int64_t> IdOf(std::unordered_map<std::string, int64_t>& cache, Statement& select,
                       Statement& insert, const std::string& name, std::optional<int64_t> length) {
    if (auto it = cache.find(name); it != cache.end()) return it->second;
    select.Bind(1, name);
    auto row = select.Step();
    if (!row.ok()) return row.status();
    int64_t id;
    if (*row) {
      id = select.Int(0);
      select.Reset();
    } else {
      select.Reset();
      insert.Bind(1, name);
      if (length) insert.Bind(2, *length);
      VCFAGENT_RETURN_IF_ERROR(insert.Run());
      id = db_.LastInsertRowId();
    }
    cache.emplace(name, id);
    return id;
  }

  Status WriteAllele(const AlleleRow& row, FileIngestResult& result) {
    std::optional<int64_t> length;
    if (auto it = contig_lengths_.find(row.chrom); it != contig_lengths_.end()) length = it->second;
    auto chrom_id = IdOf(contigs_, select_contig_, insert_contig_, row.chrom, length);
    if (!chrom_id.ok()) return chrom_id.status();
    int64_t& span = spans_[*chrom_id];
    span = std::max(span, row.end_pos - row.pos + 1);
    std::optional<int64_t> gene_id;
    if (!row.gene.empty()) {
      auto id = IdOf(genes_, select_gene_, insert_gene_, row.gene, std::nullopt);
      if (!id.ok()) return id.status();
      gene_id = *id;
    }
    // One call per sample and site: a sample another file holds, at a site that file has, keeps
    // that file's call; this file's call is left out of the counts (and compared with it).
    Counts counts{row.n_het, row.n_hom_alt, row.n_missing, row.n_called, row.dp_sum, row.dp_n, row.gq_sum, row.gq_n};
    std::vector<bool> duplicate;
    if (shared_) {
      auto found = FindDuplicateCalls(*chrom_id, row, counts, result, duplicate);
      if (!found.ok()) return found;
    }
    Statement& s = upsert_variant_;
    // Row strings outlive the statement's step: bind them without copies.
    auto text = [&s](int index, std::string_view value) {
      if (value.empty()) s.BindNull(index); else s.BindView(index, value);
    };
    s.Bind(1, *chrom_id).Bind(2, row.pos).Bind(3, row.end_pos).BindView(4, row.ref).BindView(5, row.alt);
    if (row.rsid) s.BindView(6, *row.rsid); else s.BindNull(6);
    s.Bind(7, row.qual);
    if (row.filter) s.BindView(8, *row.filter); else s.BindNull(8);
    s.Bind(9, static_cast<int>(row.variant_class)).Bind(10, row.allele_index).Bind(11, row.n_alt_alleles);
    text(12, row.info);
    s.Bind(13, row.af).Bind(14, gene_id);
    text(15, row.consequence);
    s.Bind(16, static_cast<int>(row.impact));
    text(17, row.clnsig);
    text(18, row.annotations);
    s.Bind(19, counts.het).Bind(20, counts.hom_alt).Bind(21, counts.missing).Bind(22, counts.called);
    s.Bind(23, counts.dp_sum).Bind(24, counts.dp_n).Bind(25, counts.gq_sum).Bind(26, counts.gq_n);
    s.Bind(27, file_id_);
    auto stepped = s.Step();
    if (!stepped.ok()) {
      s.Reset();
      return stepped.status();
    }
    const int64_t variant_id = s.Int(0);
    const bool is_new = s.Int(1) == file_id_;
    s.Reset();
    if (is_new) {
      ++result.new_variants;
    } else {
      // variants.file_id names the file that introduced the allele; variant_files lists the
      // other files that have it (most variants come from one file: no row for them).
      insert_variant_file_.Bind(1, variant_id).Bind(2, file_id_);
      VCFAGENT_RETURN_IF_ERROR(insert_variant_file_.Run());
    }
    for (const std::string& gene : row.genes) {
      auto id = IdOf(genes_, select_gene_, insert_gene_, gene, std::nullopt);
      if (!id.ok()) return id.status();
      insert_variant_gene_.Bind(1, *id).Bind(2, variant_id);
      VCFAGENT_RETURN_IF_ERROR(insert_variant_gene_.Run());
    }
    if (gene_id && row.genes.empty()) {
      insert_variant_gene_.Bind(1, *gene_id).Bind(2, variant_id);
      VCFAGENT_RETURN_IF_ERROR(insert_variant_gene_.Run());
    }
    for (size_t i = 0; i < row.genotypes.size(); ++i) {
      const GenotypeRow& call = row.genotypes[i];
      if (call.zygosity == Zygosity::kHomRef || (!duplicate.empty() && duplicate[i])) continue;
      Statement& g = insert_genotype_;
      g.Bind(1, variant_id).Bind(2, sample_ids_[call.sample_column]).Bind(3, file_id_);
      g.BindView(4, call.gt).Bind(5, static_cast<int>(call.zygosity)).Bind(6, call.phased ? 1 : 0);
      if (call.dp >= 0) g.Bind(7, call.dp); else g.BindNull(7);
      if (call.gq >= 0) g.Bind(8, call.gq); else g.BindNull(8);
      if (call.ad.empty()) g.BindNull(9); else g.BindView(9, call.ad);
      VCFAGENT_RETURN_IF_ERROR(g.Run());
      ++result.genotypes;
    }
    return Status::Ok();
  }

  struct Counts {
    int64_t het, hom_alt, missing, called, dp_sum, dp_n, gq_sum, gq_n;
  };

  // For a row of a file with shared samples: marks (in `duplicate`, by genotype index) the calls
  // of samples that another file holding the sample already gave at this site, takes them out of
  // `counts`, and counts those that disagree with the kept call.
  Status FindDuplicateCalls(int64_t chrom_id, const AlleleRow& row, Counts& counts,
                            FileIngestResult& result, std::vector<bool>& duplicate) {
    select_variant_.Bind(1, chrom_id).Bind(2, row.pos).BindView(3, row.ref).BindView(4, row.alt);
    auto found = select_variant_.Step();
    if (!found.ok()) {
      select_variant_.Reset();
      return found.status();
    }
    if (!*found) {
      select_variant_.Reset();
      return Status::Ok();  // a new site: nobody else has called it
    }
    const int64_t variant_id = select_variant_.Int(0);
    std::vector<int64_t> site_files = {select_variant_.Int(1)};
    select_variant_.Reset();
    select_variant_files_.Bind(1, variant_id);
    for (;;) {
      auto next = select_variant_files_.Step();
      if (!next.ok()) {
        select_variant_files_.Reset();
        return next.status();
      }
      if (!*next) break;
      site_files.push_back(select_variant_files_.Int(0));
    }
    select_variant_files_.Reset();
    duplicate.assign(row.genotypes.size(), false);
    for (size_t i = 0; i < row.genotypes.size(); ++i) {
      const GenotypeRow& call = row.genotypes[i];
      const std::vector<int64_t>& holders = holders_[call.sample_column];
      auto holder = std::find_first_of(holders.begin(), holders.end(), site_files.begin(), site_files.end());
      if (holder == holders.end()) continue;
      duplicate[i] = true;
      ++result.duplicate_calls;
      if (call.zygosity == Zygosity::kMissing) {
        --counts.missing;
      } else {
        --counts.called;
        if (call.zygosity == Zygosity::kHet) --counts.het;
        if (call.zygosity == Zygosity::kHomAlt) --counts.hom_alt;
        if (call.dp >= 0) counts.dp_sum -= call.dp, --counts.dp_n;
        if (call.gq >= 0) counts.gq_sum -= call.gq, --counts.gq_n;
      }
      // The kept call: its stored row, or hom-ref (implied) from the first holder with the site.
      Zygosity kept = Zygosity::kHomRef;
      std::string kept_gt;
      int64_t kept_file = *holder;
      select_call_.Bind(1, variant_id).Bind(2, sample_ids_[call.sample_column]);
      auto stored = select_call_.Step();
      if (!stored.ok()) {
        select_call_.Reset();
        return stored.status();
      }
      if (*stored) {
        kept = static_cast<Zygosity>(select_call_.Int(0));
        kept_gt = std::string(select_call_.Text(1));
        kept_file = select_call_.Int(2);
      }
      select_call_.Reset();
      if (kept == call.zygosity) continue;
      ++result.conflicting_calls;
      if (result.conflicts.size() < kMaxConflictExamples) {
        auto label = [](Zygosity z, const std::string& gt) {
          return gt.empty() ? std::string(ToString(z)) : fmt::format("{} ({})", ToString(z), gt);
        };
        auto path = file_paths_.find(kept_file);
        result.conflicts.push_back(fmt::format(
            "{} at {}:{}:{}:{}: kept {} from {}; this file has {}", sample_names_[call.sample_column],
            row.chrom, row.pos, row.ref, row.alt, label(kept, kept_gt),
            path != file_paths_.end() ? path->second : fmt::format("file {}", kept_file), label(call.zygosity, call.gt)));
      }
    }
    return Status::Ok();
  }

  static constexpr size_t kMaxConflictExamples = 10;

  Database& db_;
  Statement upsert_variant_, insert_variant_file_, insert_genotype_, insert_variant_gene_,
      select_gene_, insert_gene_, select_contig_, insert_contig_, update_span_, update_progress_,
      bump_generation_, select_variant_, select_variant_files_, select_call_;
  // Per sample column of the current file: the other files that hold the sample.
  std::vector<std::vector<int64_t>> holders_;
  std::vector<std::string> sample_names_;
  std::unordered_map<int64_t, std::string> file_paths_;
  bool shared_ = false;
  int64_t file_id_ = 0;
  std::vector<int64_t> sample_ids_;
  std::unordered_map<std::string, int64_t> contig_lengths_, genes_, contigs_;
  std::unordered_map<int64_t, int64_t> spans_;
};

std::string HeaderText(const bcf_hdr_t* header) {
  kstring_t text = {0, 0, nullptr};
  bcf_hdr_format(header, 0, &text);
  std::string out(text.s ? text.s : "", text.l);
  free(text.s);
  return out;
}

// Registers the file (or finds the earlier, possibly interrupted, registration) and its samples.
struct FileRegistration {
  int64_t file_id = 0;
  bool complete = false;
  int64_t records_done = 0;
  std::string earlier_path;
  std::vector<int64_t> sample_ids;
};

Result<FileRegistration> RegisterFile(Database& db, const std::string& path,
                                      const std::string& fingerprint, int64_t size,
                                      const bcf_hdr_t* header) {
  FileRegistration reg;
  auto tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  auto find = db.Prepare("SELECT file_id, status, records_done, path FROM files WHERE fingerprint = ?1");
  if (!find.ok()) return find.status();
  find->Bind(1, fingerprint);
  auto row = find->Step();
  if (!row.ok()) return row.status();
  const int n_samples = bcf_hdr_nsamples(header);
  if (*row) {
    reg.file_id = find->Int(0);
    reg.complete = find->Text(1) == "complete";
    reg.records_done = find->Int(2);
    reg.earlier_path = std::string(find->Text(3));
  } else {
    auto insert = db.Prepare(
        "INSERT INTO files(path, fingerprint, size, sample_count, status, started_at, header) "
        "VALUES (?1, ?2, ?3, ?4, 'loading', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?5)");
    if (!insert.ok()) return insert.status();
    insert->Bind(1, path).Bind(2, fingerprint).Bind(3, size).Bind(4, n_samples).Bind(5, HeaderText(header));
    VCFAGENT_RETURN_IF_ERROR(insert->Run());
    reg.file_id = db.LastInsertRowId();
    auto add_sample = db.Prepare("INSERT OR IGNORE INTO samples(name) VALUES (?1)");
    auto sample_id = db.Prepare("SELECT sample_id FROM samples WHERE name = ?1");
    auto link = db.Prepare("INSERT INTO sample_files VALUES (?1, ?2, ?3)");
    if (!add_sample.ok() || !sample_id.ok() || !link.ok()) return Status::Internal("cannot prepare sample statements");
    for (int i = 0; i < n_samples; ++i) {
      add_sample->Bind(1, std::string_view(header->samples[i]));
      VCFAGENT_RETURN_IF_ERROR(add_sample->Run());
    }
    for (int i = 0; i < n_samples; ++i) {
      sample_id->Bind(1, std::string_view(header->samples[i]));
      auto found = sample_id->Step();
      if (!found.ok()) return found.status();
      const int64_t id = sample_id->Int(0);
      sample_id->Reset();
      link->Bind(1, reg.file_id).Bind(2, id).Bind(3, i);
      VCFAGENT_RETURN_IF_ERROR(link->Run());
    }
    VCFAGENT_RETURN_IF_ERROR(db.Exec(kBumpGenerationSql));
  }
  find->Reset();
  VCFAGENT_RETURN_IF_ERROR(tx->Commit());
  if (!reg.complete) {
    auto ids = db.Prepare("SELECT sample_id FROM sample_files WHERE file_id = ?1 ORDER BY column_index");
    if (!ids.ok()) return ids.status();
    ids->Bind(1, reg.file_id);
    for (;;) {
      auto next = ids->Step();
      if (!next.ok()) return next.status();
      if (!*next) break;
      reg.sample_ids.push_back(ids->Int(0));
    }
    if (static_cast<int>(reg.sample_ids.size()) != n_samples) {
      return Status::Internal(fmt::format("{}: the store lists {} samples for this file, its header {}",
                                          path, reg.sample_ids.size(), n_samples));
    }
  }
  return reg;
}

// Removes everything file `file_id` added, so a file with an invalid record leaves the store as
// it was before it. Counts of variants shared with other files are recomputed from what remains
// (depth and GQ sums then cover the remaining non-hom-ref calls only). A rare path: full scans.
Status UndoFile(Database& db, int64_t file_id) {
  auto tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  const std::string id = std::to_string(file_id);
  VCFAGENT_RETURN_IF_ERROR(db.Exec(fmt::format(R"SQL(
    CREATE TEMP TABLE undo_keep AS
      SELECT variant_id FROM variants WHERE file_id = {0}
      AND variant_id IN (SELECT variant_id FROM variant_files);
    CREATE TEMP TABLE undo_touched AS
      SELECT variant_id FROM variant_files WHERE file_id = {0} UNION SELECT variant_id FROM undo_keep;
    DELETE FROM genotypes WHERE file_id = {0};
    DELETE FROM variant_genes WHERE variant_id IN (
      SELECT variant_id FROM variants WHERE file_id = {0} EXCEPT SELECT variant_id FROM undo_keep);
    DELETE FROM variants WHERE file_id = {0} AND variant_id NOT IN (SELECT variant_id FROM undo_keep);
    DELETE FROM variant_files WHERE file_id = {0};
    UPDATE variants SET file_id =
      (SELECT min(file_id) FROM variant_files vf WHERE vf.variant_id = variants.variant_id)
      WHERE variant_id IN (SELECT variant_id FROM undo_keep);
    DELETE FROM variant_files WHERE EXISTS (SELECT 1 FROM variants v
      WHERE v.variant_id = variant_files.variant_id AND v.file_id = variant_files.file_id);
    UPDATE variants SET
      n_het = (SELECT count(*) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity = 1),
      n_hom_alt = (SELECT count(*) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity = 2),
      n_missing = (SELECT count(*) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity = 3),
      n_called = (SELECT count(DISTINCT sf.sample_id) FROM sample_files sf WHERE sf.file_id = variants.file_id
                  OR sf.file_id IN (SELECT file_id FROM variant_files vf WHERE vf.variant_id = variants.variant_id))
                 - (SELECT count(*) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity = 3),
      dp_sum = (SELECT coalesce(sum(dp), 0) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity < 3),
      dp_n = (SELECT count(dp) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity < 3),
      gq_sum = (SELECT coalesce(sum(gq), 0) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity < 3),
      gq_n = (SELECT count(gq) FROM genotypes g WHERE g.variant_id = variants.variant_id AND g.zygosity < 3)
    WHERE variant_id IN (SELECT variant_id FROM undo_touched);
    DROP TABLE undo_keep;
    DROP TABLE undo_touched;
    DELETE FROM sample_files WHERE file_id = {0};
    DELETE FROM samples WHERE sample_id NOT IN (SELECT sample_id FROM sample_files)
      AND family IS NULL AND sex IS NULL AND phenotype IS NULL;
    DELETE FROM genes WHERE gene_id NOT IN (SELECT gene_id FROM variants WHERE gene_id IS NOT NULL)
      AND gene_id NOT IN (SELECT gene_id FROM variant_genes);
    DELETE FROM files WHERE file_id = {0};
  )SQL", id)));
  VCFAGENT_RETURN_IF_ERROR(db.Exec(kBumpGenerationSql));
  return tx->Commit();
}

struct OpenedInput {
  std::string path;
  std::unique_ptr<vcf::VariantReader> reader;
  std::string fingerprint;
  int64_t size = 0;
};

Status IngestFile(Store& store, OpenedInput& input, IngestAnnotator& annotator,
                  const IngestOptions& options, StoreWriter& writer, FileIngestResult& result) {
  const auto start = Clock::now();
  result.path = input.path;
  bcf_hdr_t* header = input.reader->header();
  auto reg = RegisterFile(store.db(), input.path, input.fingerprint, input.size, header);
  if (!reg.ok()) return reg.status();
  result.file_id = reg->file_id;
  result.samples = bcf_hdr_nsamples(header);
  if (reg->complete) {
    result.outcome = "already-present";
    return Status::Ok();
  }
  result.outcome = reg->records_done > 0 ? "resumed" : "ingested";

  std::unordered_map<std::string, int64_t> lengths;
  for (const std::string& name : vcf::HeaderContigs(header)) {
    const int id = bcf_hdr_name2id(header, name.c_str());
    if (id >= 0 && header->id[BCF_DT_CTG][id].val && header->id[BCF_DT_CTG][id].val->info[0] > 0) {
      lengths.emplace(name, header->id[BCF_DT_CTG][id].val->info[0]);
    }
  }
  VCFAGENT_RETURN_IF_ERROR(writer.StartFile(reg->file_id, reg->sample_ids, std::move(lengths)));
  annotator.StartFile(header);

  IngestReader reader(*input.reader, annotator);
  reader.KeepHomRefCalls(writer.SharedColumns());
  BatchQueue queue;
  const int64_t resume_from = reg->records_done;
  // The reader thread obeys the same job (REST service cancellation) as the calling thread.
  JobControl* const job = CurrentJob();
  std::thread producer([&, job] {
    JobScope job_scope(job);
    Status status = reader.Skip(resume_from);
    while (status.ok() && !queue.stopped()) {
      RecordBatch batch;
      auto more = reader.Next(options.batch_records, kMaxCallsPerBatch, batch);
      if (!more.ok()) {
        status = more.status();
        break;
      }
      if (!*more) break;
      queue.Push(std::move(batch));
    }
    queue.Push(std::nullopt, status);
  });

  ProgressMeter progress("ingest " + vcf::DisplayName(input.path));
  Status status;
  for (;;) {
    auto [batch, reader_status] = queue.Pop();
    if (!batch) {
      status = reader_status;
      break;
    }
    const int64_t records_before = result.records, alleles_before = result.alleles;
    // Cancellation is also checked here: the reader may already have read (and queued) the rest.
    status = CancelRequested() ? Status::Cancelled("interrupted") : writer.WriteBatch(*batch, result);
    if (!status.ok()) {
      writer.ClearCaches();
      queue.Stop();
      // Drain until the producer's end marker so it can finish.
      for (;;) {
        auto [rest, ignored] = queue.Pop();
        if (!rest) break;
      }
      break;
    }
    result.records = batch->records_end - resume_from;
    RecordCommittedBatch(result.records - records_before, result.alleles - alleles_before, result.alleles, start);
    if (options.show_progress) progress.Update(batch->records_end, batch->fraction_read);
  }
  producer.join();
  progress.Finish(reader.records_read());
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!status.ok()) {
    if (status.kind() == ErrorKind::kInvalidInput) {
      // Bad data: take the whole file back out so the store is as it was before it.
      Status undo = UndoFile(store.db(), reg->file_id);
      if (!undo.ok()) return undo.WithContext(status.message() + "; then removing the file's rows failed");
      return Status::InvalidInput(status.message() + " (nothing from this file was kept)");
    }
    if (status.kind() == ErrorKind::kCancelled) {
      // What the last committed batch ended at: the reader thread has read (and queued) further.
      return Status::Cancelled(fmt::format(
          "{}: interrupted; the first {} records are committed; run the same "
          "ingest again to complete it", vcf::DisplayName(input.path), resume_from + result.records));
    }
    return status;
  }
  auto done = store.db().Prepare(
      "UPDATE files SET status = 'complete', records_done = ?2, "
      "completed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE file_id = ?1");
  if (!done.ok()) return done.status();
  done->Bind(1, reg->file_id).Bind(2, reader.records_read());
  return done->Run();
}

}  // namespace

Status CheckIngestInputs(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (path == "-") return Status::Usage("ingest reads files, not standard input (a file is resumable)");
    auto reader = vcf::VariantReader::Open(path, vcf::ReaderOptions{});
    if (!reader.ok()) return reader.status();
  }
  return Status::Ok();
}

nlohmann::json IngestSummaryToJson(const IngestSummary& summary) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : summary.files) {
    files.push_back({{"path", f.path}, {"outcome", f.outcome}, {"file_id", f.file_id},
                     {"records", f.records}, {"alleles", f.alleles}, {"new_variants", f.new_variants},
                     {"genotypes", f.genotypes}, {"samples", f.samples},
                     {"duplicate_calls", f.duplicate_calls}, {"conflicting_calls", f.conflicting_calls},
                     {"conflicts", f.conflicts}, {"seconds", f.seconds}});
  }
  return {{"files", files}, {"records", summary.records}, {"alleles", summary.alleles},
          {"new_variants", summary.new_variants}, {"genotypes", summary.genotypes},
          {"duplicate_calls", summary.duplicate_calls}, {"conflicting_calls", summary.conflicting_calls},
          {"pedigree_samples", summary.pedigree_samples}, {"seconds", summary.seconds}};
}

Result<std::string> FileFingerprint(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st;
  if (::fstat(fileno(file), &st) != 0) {
    std::fclose(file);
    return Status::IoError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  }
  constexpr size_t kChunk = 1 << 20;
  std::string buffer(kChunk, '\0');
  size_t n = std::fread(buffer.data(), 1, kChunk, file);
  const uint64_t head = Fnv1a(buffer.data(), n);
  uint64_t tail = 0;
  if (st.st_size > static_cast<off_t>(kChunk)) {
    std::fseek(file, -static_cast<long>(kChunk), SEEK_END);
    n = std::fread(buffer.data(), 1, kChunk, file);
    tail = Fnv1a(buffer.data(), n);
  }
  std::fclose(file);
  return fmt::format("{}-{:016x}-{:016x}", static_cast<int64_t>(st.st_size), head, tail);
}

Result<IngestSummary> Ingest(Store& store, const std::vector<std::string>& paths,
                             const IngestOptions& options) {
  const auto start = Clock::now();
  if (paths.empty()) return Status::Usage("no input files");
  obs::Span span("ingest");
  span.SetAttribute("vcfagent.ingest.files", static_cast<int64_t>(paths.size()));
  RunningIngest running;
  StoreWriteScope writing;
  // Everything that can be checked without writing is checked first: a missing or non-VCF input,
  // an unreadable PED or annotation file fails before the store is touched.
  std::vector<OpenedInput> inputs;
  for (const std::string& path : paths) {
    if (path == "-") return Status::Usage("ingest reads files, not standard input (a file is resumable)");
    OpenedInput input;
    input.path = path;
    vcf::ReaderOptions reader_options;
    reader_options.keep_text = true;
    reader_options.threads = options.threads;
    auto reader = vcf::VariantReader::Open(path, reader_options);
    if (!reader.ok()) return reader.status();
    input.reader = std::move(reader).value();
    auto fingerprint = FileFingerprint(path);
    if (!fingerprint.ok()) return fingerprint.status();
    input.fingerprint = *fingerprint;
    struct stat st;
    input.size = ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
    inputs.push_back(std::move(input));
  }
  auto annotator = IngestAnnotator::Create(options);
  if (!annotator.ok()) return annotator.status();

  IngestSummary summary;
  if (!options.fasta_path.empty()) {
    // Remembered so that later index builds (and restored backups) find the same reference.
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(options.fasta_path, ec).string();
    faidx_t* fai = fai_load(absolute.c_str());
    if (!fai) return Status::IoError(fmt::format("{}: cannot read the reference (a FASTA with a .fai index, or bgzip with .gzi)", options.fasta_path));
    fai_destroy(fai);
    auto stmt = store.db().Prepare("INSERT INTO meta VALUES ('reference_fasta', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, absolute);
    VCFAGENT_RETURN_IF_ERROR(stmt->Run());
  }
  if (!options.ped_path.empty()) {
    auto applied = ApplyPedigree(store, options.ped_path);
    if (!applied.ok()) return applied.status();
    summary.pedigree_samples = *applied;
  }
  StoreWriter writer(store);
  VCFAGENT_RETURN_IF_ERROR(writer.Prepare());
  for (OpenedInput& input : inputs) {
    FileIngestResult result;
    Status status = IngestFile(store, input, **annotator, options, writer, result);
    if (!status.ok()) {
      span.SetError(status.message());
      return status;
    }
    input.reader.reset();
    summary.records += result.records;
    summary.alleles += result.alleles;
    summary.new_variants += result.new_variants;
    summary.genotypes += result.genotypes;
    summary.duplicate_calls += result.duplicate_calls;
    summary.conflicting_calls += result.conflicting_calls;
    summary.files.push_back(std::move(result));
  }
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  span.SetAttribute("vcfagent.ingest.records", summary.records);
  span.SetAttribute("vcfagent.ingest.variants", summary.alleles);
  span.SetAttribute("vcfagent.ingest.new_variants", summary.new_variants);
  return summary;
}

}  // namespace vcfagent::store
