#include "util/status.h"

#include <gtest/gtest.h>

namespace vcfagent {
namespace {

TEST(StatusTest, KindsMapToTheDocumentedExitCodes) {
  EXPECT_EQ(Status::Ok().exit_code(), 0);
  EXPECT_EQ(Status::InvalidInput("x").exit_code(), 1);
  EXPECT_EQ(Status::Usage("x").exit_code(), 2);
  EXPECT_EQ(Status::IoError("x").exit_code(), 2);
  EXPECT_EQ(Status::Internal("x").exit_code(), 2);
}

TEST(StatusTest, ContextIsPrefixed) {
  const Status s = Status::IoError("cannot open").WithContext("a.vcf");
  EXPECT_EQ(s.message(), "a.vcf: cannot open");
  EXPECT_EQ(s.kind(), ErrorKind::kIo);
  EXPECT_TRUE(Status::Ok().WithContext("a.vcf").ok());
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidInput("odd");
  return x / 2;
}

TEST(StatusTest, ResultCarriesValueOrStatus) {
  auto a = Half(4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 2);
  auto b = Half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "odd");
}

}  // namespace
}  // namespace vcfagent
