#include "vcf/region.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "support/test_support.h"
#include "util/text_limits.h"

namespace vcfagent::vcf {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::vector<Region> ParseOk(std::string_view text, const ContigLookup& lookup = nullptr) {
  auto r = ParseRegionList(text, lookup);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? r.value() : std::vector<Region>{};
}

std::string ParseError(std::string_view text, const ContigLookup& lookup = nullptr) {
  auto r = ParseRegionList(text, lookup);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().exit_code(), 2) << text;
  return r.status().message();
}

TEST(RegionParseTest, BcftoolsForms) {
  EXPECT_EQ(ParseOk("chr1"), (std::vector<Region>{{"chr1", 0, kRegionEnd}}));
  EXPECT_EQ(ParseOk("chr1:100"), (std::vector<Region>{{"chr1", 99, 100}}));
  EXPECT_EQ(ParseOk("chr1:100-200"), (std::vector<Region>{{"chr1", 99, 200}}));
  EXPECT_EQ(ParseOk("chr1:100-"), (std::vector<Region>{{"chr1", 99, kRegionEnd}}));
  EXPECT_EQ(ParseOk("chr1:5-5,chr2,X:1-10"),
            (std::vector<Region>{{"chr1", 4, 5}, {"chr2", 0, kRegionEnd}, {"X", 0, 10}}));
}

TEST(RegionParseTest, BracedNamesWithColonsAndCommas) {
  EXPECT_EQ(ParseOk("{1:1}"), (std::vector<Region>{{"1:1", 0, kRegionEnd}}));
  EXPECT_EQ(ParseOk("{1:1-1}:1-2"), (std::vector<Region>{{"1:1-1", 0, 2}}));
  EXPECT_EQ(ParseOk("{a,b}:3,{1:1}:1"), (std::vector<Region>{{"a,b", 2, 3}, {"1:1", 0, 1}}));
}

TEST(RegionParseTest, HeaderResolvesNamesWithColons) {
  const std::set<std::string, std::less<>> contigs = {"1", "1:1", "HLA-A*01:01:01:01", "chrUn:x"};
  const ContigLookup lookup = [&](std::string_view n) { return contigs.count(n) > 0; };
  // bcftools: the name ends at the first ':' when that is a contig.
  EXPECT_EQ(ParseOk("1:1-1", lookup), (std::vector<Region>{{"1", 0, 1}}));
  // htslib: a whole name that is a contig.
  EXPECT_EQ(ParseOk("HLA-A*01:01:01:01", lookup), (std::vector<Region>{{"HLA-A*01:01:01:01", 0, kRegionEnd}}));
  EXPECT_EQ(ParseOk("HLA-A*01:01:01:01:5-9", lookup), (std::vector<Region>{{"HLA-A*01:01:01:01", 4, 9}}));
  EXPECT_EQ(ParseOk("chrUn:x:7", lookup), (std::vector<Region>{{"chrUn:x", 6, 7}}));
}

TEST(RegionParseTest, MalformedRegionsSayWhat) {
  EXPECT_EQ(ParseError("{1:1-1}-2"),
            "cannot parse region '{1:1-1}-2': expected ':' or the end of the region after '}', found '-2'");
  EXPECT_EQ(ParseError("chr1:abc"), "cannot parse region 'chr1:abc': expected a start position after ':', found 'abc'");
  EXPECT_EQ(ParseError("chr1:200-100"), "cannot parse region 'chr1:200-100': the end 100 is before the start 200");
  EXPECT_EQ(ParseError("chr1:0-5"), "cannot parse region 'chr1:0-5': positions are 1-based: the start must be at least 1");
  EXPECT_EQ(ParseError("chr1:5-x"), "cannot parse region 'chr1:5-x': expected an end position after '-', found 'x'");
  EXPECT_NE(ParseError("chr1,,chr2").find("empty region at character 6"), std::string::npos);
  EXPECT_NE(ParseError("{chr1:5").find("without a matching '}'"), std::string::npos);
  EXPECT_NE(ParseError(":5").find("empty contig name"), std::string::npos);
  ParseError("");
}

