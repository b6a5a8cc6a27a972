// IngestAnnotator: fills gene, consequence, impact and clinical significance of allele rows.
//
// Sources, in order: the file's own consequence annotations (VEP CSQ, SnpEff ANN, bcftools
// BCSQ); else overlap with the --genes file; and independently, fields of --annotate VCFs matched
// by allele (ClinVar's CLNSIG gives the clinical significance class).
#pragma once

#include <htslib/vcf.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "store/ingest.h"
#include "store/ingest_rows.h"
#include "util/status.h"

namespace vcfagent::store {

class IngestAnnotator {
 public:
  // Loads the --genes and --annotate sources once for the whole ingest.
  static Result<std::unique_ptr<IngestAnnotator>> Create(const IngestOptions& options);
  ~IngestAnnotator();
  // Reads which consequence annotation (if any) a file's header declares.
  void StartFile(const bcf_hdr_t* header);
  // Annotates the rows of one record (one per ALT allele, in ALT order). `rec` is unpacked.
  void Annotate(const bcf_hdr_t* header, bcf1_t* rec, std::span<AlleleRow> rows);

 private:
  struct Impl;
  IngestAnnotator() = default;
  std::unique_ptr<Impl> impl_;
};

// Records sex, family, parents and phenotype of every individual of a PED/FAM file (inserting
// individuals not yet in the store); returns how many. The file is parsed completely first.
Result<int64_t> ApplyPedigree(Store& store, const std::string& ped_path);

}  // namespace vcfagent::store
