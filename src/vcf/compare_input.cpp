#include "vcf/compare_input.h"

#include <algorithm>

#include "fmt/format.h"

namespace vcfagent::vcf {

Result<std::unique_ptr<SortedInput>> SortedInput::Open(const std::string& path,
                                                       const SortedInputOptions& options) {
  std::unique_ptr<SortedInput> in(new SortedInput());
  auto reader = VariantReader::Open(path, ReaderOptions{options.threads});
  if (!reader.ok()) return reader.status();
  in->reader_ = std::move(*reader);
  in->regions_ = options.regions;
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
