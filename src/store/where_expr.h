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
// `~` is a substring test: '%', '_' and '\' in the value are literal characters.
// qual, af and Float INFO tags hold single-precision values: a number compared with them is first
// rounded to single precision, as bcftools does, so `af = 0.01` finds the 0.01 a file wrote and
// `af < 0.01` does not.
// An INFO tag that no file of the store declares and no stored record carries is an error naming
// it, as `view -i` refuses tags its header lacks. Inputs are bounded (util/text_limits.h): size,
// nesting of '(' and negations, and number of tests, each a Usage error naming the limit.
#pragma once

#include <cstdint>
#include <functional>
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

class Database;
class Statement;

// What a store knows of an INFO tag.
struct InfoTagInfo {
  bool known = false;     // a stored file's header declares it, or a stored record carries it
  bool is_float = false;  // Type=Float wherever it is declared: values are single precision
};
using InfoTagLookup = std::function<Result<InfoTagInfo>(const std::string& tag)>;

// The lookup over a store's database (the headers of its files, then its records for a tag that
// no header declares, which htslib accepts). Reads on first use; `db` must outlive the lookup.
InfoTagLookup StoreInfoTags(Database& db);

// Usage errors name the column: "unknown field 'qaul' at column 1 (fields: ...)".
Result<SqlCondition> CompileWhere(std::string_view text, const InfoTagLookup& info_tags);

// Binds `params` starting at parameter `first`; returns the next free index.
int BindAll(Statement& stmt, const std::vector<SqlValue>& params, int first);

}  // namespace vcfagent::store
