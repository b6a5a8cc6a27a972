// WhereExpression: the filter language of `variants --where` and `similar --where`, compiled to a
// parameterised SQL condition over the store's `variants` table (alias v). Values are always bound
// parameters, never spliced into SQL text, so an expression cannot change the statement.
//
// Grammar (whitespace is free; keywords and field names are case-insensitive):
//   expr    := and ('||' and)*          also 'or'
//   and     := unary ('&&' unary)*      also 'and'
//   unary   := '!' unary | 'not' unary | '(' expr ')' | test
//   test    := field op value | field   (a bare field: present / not null)
//   op      := = == != < <= > >= ~ !~   (~: contains, case-insensitive)
//   value   := number | "string" | 'string' | bare-word
// Fields: chrom, pos, end, id (rsid), ref, alt, qual, filter, class (type), af, cohort_af,
//   gene, consequence, impact, clnsig, carriers, het, hom_alt, missing, mean_dp, mean_gq,
//   INFO/TAG (the value of TAG in the record's INFO; numeric when compared with a number).
// impact compares by severity (impact >= MODERATE is MODERATE or HIGH); class accepts snv, mnv,
// insertion, deletion, complex, symbolic (and snp, indel: insertion or deletion);
// filter = PASS matches records that passed; filter ~ LowQual finds one filter among several.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/status.h"

namespace vcfagent::store {

using SqlValue = std::variant<int64_t, double, std::string>;

struct SqlCondition {
  std::string sql;               // e.g. "(v.qual > ?)"; empty for an empty expression
  std::vector<SqlValue> params;  // bound in order
};

// Usage errors name the column: "unknown field 'qaul' at column 1 (fields: ...)".
Result<SqlCondition> CompileWhere(std::string_view text);

class Statement;
// Binds `params` starting at parameter `first`; returns the next free index.
int BindAll(Statement& stmt, const std::vector<SqlValue>& params, int first);

}  // namespace vcfagent::store
