// The text record writers behind OpenRecordWriter(): TSV of chosen fields and JSON lines.
// Internal to the writers; callers use OpenRecordWriter() (record_writer.h), which documents the
// formats.
#pragma once

#include <memory>

#include "util/output_file.h"
#include "vcf/record_writer.h"

namespace vcfagent::vcf {

// The error of a failed write to `path` ("-": standard output), with errno's reason.
Status WriteFailed(const std::string& path);

std::unique_ptr<RecordSink> NewTsvRecordWriter(std::unique_ptr<OutputFile> out, const WriterOptions& options);
std::unique_ptr<RecordSink> NewJsonLinesRecordWriter(std::unique_ptr<OutputFile> out,
                                                     const WriterOptions& options);

}  // namespace vcfagent::vcf
