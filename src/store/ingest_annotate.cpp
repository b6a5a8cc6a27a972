#include "store/ingest_annotate.h"

namespace vcfagent::store {

struct IngestAnnotator::Impl {};

Result<std::unique_ptr<IngestAnnotator>> IngestAnnotator::Create(const IngestOptions& options) {
  auto annotator = std::unique_ptr<IngestAnnotator>(new IngestAnnotator());
  annotator->impl_ = std::make_unique<Impl>();
  return annotator;
}
IngestAnnotator::~IngestAnnotator() = default;
void IngestAnnotator::StartFile(const bcf_hdr_t* header) {}
void IngestAnnotator::Annotate(const bcf_hdr_t* header, bcf1_t* rec, std::span<AlleleRow> rows) {}
Result<int64_t> ApplyPedigree(Store& store, const std::string& ped_path) {
  return Status::Internal("WIP");
}

}  // namespace vcfagent::store
