// Fuzzes VariantReader: arbitrary bytes as a VCF/BCF input (plain, gzip, BGZF or BCF, whatever
// htslib detects), read to the end with every record fully unpacked and formatted back to text.
// Any outcome is fine except a crash, a sanitizer report, a leak or a hang.
//
// The bytes go to one memfd per process, reopened by path (/proc/self/fd/N) for each input: the
// reader is exercised exactly as with a real file (format detection, hopen, BGZF), without touching
// the disk.
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "vcf/variant_reader.h"

namespace {

int memory_file = -1;
std::string memory_path;

// Bounds the work per input: a tiny input can still declare a huge BGZF stream.
constexpr int kMaxRecords = 100000;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hts_set_log_level(HTS_LOG_OFF);  // as the CLI does; htslib's own messages are noise here
  memory_file = memfd_create("reader_fuzz", 0);
  if (memory_file < 0) std::abort();
  memory_path = "/proc/self/fd/" + std::to_string(memory_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (ftruncate(memory_file, 0) != 0) std::abort();
  if (size > 0 && pwrite(memory_file, data, size, 0) != static_cast<ssize_t>(size)) std::abort();

  using vcfagent::vcf::VariantReader;
  auto probe = vcfagent::vcf::ProbeVariantFile(memory_path);
  auto reader = VariantReader::Open(memory_path);
  if (!reader.ok()) return 0;
  VariantReader& in = **reader;
  auto rec = vcfagent::vcf::NewRecord();
  kstring_t text = {0, 0, nullptr};
  for (int n = 0; n < kMaxRecords; ++n) {
    auto next = in.Next(rec.get());
    if (!next.ok() || !*next) break;
    bcf_unpack(rec.get(), BCF_UN_ALL);
    text.l = 0;
    vcf_format(in.header(), rec.get(), &text);
    (void)in.Where();
  }
  free(text.s);
  return 0;
}
