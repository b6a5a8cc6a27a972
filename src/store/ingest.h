// Ingest: loads VCF/BCF files into the store.
//
// Streams each file (memory flat in file size), splits multiallelic records into one row per
// alternate allele (INFO Number=A/R/G values subset to that allele, as `bcftools norm -m-` does),
// and keeps QUAL, FILTER, INFO and, for every non-hom-ref call, GT, zygosity, phasing, DP, GQ and
// AD. Samples from all files form one cohort (a sample name seen in two files is one sample).
//
// One call per sample and site: when a sample is in two files and both have a site, the call of
// the file that wrote it first (in ingest order) is kept and counted; the later file's call is
// not, and when its zygosity differs the summary counts it as a conflict and describes the first.
//
// Safety: the inputs are opened and their headers read before anything is written. Work is
// committed in batches, each together with the count of input records it covers, so an
// interrupted ingest (Ctrl-C, SIGKILL, power loss) leaves a consistent store that a re-run
// completes without duplicates or losses. A file is recognised by a fingerprint of its content,
// so ingesting it again adds nothing. An invalid record removes everything that file added and
// reports the line: the store is left as it was before the file.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace vcfagent::store {

struct IngestOptions {
  std::string ped_path;                     // PED/FAM: sex, family, phenotype
  std::string genes_path;                   // BED/GFF3/GTF: genes by overlap when unannotated
  std::vector<std::string> annotate_paths;  // VCFs whose INFO fields attach by allele match
  std::vector<std::string> annotate_fields; // INFO tags to attach (default: ClinVar's)
  std::string fasta_path;                   // reference (faidx-indexed): sequence context for similarity
  int threads = 1;                          // extra decompression threads
  int64_t batch_records = 10000;            // input records per committed batch
  bool show_progress = true;
};

struct FileIngestResult {
  std::string path;
  std::string outcome;  // "ingested", "resumed", "already-present"
  int64_t file_id = 0;
  int64_t records = 0;       // input records read in this run
  int64_t alleles = 0;       // allele rows written in this run
  int64_t new_variants = 0;  // alleles not in the store before
  int64_t genotypes = 0;     // non-hom-ref calls written
  int64_t samples = 0;
  // Calls of samples that another file of the store holds, at sites that file has: the first
  // file's call is kept and counted, these are not (one call per sample and site).
  int64_t duplicate_calls = 0;
  int64_t conflicting_calls = 0;       // of those, the ones whose zygosity differs from the kept call
  std::vector<std::string> conflicts;  // the first few, described
  double seconds = 0;
};

struct IngestSummary {
  std::vector<FileIngestResult> files;
  int64_t records = 0, alleles = 0, new_variants = 0, genotypes = 0;
  int64_t duplicate_calls = 0, conflicting_calls = 0;
  int64_t pedigree_samples = 0;
  double seconds = 0;
};

Result<IngestSummary> Ingest(Store& store, const std::vector<std::string>& paths,
                             const IngestOptions& options);

// The summary as `ingest --format json` prints it and the ingest job of the API returns it.
nlohmann::json IngestSummaryToJson(const IngestSummary& summary);

// A content fingerprint of a file: its size and hashes of its first and last MiB (fast on huge
// files, and any change of compression, header or records changes it).
Result<std::string> FileFingerprint(const std::string& path);

// Opens each input as Ingest will (a file, not "-"; VCF or BCF with a readable header) without
// touching any store: front ends call it before they create or lock one, so that a typo, a
// non-VCF file or a broken header leaves no trace.
Status CheckIngestInputs(const std::vector<std::string>& paths);

}  // namespace vcfagent::store
