// Focused cases for vcf::ComputeStats and its renderings. Every expected number below is the one
// bcftools 1.16 prints for the same input (`bcftools stats -s -`); the comments say why.
#include "vcf/stats.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "nlohmann/json.hpp"
#include "support/test_support.h"
#include "vcf/stats_format.h"
#include "vcf/stats_line_reducer.h"

namespace vcfagent::vcf {
namespace {

using testing::RunVcfAgent;
using testing::TempDir;
using testing::WriteFile;

const char* kHeader =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=100000>\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count\">\n"
    "##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Allele number\">\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n"
    "##ALT=<ID=DEL,Description=\"Deletion\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\n";

// Ten records covering SNPs, a multiallelic SNP, indels, an MNP, a symbolic allele and a no-ALT.
const std::string kRecords =
    "1\t100\t.\tA\tG\t10\tPASS\tDP=5\tGT:DP\t0/1:10\t0/0:20\t./.:.\t1/1:30\n"
    "1\t200\t.\tC\tT\t.\tPASS\tDP=600\tGT:DP\t0/0:4\t0/0:.\t0/0:6\t0/0:8\n"
    "1\t300\t.\tA\tC\t25.55\tPASS\t.\tGT\t0|1\t0|0\t.\t1\n"
    "1\t400\t.\tA\tG,T\t50\tPASS\t.\tGT\t1/2\t0/1\t0/0\t0\n"
    "1\t500\t.\tACG\tA\t40\tPASS\t.\tGT:AD\t0/1:6,4\t0/0:5,0\t1/1:0,7\t./.:.\n"
    "1\t600\t.\tA\tAT\t40\tPASS\t.\tGT:AD\t0/1:3,1\t0/1:2,2\t0/0:4,0\t0/0:3,0\n"
    "1\t700\t.\tA\tA" + std::string(70, 'T') + "\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0\t0/0\n"
    "1\t800\t.\tAC\tGT\t30\tPASS\t.\tGT\t0/1\t0/0\t0/0\t0/0\n"
    "1\t900\t.\tA\t<DEL>\t30\tPASS\t.\tGT\t0/1\t0/0\t0/0\t0/0\n"
    "1\t1000\t.\tA\t.\t30\tPASS\t.\tGT\t0/0\t0/0\t0/0\t0/0\n";

class StatsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& body, const std::string& header = kHeader) {
    const std::string path = dir_.File("in" + std::to_string(++files_) + ".vcf");
    WriteFile(path, header + body);
    return path;
  }
  VcfStats Compute(const std::string& body, StatsOptions::Samples samples = StatsOptions::Samples::kAll) {
    StatsOptions options;
    options.samples = samples;
    auto stats = ComputeStats(Write(body), options);
    EXPECT_TRUE(stats.ok()) << stats.status().message();
    return stats.ok() ? *stats : VcfStats{};
  }
  TempDir dir_;
  int files_ = 0;
};

uint64_t Substitution(const VcfStats& s, char ref, char alt) {
  for (const auto& st : s.substitutions) {
    if (st.ref == ref && st.alt == alt) return st.count;
  }
  ADD_FAILURE() << ref << ">" << alt << " missing";
  return 0;
}

TEST_F(StatsTest, CountsRecordsByVariantType) {
  const VcfStats s = Compute(kRecords);
  EXPECT_EQ(s.summary.samples, 4);
  EXPECT_EQ(s.summary.records, 10u);
  EXPECT_EQ(s.summary.no_alts, 1u);  // ALT "."
  EXPECT_EQ(s.summary.snps, 4u);
  EXPECT_EQ(s.summary.mnps, 1u);     // AC>GT
  EXPECT_EQ(s.summary.indels, 3u);
  EXPECT_EQ(s.summary.others, 1u);   // <DEL>
  EXPECT_EQ(s.summary.multiallelic_sites, 1u);
  EXPECT_EQ(s.summary.multiallelic_snp_sites, 1u);
}

TEST_F(StatsTest, TransitionsAndTransversionsCountEveryAltAllele) {
  const VcfStats s = Compute(kRecords);
  // ts: A>G, C>T, A>G (first ALT of A>G,T); tv: A>C and the second ALT A>T.
  EXPECT_EQ(s.tstv.ts, 3u);
  EXPECT_EQ(s.tstv.tv, 2u);
  EXPECT_DOUBLE_EQ(s.tstv.ts_tv, 1.5);
  EXPECT_EQ(s.tstv.ts_1st_alt, 3u);
  EXPECT_EQ(s.tstv.tv_1st_alt, 1u);
  EXPECT_EQ(Substitution(s, 'A', 'G'), 2u);
  EXPECT_EQ(Substitution(s, 'A', 'T'), 1u);
  EXPECT_EQ(Substitution(s, 'A', 'C'), 1u);
  EXPECT_EQ(Substitution(s, 'C', 'T'), 1u);
  EXPECT_EQ(Substitution(s, 'G', 'A'), 0u);
}

