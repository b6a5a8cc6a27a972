// The view output formats, each read back by the reference tools (htslib, bcftools, tabix) or a
// JSON parser and compared with bcftools' view of the same input.
#include "vcf/record_writer.h"

#include <gtest/gtest.h>
#include <htslib/hts.h>
#include <htslib/vcf.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "support/test_support.h"
#include "vcf/view.h"

namespace vcfagent::vcf {
namespace {

using testing::CorpusPath;
using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;

std::string Input() { return CorpusPath("htslib/test/tabix/vcf_file.vcf"); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> cols;
  std::stringstream ss(line);
  for (std::string col; std::getline(ss, col, sep);) cols.push_back(col);
  return cols;
}

void WriteWith(const std::string& path, const WriterOptions& writer, const ViewOptions& view) {
  auto sink = OpenRecordWriter(path, writer);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  auto summary = RunView(view, **sink);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
}

TEST(RecordWriterTest, BcfRoundTripReadBackWithHtslib) {
  TempDir dir;
  for (auto format : {RecordFormat::kBcf, RecordFormat::kBcfUncompressed}) {
    const std::string out = dir.File(format == RecordFormat::kBcf ? "o.bcf" : "o.ubcf");
    WriterOptions writer;
    writer.format = format;
    ViewOptions view;
    view.input = Input();
    WriteWith(out, writer, view);
    // htslib reads it as BCF, record for record the same as the input.
    htsFile* fp = hts_open(out.c_str(), "r");
    ASSERT_NE(fp, nullptr);
    EXPECT_EQ(hts_get_format(fp)->format, bcf);
    EXPECT_EQ(hts_get_format(fp)->compression, format == RecordFormat::kBcf ? bgzf : no_compression);
    bcf_hdr_t* hdr = bcf_hdr_read(fp);
    ASSERT_NE(hdr, nullptr);
    bcf1_t* rec = bcf_init();
    kstring_t line = {0, 0, nullptr};
    std::string ours;
    while (bcf_read(fp, hdr, rec) == 0) {
      line.l = 0;
      ASSERT_EQ(vcf_format(hdr, rec, &line), 0);
      ours.append(line.s, line.l);
    }
    free(line.s);
    bcf_destroy(rec);
    bcf_hdr_destroy(hdr);
    hts_close(fp);
    auto expected = RunProgram("bcftools", {"view", "-H", Input()});
    ASSERT_EQ(expected.exit_code, 0);
    EXPECT_EQ(ours, expected.out);
    EXPECT_EQ(Lines(ours).size(), 15u);
  }
}

TEST(RecordWriterTest, BgzippedVcfIsIndexableAndEqual) {
  TempDir dir;
  const std::string out = dir.File("o.vcf.gz");
  auto r = RunVcfAgent({"view", "-O", "z", "--threads", "2", "-o", out, Input()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto indexed = RunProgram("tabix", {"-p", "vcf", out});
  EXPECT_EQ(indexed.exit_code, 0) << indexed.err;  // tabix refuses plain gzip: this is BGZF
  auto ours = RunProgram("bcftools", {"view", "--no-version", out});
  auto theirs = RunProgram("bcftools", {"view", "--no-version", Input()});
  EXPECT_EQ(ours.out, theirs.out);
}

TEST(RecordWriterTest, TsvMatchesBcftoolsQuery) {
  TempDir dir;
  const std::string vcf = dir.File("s.vcf");
  ASSERT_EQ(RunProgram("python3", {CorpusPath("../tools/gen_synthetic_vcf.py"), "--sites", "500",
                                   "--samples", "2", "-o", vcf}).exit_code, 0);
  auto expected = RunProgram("bcftools", {"query", "-f",
      "%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER\t%INFO/DP\t%INFO/AF\t%INFO/DB\t%INFO/SVTYPE\t%INFO/END\n", vcf});
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  auto ours = RunVcfAgent({"view", "-O", "t", "-H", "-f",
                           "CHROM,POS,ID,REF,ALT,QUAL,FILTER,INFO/DP,AF,INFO/DB,SVTYPE,INFO/END", vcf});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, expected.out);
  auto with_header = RunVcfAgent({"view", "-f", "CHROM,POS,INFO/DP", vcf});
  ASSERT_EQ(with_header.exit_code, 0) << with_header.err;
  EXPECT_EQ(Lines(with_header.out).at(0), "#CHROM\tPOS\tINFO/DP");
  EXPECT_EQ(Lines(with_header.out).size(), 501u);
  auto bad = RunVcfAgent({"view", "-f", "CHROM,NOPE", vcf});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown field 'NOPE'"), std::string::npos) << bad.err;
}

TEST(RecordWriterTest, JsonLinesParseAndMatchBcftools) {
  auto ours = RunVcfAgent({"view", "-O", "j", Input()});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  auto expected = RunProgram("bcftools", {"query", "-f",
      "%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER\t%INFO/AC\t%INFO/INDEL\t%INFO/STR\n", Input()});
  ASSERT_EQ(expected.exit_code, 0);
  const auto json_lines = Lines(ours.out);
  const auto rows = Lines(expected.out);
  ASSERT_EQ(json_lines.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto j = nlohmann::json::parse(json_lines[i]);  // throws (fails) on invalid JSON
    const auto c = Split(rows[i], '\t');
    EXPECT_EQ(j["chrom"], c[0]);
    EXPECT_EQ(j["pos"].get<int64_t>(), std::stoll(c[1]));
    EXPECT_EQ(j["id"].is_null() ? "." : j["id"].get<std::string>(), c[2]);
    EXPECT_EQ(j["ref"], c[3]);
    std::string alt;
    for (const auto& a : j["alt"]) alt += (alt.empty() ? "" : ",") + a.get<std::string>();
    EXPECT_EQ(alt.empty() ? "." : alt, c[4]);
    if (c[5] == ".") EXPECT_TRUE(j["qual"].is_null());
    else EXPECT_NEAR(j["qual"].get<double>(), std::stod(c[5]), 1e-6);
    std::string filter;
    for (const auto& f : j["filter"]) filter += (filter.empty() ? "" : ";") + f.get<std::string>();
    EXPECT_EQ(filter.empty() ? "." : filter, c[6]);
    std::string ac;
    if (j["info"].contains("AC")) {
      for (const auto& v : j["info"]["AC"]) ac += (ac.empty() ? "" : ",") + std::to_string(v.get<int>());
    }
    EXPECT_EQ(ac.empty() ? "." : ac, c[7]) << json_lines[i];
    EXPECT_EQ(j["info"].contains("INDEL") ? "1" : ".", c[8]);
    EXPECT_EQ(j["info"].contains("STR") ? j["info"]["STR"].get<std::string>() : ".", c[9]);
  }
}

TEST(RecordWriterTest, FailedRunLeavesNoOutputFile) {
  TempDir dir;
  const std::string out = dir.File("never.vcf");
  auto r = RunVcfAgent({"view", "-i", "QUAL>", "-o", out, Input()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::ifstream(out).good());
  // A record that cannot be parsed half way through: exit 1, and still no file.
  std::string broken = testing::ReadFile(Input()) + "1\t5\n";
  testing::WriteFile(dir.File("broken.vcf"), broken);
  r = RunVcfAgent({"view", "-o", out, dir.File("broken.vcf")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("broken.vcf:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::ifstream(out).good());
  // Success publishes it.
  r = RunVcfAgent({"view", "-O", "b", "-o", out, Input()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::ifstream(out).good());
}

TEST(RecordWriterTest, OptionErrors) {
  auto r = RunVcfAgent({"view", "-O", "b", "-H", Input()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("BCF file always carries its header"), std::string::npos) << r.err;
  r = RunVcfAgent({"view", "-O", "x", Input()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown output type 'x'"), std::string::npos) << r.err;
  EXPECT_FALSE(ParseRecordFormat("vcf.bz2").ok());
  EXPECT_EQ(ParseRecordFormat("u").value(), RecordFormat::kBcfUncompressed);
}

TEST(RecordWriterTest, StdinStreamsThrough) {
  const std::string text = testing::ReadFile(Input());
  auto r = RunVcfAgent({"view", "-H", "-r", "2:3199812", "-"}, text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, testing::ReadFile(CorpusPath("htslib/test/tabix/vcf_file.2.3199812.out")));
}

}  // namespace
}  // namespace vcfagent::vcf

namespace vcfagent::vcf {
namespace {

// -s keeps or drops samples exactly as `bcftools view -I -s` (no INFO recomputation), on every
// read path: streamed VCF, tabix-indexed VCF, CSI-indexed BCF.
TEST(SampleSelectionTest, MatchesBcftoolsOnEveryReadPath) {
  TempDir dir;
  const std::string vcf = CorpusPath("slivar/tests/ashk-trio.vcf.gz");
  const std::string bcf = dir.File("trio.bcf");
  ASSERT_EQ(RunProgram("bcftools", {"view", "--no-version", "-Ob", "-o", bcf, vcf}).exit_code, 0);
  ASSERT_EQ(RunProgram("bcftools", {"index", "-f", bcf}).exit_code, 0);
  const std::string unindexed = dir.File("trio.vcf.gz");
  testing::WriteFile(unindexed, testing::ReadFile(vcf));
  // Lists in file order: bcftools would also reorder the columns, vcf-agent keeps the file's order.
  for (const std::string samples : {"HG004", "HG002,HG004", "^HG002"}) {
    for (const std::string& input : {vcf, bcf, unindexed}) {
      auto expected = RunProgram("bcftools", {"view", "--no-version", "-I", "-s", samples, "-r",
                                              "1:1000000-20000000,2", vcf});
      ASSERT_EQ(expected.exit_code, 0) << expected.err;
      auto ours = RunVcfAgent({"view", "-s", samples, "-r", "1:1000000-20000000,2", input});
      ASSERT_EQ(ours.exit_code, 0) << ours.err;
      EXPECT_TRUE(ours.out == expected.out) << samples << " " << input;  // long: no dump
    }
  }
  auto bad = RunVcfAgent({"view", "-s", "HG002,NOPE", vcf});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "vcf-agent view: -s: no sample 'NOPE' in the file (3 samples)\n");
}

TEST(SampleSelectionTest, JsonSamplesMatchBcftoolsQuery) {
  const std::string vcf = CorpusPath("slivar/tests/ashk-trio.vcf.gz");
  auto ours = RunVcfAgent({"view", "-O", "j", "-s", "HG003,HG004", "-r", "1:1-3000000", vcf});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  auto expected = RunProgram("bcftools", {"query", "-s", "HG003,HG004", "-r", "1:1-3000000", "-f",
                                          "[%SAMPLE=%GT=%DP\t]\n", vcf});
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  const auto json_lines = Lines(ours.out);
  const auto rows = Lines(expected.out);
  ASSERT_EQ(json_lines.size(), rows.size());
  ASSERT_GT(rows.size(), 10u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto j = nlohmann::json::parse(json_lines[i]);
    std::string row;
    for (const auto& [name, fields] : j["samples"].items()) {
      std::string dp = ".";
      if (fields.contains("DP") && !fields["DP"].is_null()) dp = std::to_string(fields["DP"].get<int>());
      row += name + "=" + fields["GT"].get<std::string>() + "=" + dp + "\t";
    }
    EXPECT_EQ(row, rows[i]) << json_lines[i];
  }
}

}  // namespace
}  // namespace vcfagent::vcf
