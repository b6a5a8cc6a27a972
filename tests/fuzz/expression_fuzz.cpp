// Fuzzes both expression languages with the same bytes:
// - FilterExpression (view -i/-e, /api/v1/view) parsed against a small header and evaluated on a
//   few records;
// - CompileWhere (variants -w, similar --where, /api/v1/variants, /api/v1/similar) over a real
//   store, its SQL prepared and run on the stored variants.
// Any outcome is fine except a crash, a sanitizer report, a leak, a hang, or a where-expression
// that compiles to SQL SQLite refuses (the compiler promised SQL within SQLite's parser and
// expression-depth limits): that traps.
#include <htslib/kstring.h>
#include <htslib/vcf.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"
#include "store/where_expr.h"
#include "vcf/filter_expr.h"

namespace {

const char* kHeader =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1>\n"
    "##FILTER=<ID=q10,Description=\"q\">\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n"
    "##INFO=<ID=AF,Number=A,Type=Float,Description=\"f\">\n"
    "##INFO=<ID=DB,Number=0,Type=Flag,Description=\"f\">\n"
    "##INFO=<ID=GENE,Number=1,Type=String,Description=\"g\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";

const char* kRecords[] = {
    "1\t10\trs1\tA\tG\t50\tPASS\tDP=20;AF=0.01;DB;GENE=BR_CA1",
    "1\t20\t.\tAC\tA,ACC\t.\tq10\tAF=0.1,0.9",
    "1\t30\t.\tA\t.\t5\t.\tDP=.",
};

bcf_hdr_t* header = nullptr;
std::vector<bcf1_t*> records;
std::string store_dir;
std::unique_ptr<vcfagent::store::Store> store;

// At exit: the process's fixtures go, so that the leak check sees only what inputs leaked.
void Cleanup() {
  store.reset();
  std::error_code ec;
  if (!store_dir.empty()) std::filesystem::remove_all(store_dir, ec);
  for (bcf1_t* rec : records) bcf_destroy(rec);
  records.clear();
  if (header) bcf_hdr_destroy(header);
  header = nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  header = bcf_hdr_init("r");
  std::string text = kHeader;
  if (bcf_hdr_parse(header, text.data()) != 0) abort();
  for (const char* line : kRecords) {
    kstring_t s = {0, 0, nullptr};
    kputs(line, &s);
    bcf1_t* rec = bcf_init();
    if (vcf_parse(&s, header, rec) != 0) abort();
    free(s.s);
    records.push_back(rec);
  }

  char dir[] = "/tmp/vcfagent-expression-fuzz.XXXXXX";
  if (!mkdtemp(dir)) abort();
  store_dir = dir;
  atexit(Cleanup);
  auto opened = vcfagent::store::Store::Open(store_dir + "/store", vcfagent::store::Store::Access::kWrite);
  if (!opened.ok()) abort();
  store = std::move(opened.value());
  // One file whose header declares AF (Float) and DP, and variants carrying them and a gene name
  // with LIKE wildcards, so compiled conditions are evaluated, not only prepared.
  const auto status = store->db().Exec(
      "INSERT INTO files(file_id, path, fingerprint, size, sample_count, status, started_at, header) "
      "VALUES (1, 'f.vcf', 'x', 0, 0, 'complete', '', '##fileformat=VCFv4.2\n"
      "##INFO=<ID=AF,Number=A,Type=Float,Description=\"f\">\n"
      "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n');"
      "INSERT INTO contigs(chrom_id, name) VALUES (1, '1');"
      "INSERT INTO genes(gene_id, name) VALUES (1, 'BR_CA1');"
      "INSERT INTO variants(variant_id, chrom_id, pos, end_pos, ref, alt, rsid, qual, filter, class, "
      "allele_index, n_alt_alleles, info, af, gene_id, file_id) VALUES "
      "(1, 1, 10, 10, 'A', 'G', 'rs1', 50, 'PASS', 0, 1, 1, 'DP=20;AF=0.01;DB', 0.009999999776482582, 1, 1),"
      "(2, 1, 20, 21, 'AC', 'A', NULL, NULL, 'q10', 3, 1, 2, 'AF=0.1;X=a%b', 0.10000000149011612, NULL, 1);");
  if (!status.ok()) abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto filter = vcfagent::vcf::FilterExpression::Parse(text, header);
  if (filter.ok()) {
    for (bcf1_t* rec : records) (*filter)->Evaluate(rec);
  }

  auto& db = store->db();
  auto where = vcfagent::store::CompileWhere(text, vcfagent::store::StoreInfoTags(db));
  if (where.ok() && !where->sql.empty()) {
    auto stmt = db.Prepare("SELECT v.variant_id FROM variants v WHERE " + where->sql);
    if (!stmt.ok()) __builtin_trap();  // compiled SQL that SQLite cannot prepare
    vcfagent::store::BindAll(*stmt, where->params, 1);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) __builtin_trap();
      if (!*row) break;
    }
  }
  return 0;
}