TEST_F(StatsTest, IndelLengthsAreSignedAndClippedAt60) {
  const VcfStats s = Compute(kRecords);
  ASSERT_EQ(s.indel_lengths.size(), 3u);
  EXPECT_EQ(s.indel_lengths[0].length, -2);  // ACG>A
  EXPECT_EQ(s.indel_lengths[1].length, 1);   // A>AT
  EXPECT_EQ(s.indel_lengths[2].length, 60);  // a 70-base insertion
  // Mean VAF of the het genotypes with AD: 4/(6+4) = 0.40 for the deletion, (1/4 + 2/4)/2 for A>AT.
  EXPECT_EQ(s.indel_lengths[0].genotypes, 1u);
  EXPECT_NEAR(*s.indel_lengths[0].mean_vaf, 0.40, 1e-6);
  EXPECT_EQ(s.indel_lengths[1].genotypes, 2u);
  EXPECT_NEAR(*s.indel_lengths[1].mean_vaf, 0.375, 1e-6);
  EXPECT_FALSE(s.indel_lengths[2].mean_vaf.has_value());
}

TEST_F(StatsTest, PerSampleCountsHandleMissingAndHaploidGenotypes) {
  const VcfStats s = Compute(kRecords);
  ASSERT_EQ(s.samples.size(), 4u);
  const StatsSample& s3 = s.samples[2];
  EXPECT_EQ(s3.name, "S3");
  EXPECT_EQ(s3.missing, 2u);  // "./." and "."
  const StatsSample& s4 = s.samples[3];
  EXPECT_EQ(s4.hap_ref, 1u);  // "0"
  EXPECT_EQ(s4.hap_alt, 1u);  // "1"
  EXPECT_EQ(s4.missing, 1u);
  EXPECT_EQ(s4.non_ref_hom, 1u);
  EXPECT_NEAR(s4.average_depth, 13.7, 0.05);  // (30 + 8 + 3) / 3: DP where present, else the AD sum
  const StatsSample& s1 = s.samples[0];
  EXPECT_EQ(s1.hets, 3u);         // 0/1 A>G, 0|1 A>C, 1/2 A>G,T
  EXPECT_EQ(s1.transitions, 2u);
  EXPECT_EQ(s1.transversions, 1u);
  EXPECT_EQ(s1.indels, 3u);
  EXPECT_EQ(s1.singletons, 4u);  // the only diploid carrier at 300, 700, 800 and 900
  EXPECT_EQ(s1.ins_hets, 2u);
  EXPECT_EQ(s1.del_hets, 1u);
  EXPECT_EQ(s.samples[2].del_alt_homs, 1u);
}

TEST_F(StatsTest, AlleleFrequencyComesFromGenotypesOrInfo) {
  // Without samples and without INFO/AC, every allele lands in the singleton/unknown bin.
  const VcfStats sites = Compute(kRecords, StatsOptions::Samples::kNone);
  EXPECT_EQ(sites.singletons.snps, 5u);
  ASSERT_EQ(sites.allele_frequency.size(), 1u);
  EXPECT_DOUBLE_EQ(sites.allele_frequency[0].allele_frequency, 0.0);
  EXPECT_TRUE(sites.samples.empty());

  // INFO/AN and AC take precedence over genotypes: AC=3 of AN=8 is AF 0.375 -> bin 0.37.
  const VcfStats info = Compute("1\t100\t.\tA\tG\t.\t.\tAC=3;AN=8\tGT\t0/1\t0/0\t0/0\t0/0\n");
  EXPECT_EQ(info.singletons.snps, 0u);
  ASSERT_EQ(info.allele_frequency.size(), 1u);
  EXPECT_NEAR(info.allele_frequency[0].allele_frequency, 0.37, 1e-9);
}