TEST(RegionParseTest, LongListsAreBoundedAndQuotedShortly) {
  std::string list;
  while (list.size() <= kMaxRegionListBytes) list += "chr1:1000000-2000000,";
  list += "chr2";
  auto too_long = ParseRegionList(list);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().exit_code(), 2);
  EXPECT_EQ(too_long.status().message(),
            "the region list is " + std::to_string(list.size()) + " bytes long; the limit is 262144 bytes");
  // A list at the limit parses; an error in a long list quotes only the start of it.
  list.resize(kMaxRegionListBytes - 20);
  list.resize(list.rfind(','));
  EXPECT_EQ(ParseOk(list).size(), std::count(list.begin(), list.end(), ',') + 1u);
  auto bad = ParseRegionList(list + ",,chr2");
  ASSERT_FALSE(bad.ok());
  EXPECT_LT(bad.status().message().size(), 200u) << bad.status().message().substr(0, 300);
}

TEST(RegionFormatTest, RoundTrips) {
  for (const std::string text : {"chr1", "chr1:100-200", "chr1:100-", "{1:1}:1-2"}) {
    auto parsed = ParseOk(text);
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(FormatRegion(parsed[0]), text);
  }
  EXPECT_EQ(FormatRegion({"chr1", 99, 100}), "chr1:100-100");
}

TEST(RegionsFileTest, OneBasedAndBed) {
  TempDir dir;
  WriteFile(dir.File("r.tsv"), "# comment\nchr1\t100\t200\nchr2\t5\n\nchr1\t150\t300\r\n");
  auto tsv = LoadRegionsFile(dir.File("r.tsv"));
  ASSERT_TRUE(tsv.ok()) << tsv.status().message();
  EXPECT_EQ(tsv.value(), (std::vector<Region>{{"chr1", 99, 200}, {"chr2", 4, 5}, {"chr1", 149, 300}}));
  WriteFile(dir.File("r.bed"), "track name=x\nchr1\t99\t200\tname\t0\nchr3\t0\t1\n");
  auto bed = LoadRegionsFile(dir.File("r.bed"));
  ASSERT_TRUE(bed.ok()) << bed.status().message();
  EXPECT_EQ(bed.value(), (std::vector<Region>{{"chr1", 99, 200}, {"chr3", 0, 1}}));
}

TEST(RegionsFileTest, ErrorsNameFileAndLine) {
  TempDir dir;
  WriteFile(dir.File("bad.tsv"), "chr1\t100\nchr1\tabc\n");
  auto r = LoadRegionsFile(dir.File("bad.tsv"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), dir.File("bad.tsv") + ":2: column 2: expected a position, found 'abc'");
  WriteFile(dir.File("bad.bed"), "chr1\t100\n");
  r = LoadRegionsFile(dir.File("bad.bed"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":1: expected an END column"), std::string::npos);
  r = LoadRegionsFile(dir.File("missing.bed"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kIo);
}

TEST(RegionSetTest, MergesAndAnswersOverlaps) {
  RegionSet set(std::vector<Region>{{"chr1", 100, 200}, {"chr1", 150, 300}, {"chr1", 500, 600}, {"chr2", 0, 10}});
  const auto* chr1 = set.IntervalsOf("chr1");
  ASSERT_NE(chr1, nullptr);
  ASSERT_EQ(chr1->size(), 2u);
  EXPECT_EQ((*chr1)[0].begin, 100);
  EXPECT_EQ((*chr1)[0].end, 300);
  EXPECT_TRUE(set.Overlaps("chr1", 299, 300));
  EXPECT_FALSE(set.Overlaps("chr1", 300, 500));  // half-open on both sides
  EXPECT_TRUE(set.Overlaps("chr1", 50, 101));
  EXPECT_FALSE(set.Overlaps("chr1", 50, 100));
  EXPECT_TRUE(set.Overlaps("chr1", 0, 1000));  // a long record spanning the gap
  EXPECT_FALSE(set.Overlaps("chr3", 0, 1000));
  EXPECT_EQ(RegionSet::FirstEndingAfter(*chr1, 299), 0u);
  EXPECT_EQ(RegionSet::FirstEndingAfter(*chr1, 300), 1u);
  EXPECT_EQ(RegionSet::FirstEndingAfter(*chr1, 600), 2u);
  EXPECT_EQ(set.contigs(), (std::vector<std::string>{"chr1", "chr2"}));
}

}  // namespace
}  // namespace vcfagent::vcf
