// End-to-end tests of the variant store through the CLI: ingest, variants, sql, backup/restore.
// Oracles are bcftools 1.16 (norm -m-any for the allele split, view -r for regions, query for
// genotypes), run in the test on the same files.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using ::testing::HasSubstr;

CommandResult Ingest(const std::string& db, std::vector<std::string> args) {
  args.insert(args.begin(), "ingest");
  args.push_back("--db");
  args.push_back(db);
  return RunVcfAgent(args);
}

std::string Sql(const std::string& db, const std::string& query) {
  auto r = RunVcfAgent({"sql", "--db", db, "-f", "tsv", "--max-rows", "10000000", query});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Everything a store holds that a user can observe, in a canonical order.
std::string Dump(const std::string& db) {
  return Sql(db,
             "SELECT chrom, pos, end_pos, ref, alt, rsid, qual, filter, class, af, gene, consequence,"
             " impact, clnsig, n_het, n_hom_alt, n_missing, n_called, info FROM variant_view"
             " ORDER BY chrom, pos, ref, alt") +
         Sql(db,
             "SELECT v.chrom, v.pos, v.ref, v.alt, g.sample, g.gt, g.zygosity, g.phased, g.dp, g.gq, g.ad"
             " FROM genotype_view g JOIN variant_view v USING (variant_id)"
             " ORDER BY v.chrom, v.pos, v.ref, v.alt, g.sample") +
         Sql(db, "SELECT name, sex, family, phenotype FROM samples ORDER BY name") +
         Sql(db, "SELECT path, status, records_done, sample_count FROM files ORDER BY file_id");
}

// bcftools' split of a file into one record per ALT (the ingest oracle), as label -> INFO.
std::map<std::string, std::string> BcftoolsSplit(const std::string& vcf, const std::string& region = "") {
  TempDir tmp;
  std::vector<std::string> args = {"norm", "-m", "-any", "-Ov", "-o", tmp.File("split.vcf")};
  if (!region.empty()) {
    auto view = RunProgram("bcftools", {"view", "-r", region, "-Oz", "-o", tmp.File("r.vcf.gz"), vcf});
    EXPECT_EQ(view.exit_code, 0) << view.err;
    args.push_back(tmp.File("r.vcf.gz"));
  } else {
    args.push_back(vcf);
  }
  auto norm = RunProgram("bcftools", args);
  EXPECT_EQ(norm.exit_code, 0) << norm.err;
  auto query = RunProgram("bcftools", {"query", "-f", "%CHROM:%POS:%REF:%ALT\t%INFO\n", tmp.File("split.vcf")});
  EXPECT_EQ(query.exit_code, 0) << query.err;
  std::map<std::string, std::string> out;
  for (const auto& line : Lines(query.out)) {
    const size_t tab = line.find('\t');
    const std::string label = line.substr(0, tab);
    if (label.size() > 2 && label.substr(label.size() - 2) == ":*") continue;
    out[label] = line.substr(tab + 1);
  }
  return out;
}

std::map<std::string, std::string> StoreAlleles(const std::string& db, const std::string& where = "") {
  std::map<std::string, std::string> out;
  const std::string text = Sql(db, "SELECT chrom || ':' || pos || ':' || ref || ':' || alt, coalesce(info, '.')"
                                   " FROM variant_view " + where);
  auto lines = Lines(text);
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t tab = lines[i].find('\t');
    out[lines[i].substr(0, tab)] = lines[i].substr(tab + 1);
  }
  return out;
}

// Records where `sample` is het, by bcftools (subset first: -i alone looks at every sample).
size_t HetCount(const std::string& vcf, const std::string& sample) {
  TempDir tmp;
  EXPECT_EQ(RunProgram("bcftools", {"view", "-s", sample, "-Ov", "-o", tmp.File("s.vcf"), vcf}).exit_code, 0);
  auto het = RunProgram("bcftools", {"view", "-H", "-i", "GT=\"het\"", tmp.File("s.vcf")});
  EXPECT_EQ(het.exit_code, 0) << het.err;
  return Lines(het.out).size();
}

