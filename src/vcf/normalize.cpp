#include "vcf/normalize.h"

#include <htslib/kbitset.h>
#include <htslib/vcfutils.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <strings.h>
#include <sys/stat.h>

#include "fmt/format.h"

namespace vcfagent::vcf {

Result<std::unique_ptr<ReferenceGenome>> ReferenceGenome::Open(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return Status::IoError(fmt::format("{}: cannot open the reference: {}", path, std::strerror(errno)));
  }
  std::unique_ptr<ReferenceGenome> ref(new ReferenceGenome());
  ref->path_ = path;
  ref->index_ = fai_load(path.c_str());
  if (!ref->index_) {
    return Status::IoError(fmt::format(
        "{}: cannot open or index the reference (expected FASTA, plain or bgzip-compressed)", path));
  }
  return ref;
}

ReferenceGenome::~ReferenceGenome() {
  if (index_) fai_destroy(index_);
}

Result<std::string> ReferenceGenome::Fetch(const std::string& contig, int64_t beg, int64_t end) const {
  if (!faidx_has_seq(index_, contig.c_str())) {
    return Status::InvalidInput(fmt::format("contig '{}' is not in the reference {}", contig, path_));
  }
  hts_pos_t length = 0;
  char* seq = faidx_fetch_seq64(index_, contig.c_str(), beg, end, &length);
  if (!seq || length < 0) {
    free(seq);
    return Status::IoError(fmt::format("{}: cannot read {}:{}-{}", path_, contig, beg + 1, end + 1));
  }
  std::string bases(seq, static_cast<size_t>(length));
  free(seq);
  for (char& c : bases) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return bases;
}

Status SplitMultiallelic(const bcf_hdr_t* header, bcf1_t* rec, std::vector<BcfRecordPtr>& out) {
  bcf_unpack(rec, BCF_UN_ALL);
  const int n_alt = rec->n_allele - 1;
  if (n_alt <= 1) {
    out.emplace_back(bcf_dup(rec));
    return Status::Ok();
  }
  int32_t* gt = nullptr;
  int n_gt_alloc = 0;
  const int n_gt = bcf_get_genotypes(header, rec, &gt, &n_gt_alloc);
  kbitset_t* remove = kbs_init(rec->n_allele);
  Status status;
  for (int keep = 1; keep <= n_alt && status.ok(); ++keep) {
    BcfRecordPtr copy(bcf_dup(rec));
    bcf_unpack(copy.get(), BCF_UN_ALL);
    if (n_gt > 0) {
      // Alleles other than the kept ALT become REF, as bcftools norm -m- does by default.
      std::vector<int32_t> split_gt(gt, gt + n_gt);
      for (int32_t& value : split_gt) {
        if (value == bcf_int32_vector_end || bcf_gt_is_missing(value)) continue;
        const int allele = bcf_gt_allele(value);
        if (allele == keep || allele == 0) continue;
        value = bcf_gt_is_phased(value) ? bcf_gt_phased(0) : bcf_gt_unphased(0);
      }
      if (bcf_update_genotypes(header, copy.get(), split_gt.data(), n_gt) < 0) {
        status = Status::Internal("cannot update GT while splitting a record");
        break;
      }
    }
    kbs_clear(remove);
    for (int allele = 1; allele <= n_alt; ++allele) {
      if (allele != keep) kbs_insert(remove, allele);
    }
    if (bcf_remove_allele_set(header, copy.get(), remove) < 0) {
      status = Status::InvalidInput("cannot split the record (a field does not match its Number)");
      break;
    }
    out.push_back(std::move(copy));
  }
  kbs_destroy(remove);
  free(gt);
  return status;
}

namespace {

bool IsPlainSequence(const char* allele) {
  for (const char* c = allele; *c; ++c) {
    switch (*c) {
      case 'A': case 'C': case 'G': case 'T': case 'N':
      case 'a': case 'c': case 'g': case 't': case 'n':
        break;
      default:
        return false;
    }
  }
  return *allele != '\0';
}

}  // namespace

