// IngestReader: turns the records of one VCF/BCF file into allele rows (one per ALT allele) with
// their genotypes, in batches. Runs on its own thread during ingest; pure of SQLite.
#pragma once

#include <htslib/vcf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/ingest_annotate.h"
#include "store/ingest_rows.h"
#include "vcf/variant_reader.h"

namespace vcfagent::store {

struct RecordBatch {
  std::vector<AlleleRow> alleles;
  int64_t records_end = 0;  // input records consumed once this batch is committed
  double fraction_read = -1;
};

class IngestReader {
 public:
  IngestReader(vcf::VariantReader& reader, IngestAnnotator& annotator);
  ~IngestReader();
  // Skips the first `records` records (already committed by an interrupted run).
  Status Skip(int64_t records);
  // Reads up to `max_records` records, or fewer once `max_calls` genotype rows are collected (so
  // memory stays flat however many samples a file has), into `batch`; false at the end.
  Result<bool> Next(int64_t max_records, int64_t max_calls, RecordBatch& batch);
  int64_t records_read() const { return records_read_; }
  // Sample columns whose hom-ref calls are also emitted (zygosity kHomRef): the samples another
  // file of the store also holds, whose calls the writer compares (see StoreWriter).
  void KeepHomRefCalls(std::vector<bool> columns) { keep_hom_ref_ = std::move(columns); }

 private:
  Status Convert(std::vector<AlleleRow>& out);
  std::string InfoText();
  std::string SubsetInfo(const std::string& info, int allele_index, int n_alleles);
  double FractionRead() const;

  vcf::VariantReader& reader_;
  IngestAnnotator& annotator_;
  bcf_hdr_t* header_;
  vcf::BcfRecordPtr rec_;
  int64_t records_read_ = 0;
  int64_t file_size_ = 0;
  int32_t *gt_ = nullptr, *dp_ = nullptr, *gq_ = nullptr, *ad_ = nullptr;
  float* gqf_ = nullptr;
  int n_gt_ = 0, n_dp_ = 0, n_gq_ = 0, n_ad_ = 0, n_gqf_ = 0;
  float* af_ = nullptr;
  int n_af_ = 0;
  kstring_t text_ = {0, 0, nullptr};
  bool has_dp_ = false, has_gq_ = false, has_ad_ = false, has_af_ = false, gq_is_float_ = false;
  std::unordered_map<std::string, int> info_number_;  // key -> BCF_VL_* (cached)
  std::vector<bool> keep_hom_ref_;
};

}  // namespace vcfagent::store
