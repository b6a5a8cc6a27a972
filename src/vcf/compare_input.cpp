#include "vcf/compare_input.h"

#include <htslib/kseq.h>
#include <htslib/tbx.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "fmt/format.h"

namespace vcfagent::vcf {

namespace {

bool IsRegularFile(const std::string& path, struct stat* st) {
  return stat(path.c_str(), st) == 0 && S_ISREG(st->st_mode);
}

// The contigs an index beside `path` lists records for; nullopt without a usable index (none,
// unreadable, or older than the file, which may then hold contigs the index does not know).
std::optional<std::unordered_set<std::string>> IndexedContigs(const std::string& path,
                                                              const InputKind& kind,
                                                              const bcf_hdr_t* header) {
  if (!kind.is_bgzf) return std::nullopt;
  struct stat data, index;
  if (!IsRegularFile(path, &data)) return std::nullopt;
  std::string index_path;
  for (const char* suffix : {".csi", ".tbi"}) {
    if (IsRegularFile(path + suffix, &index) && index.st_mtime >= data.st_mtime) {
      index_path = path + suffix;
      break;
    }
  }
  if (index_path.empty()) return std::nullopt;
  std::unordered_set<std::string> names;
  int n = 0;
  const char** seqs = nullptr;
  if (kind.is_bcf) {
    hts_idx_t* idx = bcf_index_load3(path.c_str(), index_path.c_str(), HTS_IDX_SILENT_FAIL);
    if (!idx) return std::nullopt;
    seqs = bcf_index_seqnames(idx, const_cast<bcf_hdr_t*>(header), &n);
    for (int i = 0; i < n; ++i) if (seqs && seqs[i]) names.emplace(seqs[i]);
    hts_idx_destroy(idx);
  } else {
    tbx_t* tbx = tbx_index_load3(path.c_str(), index_path.c_str(), HTS_IDX_SILENT_FAIL);
    if (!tbx) return std::nullopt;
    seqs = tbx_seqnames(tbx, &n);
    for (int i = 0; i < n; ++i) if (seqs && seqs[i]) names.emplace(seqs[i]);
    tbx_destroy(tbx);
  }
  free(seqs);
  return names;
}

// The contigs of every record of `path`, read in a pass that decodes nothing but CHROM.
Result<std::unordered_set<std::string>> ScanContigs(const std::string& path, int threads) {
  auto reader = VariantReader::Open(path, ReaderOptions{threads});
  if (!reader.ok()) return reader.status();
  std::unordered_set<std::string> names;
  if ((*reader)->kind().is_bcf) {
    BcfRecordPtr rec = NewRecord();
    int32_t last_rid = -1;
    for (;;) {
      auto got = (*reader)->Next(rec.get());
      if (!got.ok()) return got.status();
      if (!*got) break;
      if (rec->rid == last_rid) continue;
      last_rid = rec->rid;
      names.emplace(bcf_seqname_safe((*reader)->header(), rec.get()));
    }
    return names;
  }
  // VariantReader has consumed the header; the rest are record lines.
  kstring_t line = {0, 0, nullptr};
  std::string last;
  int ret;
  while ((ret = hts_getline((*reader)->file(), KS_SEP_LINE, &line)) >= 0) {
    if (line.l == 0 || line.s[0] == '#') continue;
    const char* tab = static_cast<const char*>(memchr(line.s, '\t', line.l));
    std::string_view name(line.s, tab ? static_cast<size_t>(tab - line.s) : line.l);
    if (name == last) continue;
    last.assign(name);
    names.emplace(last);
  }
  free(line.s);
  if (ret < -1) {
    return Status::IoError(fmt::format("{}: read error while listing its contigs (truncated or "
                                       "corrupt compressed data?)", DisplayName(path)));
  }
  return names;
}

}  // namespace

Result<std::optional<bool>> SortedInput::HasContig(const std::string& contig) {
  if (!contigs_looked_up_) {
    contigs_looked_up_ = true;
    struct stat st;
    // A second reader can only be opened on a regular file: standard input and pipes are
    // consumed by the first.
    if (path() != "-" && IsRegularFile(path(), &st)) {
      contigs_ = IndexedContigs(path(), reader_->kind(), header());
      if (!contigs_) {
        auto scanned = ScanContigs(path(), threads_);
        if (!scanned.ok()) return scanned.status();
        contigs_ = std::move(*scanned);
      }
    }
  }
  if (!contigs_) return std::optional<bool>();
  return std::optional<bool>(contigs_->count(contig) > 0);
}

Result<std::unique_ptr<SortedInput>> SortedInput::Open(const std::string& path,
                                                       const SortedInputOptions& options) {
  std::unique_ptr<SortedInput> in(new SortedInput());
  auto reader = VariantReader::Open(path, ReaderOptions{options.threads});
  if (!reader.ok()) return reader.status();
  in->reader_ = std::move(*reader);
  in->regions_ = options.regions;
  in->threads_ = options.threads;
  if (options.normalize) {
    NormalizeOptions norm;
    norm.split_multiallelic = true;
    norm.reference = options.reference;
    in->normalizer_ = std::make_unique<RecordNormalizer>(norm);
  }
  return in;
}

Result<BcfRecordPtr> SortedInput::Next() {
  while (ready_next_ >= ready_.size()) {
    ready_.clear();
    ready_next_ = 0;
    if (at_end_) return BcfRecordPtr();
    BcfRecordPtr rec = TakeRecord();
    auto got = reader_->Next(rec.get());
    if (!got.ok()) return got.status();
    if (!*got) {
      at_end_ = true;
      if (normalizer_) normalizer_->Flush(ready_);
      continue;
    }
    VCFAGENT_RETURN_IF_ERROR(CheckOrder(rec.get()));
    if (regions_ && !regions_->empty() &&
        !regions_->Overlaps(bcf_seqname_safe(header(), rec.get()), rec->pos,
                            rec->pos + std::max<int64_t>(rec->rlen, 1))) {
      Recycle(std::move(rec));
      continue;
    }
    if (bcf_unpack(rec.get(), BCF_UN_STR) < 0) {
      return Status::InvalidInput(Where() + ": the record could not be decoded");
    }
    if (normalizer_) {
      VCFAGENT_RETURN_IF_ERROR(normalizer_->Push(header(), std::move(rec), Where(), ready_));
    } else {
      ready_.push_back(std::move(rec));
    }
  }
  BcfRecordPtr rec = std::move(ready_[ready_next_++]);
  if (normalizer_) bcf_unpack(rec.get(), BCF_UN_STR);
  ++records_;
  return rec;
}

BcfRecordPtr SortedInput::TakeRecord() {
  if (pool_.empty()) return NewRecord();
  BcfRecordPtr rec = std::move(pool_.back());
  pool_.pop_back();
  return rec;
}

Status SortedInput::CheckOrder(bcf1_t* rec) {
  if (rec->rid == last_rid_) {
    if (rec->pos < last_pos_) {
      return Status::InvalidInput(fmt::format(
          "{}: the file is not sorted: position {} on contig '{}' comes after position {}; "
          "sort it first (e.g. bcftools sort)",
          Where(), rec->pos + 1, bcf_seqname_safe(header(), rec), last_pos_ + 1));
    }
  } else {
    if (rec->rid >= 0 && static_cast<size_t>(rec->rid) < seen_rids_.size() && seen_rids_[rec->rid]) {
      return Status::InvalidInput(fmt::format(
          "{}: the file is not sorted: contig '{}' appears again after contig '{}'; each contig "
          "must be in one block (sort it first, e.g. bcftools sort)",
          Where(), bcf_seqname_safe(header(), rec), bcf_hdr_id2name(header(), last_rid_)));
    }
    if (rec->rid >= static_cast<int>(seen_rids_.size())) seen_rids_.resize(rec->rid + 1, false);
    seen_rids_[rec->rid] = true;
    last_rid_ = rec->rid;
  }
  last_pos_ = rec->pos;
  return Status::Ok();
}

}  // namespace vcfagent::vcf
