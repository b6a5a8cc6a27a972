// FilterExpression: a small boolean language over VCF records for `view -i/-e`.
//
// Grammar (recursive descent; whitespace is free):
//   expr     := and_expr (('||' | '|') and_expr)*
//   and_expr := unary (('&&' | '&') unary)*
//   unary    := '!' unary | '(' expr ')' | test
//   test     := operand [op operand]          op: = == != < <= > >= ~ !~
//   operand  := field | number | "string" | 'string'
//   field    := QUAL | FILTER | TYPE | CHROM | POS | ID | REF | ALT | INFO/TAG | TAG
// A bare field is true when present and not missing (a flag when set; bcftools' FLAG=1 and FLAG=0
// work too). ID="." selects records without an ID, as in bcftools. Comparisons are true when
// any value of a multi-valued field satisfies them; a missing value never satisfies a comparison
// (so `!=` is false on missing too). FILTER="A;B" is true when the record's filters are exactly
// {A,B} ("PASS" is PASS, "." none); FILTER~"A" when A is among them. TYPE uses bcftools' names
// (ref, snp, mnp, indel, other, bnd) with the same = (exact) and ~ (contains) meaning. For other
// strings ~ is a regular-expression search (POSIX extended).
//
// QUAL and Float INFO values are single precision: as in bcftools, the constant they are compared
// with is rounded to single precision first (INFO/AF=0.01 finds AF=0.01; INFO/AF<0.01 does not).
//
// Parse() checks names against the header, so an unknown INFO tag is an error, not a silent false.
// Errors are Usage errors with a 1-based column: "expected a value after '>' at column 8". The text,
// the nesting of '(' and '!', the number of tests and regular expressions are bounded
// (util/text_limits.h), so no input exhausts the recursive parser's stack.
// Evaluate() reuses internal buffers: one FilterExpression per thread.
#pragma once

#include <htslib/vcf.h>

#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vcfagent::vcf {

class FilterExpression {
 public:
  struct Node;  // the parsed tree, private to filter_expr.cpp

  static Result<std::unique_ptr<FilterExpression>> Parse(std::string_view text,
                                                        const bcf_hdr_t* header);
  ~FilterExpression();
  FilterExpression(const FilterExpression&) = delete;
  FilterExpression& operator=(const FilterExpression&) = delete;

  // Whether `rec` satisfies the expression; unpacks what it needs.
  bool Evaluate(bcf1_t* rec);
  const std::string& text() const { return text_; }

 private:
  FilterExpression() = default;
  std::string text_;
  const bcf_hdr_t* header_ = nullptr;
  std::unique_ptr<Node> root_;
};

// Variant classes for --type, as bcftools -v: "snps,indels,mnps,other,ref,bnd".
// Returns the VCF_* bit mask (VCF_REF is represented by kTypeRefBit).
inline constexpr int kTypeRefBit = 1 << 30;
Result<int> ParseVariantTypes(std::string_view list);
// The record's classes as a mask in the same encoding.
int RecordTypeMask(bcf1_t* rec);

}  // namespace vcfagent::vcf