class StoreCliTest : public ::testing::Test {
 protected:
  TempDir tmp_;
  std::string db_ = tmp_.File("db");
  std::string kg_ = ExamplePath("1kg-chr22-slice.vcf.gz");
  std::string trio_ = ExamplePath("giab-ashk-trio-slice.vcf.gz");
};

TEST_F(StoreCliTest, IngestSplitsAllelesAndInfoLikeBcftoolsNorm) {
  auto r = Ingest(db_, {kg_, "--no-index"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto expected = BcftoolsSplit(kg_);
  const auto got = StoreAlleles(db_);
  ASSERT_EQ(got.size(), expected.size());
  int multiallelic = 0;
  for (const auto& [label, info] : expected) {
    auto it = got.find(label);
    ASSERT_NE(it, got.end()) << label;
    EXPECT_EQ(it->second, info) << label;
  }
  multiallelic = std::stoi(Lines(Sql(db_, "SELECT count(*) FROM variants WHERE n_alt_alleles > 1"))[1]);
  EXPECT_GT(multiallelic, 0) << "the example should exercise the multiallelic split";
}

TEST_F(StoreCliTest, GenotypesOfASampleMatchBcftools) {
  ASSERT_EQ(Ingest(db_, {kg_, "--no-index"}).exit_code, 0);
  TempDir tmp;
  auto norm = RunProgram("bcftools", {"norm", "-m", "-any", "-Ov", "-o", tmp.File("s.vcf"), kg_});
  ASSERT_EQ(norm.exit_code, 0);
  for (const std::string sample : {"HG00096", "NA12878", "HG03006"}) {
    auto q = RunProgram("bcftools", {"query", "-s", sample, "-f", "%CHROM:%POS:%REF:%ALT[\t%GT]\n", tmp.File("s.vcf")});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    std::set<std::string> expected;
    for (const auto& line : Lines(q.out)) {
      const size_t tab = line.find('\t');
      std::string gt = line.substr(tab + 1);
      int alt = 0;
      for (char c : gt) alt += c == '1';
      const std::string label = line.substr(0, tab);
      if (label.back() == '*' || alt == 0) continue;
      // Diploid here; haploid "1" is hom-alt.
      const bool hom = alt == 2 || gt == "1";
      expected.insert(label + (hom ? " hom-alt" : " het"));
    }
    auto got = RunVcfAgent({"variants", "--db", db_, "-s", sample, "-n", "0", "-f", "json"});
    ASSERT_EQ(got.exit_code, 0) << got.err;
    std::set<std::string> actual;
    const auto parsed = nlohmann::json::parse(got.out);
    for (const auto& v : parsed["variants"]) {
      actual.insert(v["variant"].get<std::string>() + " " + v["call"]["zygosity"].get<std::string>());
    }
    EXPECT_EQ(actual, expected) << sample;
    auto het = RunVcfAgent({"variants", "--db", db_, "-s", sample, "--zygosity", "het", "-n", "0", "-f", "tsv"});
    const auto het_lines = Lines(het.out);
    const auto expected_het = std::count_if(expected.begin(), expected.end(),
                                            [](const std::string& s) { return s.find(" het") != std::string::npos; });
    EXPECT_EQ(static_cast<long>(het_lines.size()) - 1, expected_het) << sample;
  }
}

TEST_F(StoreCliTest, RegionQueriesMatchBcftoolsView) {
  ASSERT_EQ(Ingest(db_, {kg_, "--no-index"}).exit_code, 0);
  for (const std::string region : {"22:16050000-16060000", "22:16054740", "22:16100000-16200000",
                                   "22:1-16050100", "22:17000000-18000000"}) {
    const auto expected = BcftoolsSplit(kg_, region);
    auto r = RunVcfAgent({"variants", "--db", db_, "-r", region, "-n", "0", "-f", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> got;
    const auto parsed = nlohmann::json::parse(r.out);
    for (const auto& v : parsed["variants"]) got.insert(v["variant"].get<std::string>());
    std::set<std::string> want;
    for (const auto& [label, unused] : expected) want.insert(label);
    EXPECT_EQ(got, want) << region;
  }
  auto none = RunVcfAgent({"variants", "--db", db_, "-r", "chr9:1-1000", "-f", "tsv"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(Lines(none.out).size(), 1u);
}

TEST_F(StoreCliTest, WhereFiltersSortsAndPages) {
  ASSERT_EQ(Ingest(db_, {kg_, "--no-index"}).exit_code, 0);
  auto all = RunVcfAgent({"variants", "--db", db_, "-w", "class = snv && cohort_af > 0.3 && INFO/EAS_AF >= 0.5",
                          "--sort", "cohort_af", "--desc", "-n", "0", "-f", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto variants = nlohmann::json::parse(all.out)["variants"];
  const auto expected = Lines(Sql(db_, "SELECT count(*) FROM variant_view WHERE class = 'snv' AND cohort_af > 0.3"
                                       " AND CAST(info_value(info, 'EAS_AF') AS REAL) >= 0.5"));
  ASSERT_EQ(std::to_string(variants.size()), expected[1]);
  ASSERT_GT(variants.size(), 10u);
  for (size_t i = 1; i < variants.size(); ++i) {
    EXPECT_GE(variants[i - 1]["cohort_af"].get<double>(), variants[i]["cohort_af"].get<double>());
  }
  // Pages tile the full result.
  std::vector<int64_t> paged;
  for (int offset = 0;; offset += 7) {
    auto page = RunVcfAgent({"variants", "--db", db_, "-w", "class = snv && cohort_af > 0.3 && INFO/EAS_AF >= 0.5",
                             "--sort", "cohort_af", "--desc", "-n", "7", "--offset", std::to_string(offset), "-f", "json"});
    auto json = nlohmann::json::parse(page.out);
    for (const auto& v : json["variants"]) paged.push_back(v["id"].get<int64_t>());
    if (!json["more"].get<bool>()) break;
  }
  ASSERT_EQ(paged.size(), variants.size());
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], variants[i]["id"].get<int64_t>());

  auto bad = RunVcfAgent({"variants", "--db", db_, "-w", "qual >"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("expected a value after '>'"));
  auto injection = RunVcfAgent({"variants", "--db", db_, "-w", "gene = \"x'); DROP TABLE variants; --\""});
  EXPECT_EQ(injection.exit_code, 0) << injection.err;
  EXPECT_EQ(Lines(Sql(db_, "SELECT count(*) FROM variants"))[1], "1761");
}

TEST_F(StoreCliTest, VcfOutputIsValidAndReadableByBcftools) {
  ASSERT_EQ(Ingest(db_, {trio_, "--no-index"}).exit_code, 0);
  const std::string out = tmp_.File("het.vcf");
  auto r = RunVcfAgent({"variants", "--db", db_, "-s", "HG002", "--zygosity", "het", "-n", "0", "-f", "vcf", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto valid = RunVcfAgent({"validate", out});
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
  auto count = RunProgram("bcftools", {"view", "-H", "-i", "GT=\"het\"", out});
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_EQ(Lines(count.out).size(), HetCount(trio_, "HG002"));
}

TEST_F(StoreCliTest, IngestIsIdempotentAndCohortsMergeSamples) {
  ASSERT_EQ(Ingest(db_, {trio_, "--no-index"}).exit_code, 0);
  const std::string before = Dump(db_);
  auto again = Ingest(db_, {trio_, "--no-index", "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["files"][0]["outcome"], "already-present");
  EXPECT_EQ(Dump(db_), before);
  // The same content under another name is the same file.
  const std::string copy = tmp_.File("copy.vcf.gz");
  WriteFile(copy, ReadFile(trio_));
  EXPECT_EQ(Ingest(db_, {copy, "--no-index"}).exit_code, 0);
  EXPECT_EQ(Dump(db_), before);
  // A second file with one of the same samples: one sample, two files.
  const std::string son = tmp_.File("son.vcf.gz");
  ASSERT_EQ(RunProgram("bcftools", {"view", "-s", "HG002", "-r", "1", "-Oz", "-o", son, trio_}).exit_code, 0);
  ASSERT_EQ(Ingest(db_, {son, "--no-index"}).exit_code, 0);
  EXPECT_EQ(Lines(Sql(db_, "SELECT count(*) FROM samples"))[1], "3");
  EXPECT_EQ(Lines(Sql(db_, "SELECT count(*) FROM sample_files"))[1], "4");
}

TEST_F(StoreCliTest, InvalidRecordLeavesTheStoreAsItWas) {
  ASSERT_EQ(Ingest(db_, {trio_, "--no-index"}).exit_code, 0);
  const std::string before = Dump(db_);
  // Another file whose 700th record is broken, after several committed batches.
  auto lines = Lines(RunProgram("bcftools", {"view", kg_}).out);
  std::string vcf;
  int record = 0;
  int bad_line = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (line[0] != '#' && ++record == 700) {
      line.replace(line.find('\t') + 1, line.find('\t', line.find('\t') + 1) - line.find('\t') - 1, "12x4");
      bad_line = static_cast<int>(i) + 1;
    }
    vcf += line + "\n";
  }
  const std::string bad = tmp_.File("bad.vcf");
  WriteFile(bad, vcf);
  auto r = Ingest(db_, {bad, "--no-index", "--batch", "100"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.vcf:" + std::to_string(bad_line)));
  EXPECT_THAT(r.err, HasSubstr("nothing from this file was kept"));
  EXPECT_EQ(Dump(db_), before);
}

TEST_F(StoreCliTest, RefusesNewerStoresBusyWritersAndBadArguments) {
  ASSERT_EQ(Ingest(db_, {trio_, "--no-index"}).exit_code, 0);
  // Another writer holds the lock: a second ingest fails at once with the reason.
  const int fd = ::open((db_ + "/LOCK").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto busy = Ingest(db_, {kg_, "--no-index"});
  EXPECT_EQ(busy.exit_code, 2);
  EXPECT_THAT(busy.err, HasSubstr("another vcf-agent process is writing"));
  // Readers are not affected by the writer lock.
  EXPECT_EQ(RunVcfAgent({"variants", "--db", db_, "-n", "1"}).exit_code, 0);
  ::close(fd);

  auto missing = RunVcfAgent({"variants", "--db", tmp_.File("nowhere")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("no store here"));
  EXPECT_EQ(RunVcfAgent({"variants", "--db", db_, "--zygosity", "het"}).exit_code, 2);
  auto sample = RunVcfAgent({"variants", "--db", db_, "-s", "NOBODY"});
  EXPECT_EQ(sample.exit_code, 2);
  EXPECT_THAT(sample.err, HasSubstr("HG002"));

  ASSERT_EQ(RunProgram("sqlite3", {db_ + "/store.sqlite", "PRAGMA user_version=99"}).exit_code, 0);
  auto newer = RunVcfAgent({"variants", "--db", db_});
  EXPECT_EQ(newer.exit_code, 2);
  EXPECT_THAT(newer.err, HasSubstr("newer vcf-agent"));
  auto newer_write = Ingest(db_, {kg_, "--no-index"});
  EXPECT_EQ(newer_write.exit_code, 2);
  EXPECT_THAT(newer_write.err, HasSubstr("newer vcf-agent"));
}

TEST_F(StoreCliTest, SqlIsReadOnlyAndBounded) {
  ASSERT_EQ(Ingest(db_, {trio_, "--no-index"}).exit_code, 0);
  const std::string before = Dump(db_);
  for (const std::string statement :
       {"DELETE FROM variants", "UPDATE variants SET qual = 0", "DROP TABLE genotypes",
        "INSERT INTO genes(name) VALUES ('X')", "ATTACH DATABASE '/tmp/x.db' AS x",
        "PRAGMA journal_mode=DELETE", "CREATE TABLE t(x)", "SELECT 1; DELETE FROM variants",
        "WITH d AS (DELETE FROM variants RETURNING 1) SELECT * FROM d", "VACUUM"}) {
    auto r = RunVcfAgent({"sql", "--db", db_, statement});
    EXPECT_EQ(r.exit_code, 2) << statement;
    EXPECT_THAT(r.err, HasSubstr("vcf-agent sql: ")) << statement;
  }
  EXPECT_EQ(Dump(db_), before);
  auto slow = RunVcfAgent({"sql", "--db", db_, "--timeout", "0.3",
                           "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"});
  EXPECT_EQ(slow.exit_code, 2);
  EXPECT_THAT(slow.err, HasSubstr("longer than 0.3 s"));
  auto capped = RunVcfAgent({"sql", "--db", db_, "--max-rows", "5", "-f", "json", "SELECT * FROM genotype_view"});
  ASSERT_EQ(capped.exit_code, 0);
  auto json = nlohmann::json::parse(capped.out);
  EXPECT_EQ(json["rows"].size(), 5u);
  EXPECT_TRUE(json["truncated"].get<bool>());
  auto het = RunVcfAgent({"sql", "--db", db_, "-f", "json",
                          "SELECT count(*) AS n FROM genotype_view WHERE sample = 'HG002' AND zygosity = 'het'"});
  EXPECT_EQ(nlohmann::json::parse(het.out)["rows"][0]["n"].get<size_t>(), HetCount(trio_, "HG002"));
}

TEST_F(StoreCliTest, RestoredBackupAnswersLikeTheOriginal) {
  ASSERT_EQ(Ingest(db_, {kg_, trio_}).exit_code, 0);
  const std::string backup = tmp_.File("backup");
  auto b = RunVcfAgent({"backup", "--db", db_, "--to", backup, "--format", "json"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const std::string restored = tmp_.File("restored");
  auto r = RunVcfAgent({"restore", "--db", restored, "--from", backup});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Dump(restored), Dump(db_));
  const std::vector<std::vector<std::string>> queries = {
      {"variants", "-r", "22:16050000-16070000", "-f", "json", "-n", "0"},
      {"variants", "-s", "HG002", "-f", "tsv", "-n", "0"},
      {"variants", "-w", "cohort_af < 0.01 && qual > 50", "-f", "vcf", "-n", "0"},
      {"similar", "22:16050115:G:A", "-k", "5", "--format", "json"},
      {"graph", "carriers", "22:16050115:G:A", "--format", "json"},
      {"graph", "shared", "HG002", "HG003", "--format", "json"},
      {"graph", "relatedness", "--related-only", "--format", "json"},
  };
  for (auto query : queries) {
    auto original = query, copy = query;
    original.insert(original.begin() + 1, {"--db", db_});
    copy.insert(copy.begin() + 1, {"--db", restored});
    auto a = RunVcfAgent(original), c = RunVcfAgent(copy);
    EXPECT_EQ(a.exit_code, 0) << query[0] << " " << a.err;
    EXPECT_EQ(c.exit_code, a.exit_code) << query[0];
    std::string out_a = a.out, out_c = c.out;
    // The VCF header names the store directory.
    for (std::string* s : {&out_a, &out_c}) {
      const size_t at = s->find("##source=");
      if (at != std::string::npos) s->erase(at, s->find('\n', at) - at);
    }
    EXPECT_EQ(out_c, out_a) << query[0] << " " << query[1];
  }
  // Restore over a store in use replaces its content.
  ASSERT_EQ(RunVcfAgent({"restore", "--db", db_, "--from", backup}).exit_code, 0);
  auto not_backup = RunVcfAgent({"restore", "--db", restored, "--from", tmp_.File("nothing")});
  EXPECT_EQ(not_backup.exit_code, 2);
  EXPECT_THAT(not_backup.err, HasSubstr("is not a backup"));
  auto exists = RunVcfAgent({"backup", "--db", db_, "--to", backup});
  EXPECT_EQ(exists.exit_code, 2);
}

}  // namespace
}  // namespace vcfagent::testing
