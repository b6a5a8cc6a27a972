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

// The index beside `path` and the contigs it lists records for (in index order: the file's order
// for tabix, the header's for CSI); false without a usable index (none, unreadable, or older
// than the file, which may then hold contigs the index does not know).
bool LoadIndex(const std::string& path, const InputKind& kind, const bcf_hdr_t* header,
               SortedInput::Index& index) {
  if (!kind.is_bgzf) return false;
  struct stat data, stat_index;
  if (!IsRegularFile(path, &data)) return false;
  std::string index_path;
  for (const char* suffix : {".csi", ".tbi"}) {
    if (IsRegularFile(path + suffix, &stat_index) && stat_index.st_mtime >= data.st_mtime) {
      index_path = path + suffix;
      break;
    }
  }
  if (index_path.empty()) return false;
  int n = 0;
  const char** seqs = nullptr;
  if (kind.is_bcf) {
    index.idx.reset(bcf_index_load3(path.c_str(), index_path.c_str(), HTS_IDX_SILENT_FAIL));
    if (!index.idx) return false;
    seqs = bcf_index_seqnames(index.idx.get(), const_cast<bcf_hdr_t*>(header), &n);
  } else {
    index.tbx.reset(tbx_index_load3(path.c_str(), index_path.c_str(), HTS_IDX_SILENT_FAIL));
    if (!index.tbx) return false;
    seqs = tbx_seqnames(index.tbx.get(), &n);
  }
  for (int i = 0; i < n; ++i) if (seqs && seqs[i]) index.contigs.emplace_back(seqs[i]);
  free(seqs);
  return true;
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
      if (LoadIndex(path(), reader_->kind(), header(), index_)) {
        contigs_.emplace(index_.contigs.begin(), index_.contigs.end());
      } else {
        index_ = Index();
        auto scanned = ScanContigs(path(), threads_);
        if (!scanned.ok()) return scanned.status();
        contigs_ = std::move(*scanned);
      }
    }
  }
  if (!contigs_) return std::optional<bool>();
  return std::optional<bool>(contigs_->count(contig) > 0);
}

void SortedInput::Index::TbxDeleter::operator()(tbx_t* index) const { tbx_destroy(index); }
void SortedInput::Index::IdxDeleter::operator()(hts_idx_t* index) const { hts_idx_destroy(index); }
void SortedInput::ItrDeleter::operator()(hts_itr_t* itr) const { hts_itr_destroy(itr); }

Status SortedInput::SeekContig(const std::string& contig) {
  if (!CanSeek()) return Status::Internal("SeekContig without an index");
  by_index_ = true;
  seek_contig_ = contig;
  seek_records_ = 0;
  ready_.clear();
  ready_next_ = 0;
  if (normalizer_) normalizer_ = std::make_unique<RecordNormalizer>(normalize_options_);
  // The index keeps each contig in one block; a contig read partly before the switch is read
  // again from its start.
  seen_rids_.clear();
  last_rid_ = -1;
  last_pos_ = -1;
  itr_.reset(index_.tbx ? tbx_itr_querys(index_.tbx.get(), contig.c_str())
                        : bcf_itr_querys(index_.idx.get(), reader_->header(), contig.c_str()));
  at_end_ = !itr_;  // not in the index: no records there
  return Status::Ok();
}

Result<bool> SortedInput::Read(bcf1_t* rec) {
  if (!by_index_) return reader_->Next(rec);
  if (!itr_) return false;
  int ret;
  if (index_.tbx) {
    ret = tbx_itr_next(reader_->file(), index_.tbx.get(), itr_.get(), &line_);
    if (ret >= 0) {
      ++seek_records_;
      Status parsed = ParseVcfRecordLine(&line_, reader_->header(), rec, "", 0);
      if (!parsed.ok()) {
        // Without line numbers, the record is named by its place in the contig.
        std::string_view why = parsed.message();
        if (why.rfind(":0: ", 0) == 0) why.remove_prefix(4);
        return Status::InvalidInput(fmt::format("{}: {}", Where(), why));
      }
      return true;
    }
  } else {
    ret = bcf_itr_next(reader_->file(), itr_.get(), rec);
    if (ret >= 0 && !rec->errcode) {
      ++seek_records_;
      return true;
    }
  }
  if (ret == -1) return false;
  return Status::InvalidInput(fmt::format("{}: read error (truncated or corrupt data?)", Where()));
}

std::string SortedInput::Where() const {
  if (!by_index_) return reader_->Where();
  return fmt::format("{}: record {} of contig '{}' (read by index)", DisplayName(path()),
                     seek_records_, seek_contig_);
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
    in->normalize_options_ = norm;
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
    auto got = Read(rec.get());
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