Result<bool> LeftAlignAndTrim(const bcf_hdr_t* header, bcf1_t* rec, const ReferenceGenome& reference) {
  bcf_unpack(rec, BCF_UN_STR);
  if (rec->n_allele < 1) return false;
  const std::string contig = bcf_hdr_id2name(header, rec->rid);
  int64_t pos = rec->pos;
  const size_t ref_length = std::strlen(rec->d.allele[0]);

  // Like bcftools norm (--check-ref e), REF is checked on every record.
  auto ref_seq = reference.Fetch(contig, pos, pos + static_cast<int64_t>(ref_length) - 1);
  if (!ref_seq.ok()) return ref_seq.status();
  if (strcasecmp(ref_seq->c_str(), rec->d.allele[0]) != 0) {
    return Status::InvalidInput(fmt::format(
        "REF '{}' at {}:{} does not match the reference ({}: '{}')", rec->d.allele[0], contig,
        pos + 1, reference.path(), *ref_seq));
  }
  if (rec->n_allele == 1) {
    // A REF-only record keeps only its first base.
    if (ref_length <= 1) return false;
    const std::string first(1, rec->d.allele[0][0]);
    const char* alleles[1] = {first.c_str()};
    if (bcf_update_alleles(header, rec, alleles, 1) < 0) return Status::Internal("cannot update alleles");
    return true;
  }
  // Symbolic, breakend, '*' and IUPAC alleles are left as they are.
  for (int i = 0; i < rec->n_allele; ++i) {
    if (!IsPlainSequence(rec->d.allele[i])) return false;
  }
  std::vector<std::string> alleles(rec->d.allele, rec->d.allele + rec->n_allele);
  for (std::string& allele : alleles) {
    for (char& c : allele) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }

  // Trim the last base while all alleles end alike; when an allele runs empty, prepend the
  // reference base on the left (this moves indels to their leftmost position).
  std::string left;  // reference bases [left_start, pos), fetched in chunks
  int64_t left_start = pos;
  for (;;) {
    const char last = alleles[0].back();
    if (!std::all_of(alleles.begin(), alleles.end(), [last](const std::string& a) { return a.back() == last; })) break;
    const bool would_empty = std::any_of(alleles.begin(), alleles.end(), [](const std::string& a) { return a.size() == 1; });
    if (would_empty && pos == 0) break;  // nothing to pad with at the contig start
    for (std::string& a : alleles) a.pop_back();
    if (!would_empty) continue;
    if (left_start == pos) {
      const int64_t chunk_start = std::max<int64_t>(0, pos - 256);
      auto chunk = reference.Fetch(contig, chunk_start, pos - 1);
      if (!chunk.ok()) return chunk.status();
      left = *chunk;
      left_start = chunk_start;
      if (static_cast<int64_t>(left.size()) != pos - left_start) {
        return Status::IoError(fmt::format("{}: short read at {}:{}", reference.path(), contig, pos));
      }
    }
    const char base = left.back();
    left.pop_back();
    for (std::string& a : alleles) a.insert(a.begin(), base);
    --pos;
  }
  // Remove leading bases shared by all alleles while every allele keeps at least one base.
  size_t trim = 0;
  for (;;) {
    const char first = alleles[0][trim];
    bool ok = true;
    for (const std::string& a : alleles) {
      if (a.size() - trim <= 1 || a[trim] != first) {
        ok = false;
        break;
      }
    }
    if (!ok) break;
    ++trim;
  }
  if (trim) {
    for (std::string& a : alleles) a.erase(0, trim);
    pos += static_cast<int64_t>(trim);
  }
  if (pos == rec->pos && strcasecmp(alleles[0].c_str(), rec->d.allele[0]) == 0) return false;
  std::vector<const char*> pointers;
  for (const std::string& a : alleles) pointers.push_back(a.c_str());
  rec->pos = pos;
  if (bcf_update_alleles(header, rec, pointers.data(), static_cast<int>(pointers.size())) < 0) {
    return Status::Internal("cannot update alleles while left-aligning");
  }
  return true;
}

Status RecordNormalizer::Push(const bcf_hdr_t* header, BcfRecordPtr rec, const std::string& where,
                              std::vector<BcfRecordPtr>& ready) {
  if (rec->rid != held_rid_) {
    Flush(ready);
    held_rid_ = rec->rid;
    released_pos_ = -1;
  }
  const int64_t input_pos = rec->pos;
  split_.clear();
  if (options_.split_multiallelic) {
    VCFAGENT_RETURN_IF_ERROR(SplitMultiallelic(header, rec.get(), split_).WithContext(where));
  } else {
    split_.push_back(std::move(rec));
  }
  for (BcfRecordPtr& part : split_) {
    if (options_.reference) {
      auto aligned = LeftAlignAndTrim(header, part.get(), *options_.reference);
      if (!aligned.ok()) return aligned.status().WithContext(where);
    }
    if (part->pos < released_pos_) {
      return Status::InvalidInput(fmt::format(
          "{}: left-alignment moved the record more than {} bp, past records already compared",
          where, options_.window));
    }
    // Insert after every held record at the same or a lower position (keeps input order).
    auto it = held_.end();
    while (it != held_.begin() && (*(it - 1))->pos > part->pos) --it;
    held_.insert(it, std::move(part));
  }
  Release(input_pos - options_.window, ready);
  return Status::Ok();
}

void RecordNormalizer::Release(int64_t before, std::vector<BcfRecordPtr>& ready) {
  while (!held_.empty() && held_.front()->pos < before) {
    released_pos_ = held_.front()->pos;
    ready.push_back(std::move(held_.front()));
    held_.pop_front();
  }
}

void RecordNormalizer::Flush(std::vector<BcfRecordPtr>& ready) {
  while (!held_.empty()) {
    released_pos_ = held_.front()->pos;
    ready.push_back(std::move(held_.front()));
    held_.pop_front();
  }
}

}  // namespace vcfagent::vcf
