// Pedigree on slivar's real PED files (tab- and space-separated, words for sex and phenotype,
// empty parent columns, -9 parents) and on the mistakes users make.
#include "store/annotation/pedigree.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace vcfagent::store {
namespace {

using testing::CorpusPath;
using testing::RunProgram;

size_t DataLines(const std::string& path) {
  auto result = RunProgram("sh", {"-c", "grep -v '^#' '" + path + "' | grep -c ."});
  return std::stoul(result.out);
}

TEST(Pedigree, LoadsAshkenaziTrio) {
  const std::string path = CorpusPath("slivar/tests/ashk-trio.ped");
  auto ped = Pedigree::Load(path);
  ASSERT_TRUE(ped.ok()) << ped.status().message();
  ASSERT_EQ(ped->members().size(), DataLines(path));
  const PedigreeMember* child = ped->Find("HG002");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->family, "ash");
  EXPECT_EQ(child->father, "HG003");
  EXPECT_EQ(child->mother, "HG004");
  EXPECT_EQ(child->sex, Sex::kMale);
  EXPECT_EQ(child->phenotype, Phenotype::kAffected);
  const PedigreeMember* mother = ped->Find("HG004");
  ASSERT_NE(mother, nullptr);
  EXPECT_TRUE(mother->father.empty());
  EXPECT_EQ(mother->sex, Sex::kFemale);
  EXPECT_EQ(mother->phenotype, Phenotype::kUnknown);
  EXPECT_EQ(ped->Find("nobody"), nullptr);
}

TEST(Pedigree, LoadsEveryCorpusPedigree) {
  for (const char* name : {"ashk-trio.ped", "bug.ped", "ceph.ped", "comphet-test-case.ped",
                           "comphet.csq.ped", "testa.ped"}) {
    const std::string path = CorpusPath(std::string("slivar/tests/") + name);
    auto ped = Pedigree::Load(path);
    ASSERT_TRUE(ped.ok()) << name << ": " << ped.status().message();
    EXPECT_EQ(ped->members().size(), DataLines(path)) << name;
  }
}

// bug.ped writes sex and phenotype as words and has extra metadata columns.
TEST(Pedigree, WordsForSexAndPhenotype) {
  auto ped = Pedigree::Load(CorpusPath("slivar/tests/bug.ped"));
  ASSERT_TRUE(ped.ok()) << ped.status().message();
  const PedigreeMember* proband = ped->Find("14211109415");
  ASSERT_NE(proband, nullptr);
  EXPECT_EQ(proband->sex, Sex::kFemale);
  EXPECT_EQ(proband->phenotype, Phenotype::kAffected);
  EXPECT_EQ(proband->father, "14212109543");
  const PedigreeMember* mother = ped->Find("14211109355");
  ASSERT_NE(mother, nullptr);
  EXPECT_EQ(mother->phenotype, Phenotype::kUnaffected);
}

// comphet-test-case.ped leaves parent columns empty between tabs; testa.ped uses -9.
TEST(Pedigree, EmptyAndMinusNineParentsAreUnknown) {
  auto ped = Pedigree::Load(CorpusPath("slivar/tests/comphet-test-case.ped"));
  ASSERT_TRUE(ped.ok()) << ped.status().message();
  const PedigreeMember* first = ped->Find("SID_1");
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->father.empty());
  EXPECT_TRUE(first->mother.empty());
  EXPECT_EQ(first->sex, Sex::kFemale);
  const PedigreeMember* child = ped->Find("SID_3");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->father, "SID_2");
  EXPECT_EQ(child->mother, "SID_1");
  EXPECT_EQ(child->phenotype, Phenotype::kAffected);

  auto testa = Pedigree::Load(CorpusPath("slivar/tests/testa.ped"));
  ASSERT_TRUE(testa.ok());
  const PedigreeMember* m = testa->Find("100231");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->father.empty());
  EXPECT_TRUE(m->mother.empty());
}

TEST(Pedigree, SpaceSeparatedWithCommentsAndUnknownSex) {
  auto ped = Pedigree::Parse(
      "# family individual father mother sex phenotype\n"
      "\n"
      "F1  kid   dad mom 1 2\r\n"
      "F1  dad   0   0   1 1\n"
      "F1  mom   0   0   other -9\n",
      "fam.ped");
  ASSERT_TRUE(ped.ok()) << ped.status().message();
  ASSERT_EQ(ped->members().size(), 3u);
  EXPECT_EQ(ped->members()[0].individual, "kid");
  EXPECT_EQ(ped->members()[0].phenotype, Phenotype::kAffected);
  EXPECT_EQ(ped->Find("mom")->sex, Sex::kUnknown);
  EXPECT_EQ(ped->Find("mom")->phenotype, Phenotype::kUnknown);
  EXPECT_EQ(ped->Find("mom")->line, 5);
  EXPECT_EQ(ToString(Sex::kFemale), "female");
  EXPECT_EQ(ToString(Phenotype::kAffected), "affected");
}

TEST(Pedigree, ErrorsNameFileLineAndColumn) {
  auto expect_error = [](const std::string& text, const std::string& part) {
    auto ped = Pedigree::Parse(text, "p.ped");
    ASSERT_FALSE(ped.ok()) << text;
    EXPECT_EQ(ped.status().kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(ped.status().message().find(part), std::string::npos) << ped.status().message();
  };
  expect_error("F a 0 0 1 1\nF b 0 0 1\n", "p.ped:2: expected 6 columns");
  expect_error("F a 0 0 1 3\n",
               "p.ped:1: column 6 (phenotype): expected 1 (unaffected), 2 (affected)");
  expect_error("F a 0 0 1 1\n# note\nG a 0 0 2 2\n",
               "p.ped:3: column 2 (individual): 'a' is already defined at line 1");
  expect_error("F a a 0 1 1\n", "p.ped:1: column 3 (father)");
  expect_error("# only a header\n", "p.ped: no individuals");
  auto missing = Pedigree::Load("/nonexistent/x.ped");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kIo);
}

}  // namespace
}  // namespace vcfagent::store