TEST_F(StatsTest, QualityBinsRoundDownToATenth) {
  const VcfStats s = Compute(kRecords);
  ASSERT_GE(s.quality.size(), 3u);
  EXPECT_FALSE(s.quality[0].quality.has_value());  // QUAL "."
  EXPECT_EQ(s.quality[0].transitions, 1u);
  EXPECT_EQ(s.quality[0].indels, 1u);
  bool found = false;
  for (const auto& q : s.quality) {
    if (q.quality && std::abs(*q.quality - 25.5) < 1e-4) {  // 25.55 -> bin 25.5
      found = true;
      EXPECT_EQ(q.transversions, 1u);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(StatsTest, DepthHistogramHasOverflowBin) {
  const VcfStats s = Compute(kRecords);
  ASSERT_FALSE(s.depth.empty());
  const StatsDepthBin& last = s.depth.back();
  EXPECT_EQ(last.kind, StatsDepthBin::Kind::kAbove);  // INFO/DP=600
  EXPECT_EQ(last.sites, 1u);
  EXPECT_DOUBLE_EQ(last.sites_percent, 50.0);
}

TEST_F(StatsTest, TextRenderingUsesBcftoolsFormats) {
  const std::string text = FormatStatsText(Compute(kRecords));
  EXPECT_NE(text.find("TSTV\t0\t3\t2\t1.50\t3\t1\t3.00\n"), std::string::npos) << text;
  EXPECT_NE(text.find("QUAL\t0\t25.5\t1\t0\t1\t0\n"), std::string::npos);
  EXPECT_NE(text.find("IDD\t0\t1\t1\t2\t0.38\n"), std::string::npos);
  EXPECT_NE(text.find("IDD\t0\t60\t1\t0\t.\n"), std::string::npos);
  EXPECT_NE(text.find("PSC\t0\tS4\t6\t1\t0\t1\t0\t0\t13.7\t0\t1\t1\t1\n"), std::string::npos);
  EXPECT_NE(text.find("DP\t0\t>500\t0\t0.000000\t1\t50.000000\n"), std::string::npos);
  // The first line is what MultiQC and plot-vcfstats recognise a bcftools stats report by.
  EXPECT_EQ(text.rfind("# This file was produced by bcftools stats-compatible vcf-agent stats (", 0), 0u)
      << text.substr(0, text.find('\n'));
}

TEST_F(StatsTest, JsonCarriesTheSameNumbers) {
  const auto json = StatsToJson(Compute(kRecords));
  EXPECT_EQ(json["summary"]["records"], 10);
  EXPECT_EQ(json["summary"]["snps"], 4);
  EXPECT_EQ(json["tstv"]["ts_tv"], 1.5);
  EXPECT_EQ(json["indel_distribution"][1]["mean_vaf"], 0.38);
  EXPECT_TRUE(json["qual"][0]["quality"].is_null());
  EXPECT_EQ(json["substitutions"].size(), 12u);
  EXPECT_EQ(json["per_sample"][3]["average_depth"], 13.7);
  EXPECT_EQ(json["depth"].back()["bin"], ">500");
}

TEST_F(StatsTest, SampleListKeepsOrderAndSkipsUnknownNames) {
  StatsOptions options;
  options.samples = StatsOptions::Samples::kList;
  options.sample_names = {"S3", "NOPE", "S1"};
  auto stats = ComputeStats(Write(kRecords), options);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  ASSERT_EQ(stats->samples.size(), 2u);
  EXPECT_EQ(stats->samples[0].name, "S3");
  EXPECT_EQ(stats->samples[1].name, "S1");
  ASSERT_EQ(stats->warnings.size(), 1u);
  EXPECT_NE(stats->warnings[0].find("NOPE"), std::string::npos);

  options.sample_names = {"NOPE"};
  auto none = ComputeStats(Write(kRecords), options);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().exit_code(), 2);
}

TEST_F(StatsTest, AllSamplesOnASitesOnlyFileIsAUsageError) {
  const std::string path = Write("1\t100\t.\tA\tG\t.\t.\t.\n",
                                 "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  StatsOptions options;
  options.samples = StatsOptions::Samples::kAll;
  auto stats = ComputeStats(path, options);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().exit_code(), 2);
  EXPECT_NE(stats.status().message().find("no sample columns"), std::string::npos);
}

TEST_F(StatsTest, AlleleNumberBelowAlleleCountsIsInvalidInputWithLine) {
  const std::string path = Write(
      "1\t100\t.\tA\tG\t.\t.\tAC=1;AN=2\tGT\t0/1\t0/0\t0/0\t0/0\n"
      "1\t200\t.\tA\tG\t.\t.\tAC=5;AN=2\tGT\t0/1\t0/0\t0/0\t0/0\n");
  auto stats = ComputeStats(path, {});
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().exit_code(), 1);
  EXPECT_NE(stats.status().message().find(path + ":12"), std::string::npos) << stats.status().message();
  EXPECT_NE(stats.status().message().find("INFO/AN"), std::string::npos);
}

TEST_F(StatsTest, GenotypeNamingAMissingAlleleIsInvalidInput) {
  const std::string path = Write("1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/2\t0/0\t0/0\t0/0\n");
  StatsOptions options;
  options.samples = StatsOptions::Samples::kAll;
  auto stats = ComputeStats(path, options);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().exit_code(), 1);
  EXPECT_NE(stats.status().message().find("S1"), std::string::npos) << stats.status().message();
}

TEST_F(StatsTest, CommandWritesJsonToAFileAndFailsCleanly) {
  const std::string in = Write(kRecords);
  const std::string out = dir_.File("stats.json");
  auto ok = RunVcfAgent({"stats", "-s", "-", "--format", "json", "-o", out, in});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto json = nlohmann::json::parse(testing::ReadFile(out));
  EXPECT_EQ(json["summary"]["records"], 10);
  EXPECT_EQ(json["per_sample"].size(), 4u);

  const std::string failed_out = dir_.File("never.txt");
  auto missing = RunVcfAgent({"stats", "-o", failed_out, dir_.File("absent.vcf")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err.rfind("vcf-agent stats: ", 0), 0u) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(failed_out));

  auto usage = RunVcfAgent({"stats", "--format", "yaml", in});
  EXPECT_EQ(usage.exit_code, 2);
}

// Both reading paths (the read-ahead thread and VariantReader) count blank lines and CRLF line
// ends the same way when they name a bad record.
TEST_F(StatsTest, ErrorsNameTheSameLineOnEitherReadingPath) {
  const std::string path = Write(
      "1\t100\t.\tA\tG\t.\t.\tAC=1;AN=8\tGT\t0/1\t0/0\t0/0\t0/0\r\n"
      "\n"
      "1\t200\t.\tA\tG\t.\t.\tAC=9;AN=8\tGT\t0/1\t0/0\t0/0\t0/0\n");
  for (const char* threads : {"0", "1"}) {
    auto result = RunVcfAgent({"stats", "--threads", threads, path});
    EXPECT_EQ(result.exit_code, 1) << threads;
    EXPECT_NE(result.err.find(path + ":13: 1:200: INFO/AN (8) is smaller than the sum of INFO/AC (9)"),
              std::string::npos)
        << threads << ": " << result.err;
    EXPECT_TRUE(result.out.empty());
  }
}

// A named pipe (as from <(zcat ...)) can be read only once: nothing may consume its start twice.
TEST_F(StatsTest, ReadsANamedPipe) {
  const std::string fifo = dir_.File("pipe.vcf");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string content = std::string(kHeader) + kRecords;
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << content;
  });
  auto result = RunVcfAgent({"stats", "-s", "-", "--format", "json", fifo});
  writer.join();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["summary"]["records"], 10);
  EXPECT_EQ(json["per_sample"][0]["hets"], 3);
}

std::string Reduce(const std::string& line, bool keep_samples) {
  std::string out;
  ReduceVcfLineForStats(line, keep_samples, &out);
  return out;
}

TEST(StatsLineReducerTest, KeepsOnlyWhatStatisticsRead) {
  const std::string line =
      "1\t100\trs1\tA\tG,T\t50\tq10;LowQual\tAF=0.5;AC=1,2;MQ=60;AN=6;DB;DP=9\t"
      "GT:AD:DP:GQ:PL\t0/1:3,2,0:5:30:1,2,3,4,5,6\t./.\t1/2:0,1,1";
  EXPECT_EQ(Reduce(line, false), "1\t100\t.\tA\tG,T\t50\t.\tAC=1,2;AN=6;DP=9");
  EXPECT_EQ(Reduce(line, true),
            "1\t100\t.\tA\tG,T\t50\t.\tAC=1,2;AN=6;DP=9\tGT:AD:DP\t0/1:3,2,0:5\t./.\t1/2:0,1,1");
  // Subfields are matched by position, whatever each sample's length.
  EXPECT_EQ(Reduce("1\t5\t.\tA\tC\t.\t.\t.\tGQ:GT:XX:DP\t3:0/1:a:7\t.\t:1|1", true),
            "1\t5\t.\tA\tC\t.\t.\t.\tGT:DP\t0/1:7\t.\t1|1");
  // Nothing to drop: the samples are passed through unchanged.
  EXPECT_EQ(Reduce("1\t5\t.\tA\tC\t.\t.\t.\tGT:AD\t0/1:3,4", true), "1\t5\t.\tA\tC\t.\t.\t.\tGT:AD\t0/1:3,4");
  // Too few columns: htslib gets the line as it is and reports it.
  EXPECT_EQ(Reduce("1\t5\t.\tA", true), "1\t5\t.\tA");
}

}  // namespace
}  // namespace vcfagent::vcf
