#include "store/where_expr.h"

#include <fmt/format.h>
#include <htslib/vcf.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "store/sqlite.h"
#include "store/variant_types.h"
#include "util/text_limits.h"

namespace vcfagent::store {
namespace {

// kFloat: a number the store keeps from a single-precision VCF value (QUAL, INFO/AF).
enum class FieldKind { kNumber, kFloat, kText, kImpact, kClass, kFilter, kInfo };

struct FieldDef {
  const char* sql;
  FieldKind kind;
};

const std::map<std::string, FieldDef>& Fields() {
  static const std::map<std::string, FieldDef> kFields = {
      {"chrom", {"(SELECT name FROM contigs c WHERE c.chrom_id = v.chrom_id)", FieldKind::kText}},
      {"pos", {"v.pos", FieldKind::kNumber}},
      {"end", {"v.end_pos", FieldKind::kNumber}},
      {"id", {"v.rsid", FieldKind::kText}},
      {"rsid", {"v.rsid", FieldKind::kText}},
      {"ref", {"v.ref", FieldKind::kText}},
      {"alt", {"v.alt", FieldKind::kText}},
      {"qual", {"v.qual", FieldKind::kFloat}},
      {"filter", {"v.filter", FieldKind::kFilter}},
      {"class", {"v.class", FieldKind::kClass}},
      {"type", {"v.class", FieldKind::kClass}},
      {"af", {"v.af", FieldKind::kFloat}},
      {"cohort_af",
       {"(CASE WHEN v.n_called > 0 THEN (v.n_het + 2.0 * v.n_hom_alt) / (2.0 * v.n_called) END)",
        FieldKind::kNumber}},
      {"gene", {"(SELECT name FROM genes g WHERE g.gene_id = v.gene_id)", FieldKind::kText}},
      {"consequence", {"v.consequence", FieldKind::kText}},
      {"impact", {"v.impact", FieldKind::kImpact}},
      {"clnsig", {"v.clnsig", FieldKind::kText}},
      {"carriers", {"(v.n_het + v.n_hom_alt)", FieldKind::kNumber}},
      {"het", {"v.n_het", FieldKind::kNumber}},
      {"hom_alt", {"v.n_hom_alt", FieldKind::kNumber}},
      {"missing", {"v.n_missing", FieldKind::kNumber}},
      {"mean_dp", {"(CASE WHEN v.dp_n > 0 THEN 1.0 * v.dp_sum / v.dp_n END)", FieldKind::kNumber}},
      {"mean_gq", {"(CASE WHEN v.gq_n > 0 THEN 1.0 * v.gq_sum / v.gq_n END)", FieldKind::kNumber}},
  };
  return kFields;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The doubles that round to the same single-precision value as `c`, as [lo, hi]: comparing them
// with the interval is comparing their single-precision values with c's, as bcftools does.
std::pair<double, double> SinglePrecisionInterval(double c) {
  const float f = static_cast<float>(c);
  if (std::isinf(f)) return {f, f};
  const double below = std::nextafter(f, -INFINITY);
  const double above = std::nextafter(f, INFINITY);
  double lo = (static_cast<double>(f) + below) / 2;  // exact: a float's neighbours' midpoints
  double hi = (static_cast<double>(f) + above) / 2;
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if (bits & 1) {  // ties round to even: an odd f does not own the midpoints
    lo = std::nextafter(lo, INFINITY);
    hi = std::nextafter(hi, -INFINITY);
  }
  return {lo, hi};
}

// Escapes LIKE's wildcards so that `text` matches itself only (with ESCAPE '\').
std::string LikeLiteral(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

struct Token {
  enum Kind { kWord, kNumber, kString, kOp, kEnd } kind = kEnd;
  std::string text;
  double number = 0;
  size_t column = 0;  // 1-based
};

class Compiler {
 public:
  Compiler(std::string_view text, const InfoTagLookup& info_tags) : text_(text), info_tags_(info_tags) {}

  Result<SqlCondition> Run() {
    VCFAGENT_RETURN_IF_ERROR(CheckTextSize("--where: the expression", text_.size(), kMaxExpressionBytes));
    VCFAGENT_RETURN_IF_ERROR(Tokenize());
    if (tokens_.size() == 1) return SqlCondition{};
    auto sql = Expr(false);
    if (!sql.ok()) return sql.status();
    if (Peek().kind != Token::kEnd) return Error("unexpected '" + Excerpt(Peek().text) + "'");
    return SqlCondition{*sql, std::move(params_)};
  }

 private:
  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token token;
      token.column = i + 1;
      if (c == '"' || c == '\'') {
        const size_t close = text_.find(c, i + 1);
        if (close == std::string_view::npos) {
          return Status::Usage(fmt::format("--where: unterminated string at column {}", i + 1));
        }
        token.kind = Token::kString;
        token.text = std::string(text_.substr(i + 1, close - i - 1));
        i = close + 1;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '.') && i + 1 < text_.size() &&
                  std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t end = i + 1;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                      text_[end] == '.' ||
                                      ((text_[end] == '-' || text_[end] == '+') &&
                                       (text_[end - 1] == 'e' || text_[end - 1] == 'E')))) {
          ++end;
        }
        token.text = std::string(text_.substr(i, end - i));
        const char* first = token.text.data();
        const char* last = first + token.text.size();
        auto [ptr, ec] = std::from_chars(first, last, token.number);
        if (ec != std::errc() || ptr != last) {
          return Status::Usage(fmt::format("--where: '{}' at column {} is not a number", Excerpt(token.text), i + 1));
        }
        token.kind = Token::kNumber;
        i = end;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t end = i + 1;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                      text_[end] == '_' || text_[end] == '/' || text_[end] == '.' ||
                                      text_[end] == '-')) {
          ++end;
        }
        token.kind = Token::kWord;
        token.text = std::string(text_.substr(i, end - i));
        i = end;
      } else {
        static const char* kOps[] = {"&&", "||", "==", "!=", "<=", ">=", "!~", "=", "<", ">",
                                     "~",  "!",  "(",  ")",  "&",  "|"};
        bool matched = false;
        for (const char* op : kOps) {
          const std::string_view candidate(op);
          if (text_.substr(i, candidate.size()) == candidate) {
            token.kind = Token::kOp;
            token.text = std::string(candidate);
            i += candidate.size();
            matched = true;
            break;
          }
        }
        if (!matched) return Status::Usage(fmt::format("--where: unexpected '{}' at column {}", c, i + 1));
      }
      tokens_.push_back(std::move(token));
    }
    Token end;
    end.column = text_.size() + 1;
    tokens_.push_back(end);
    return Status::Ok();
  }

  const Token& Peek() const { return tokens_[pos_]; }
  Token Take() { return tokens_[pos_++]; }
  bool IsOp(std::string_view op) const { return Peek().kind == Token::kOp && Peek().text == op; }
  bool IsWord(std::string_view word) const {
    return Peek().kind == Token::kWord && Lower(Peek().text) == word;
  }
  Status Error(const std::string& what) const {
    return Status::Usage(fmt::format("--where: {} at column {}", what, Peek().column));
  }

  // Negations are pushed down to the tests (De Morgan) and a chain of && or || becomes one flat SQL
  // group, so the SQL nests no deeper than the expression's parentheses: SQLite's parser overflows
  // near 100 levels, and its expression trees must stay under 1000 deep. A negated test is
  // NOT coalesce(test, 0): a missing value makes a test false and its negation true, as before.
  Result<std::string> Expr(bool negate) { return Chain(negate, /*is_or=*/true); }

  Result<std::string> Chain(bool negate, bool is_or) {
    std::vector<std::string> parts;
    for (;;) {
      auto part = is_or ? Chain(negate, false) : Unary(negate);
      if (!part.ok()) return part;
      parts.push_back(std::move(*part));
      const bool more = is_or ? (IsOp("||") || IsOp("|") || IsWord("or"))
                              : (IsOp("&&") || IsOp("&") || IsWord("and"));
      if (!more) break;
      Take();
    }
    if (parts.size() == 1) return std::move(parts[0]);
    // Under a negation, OR becomes AND and AND becomes OR.
    const char* joiner = (is_or != negate) ? " OR " : " AND ";
    std::string sql = "(";
    for (size_t i = 0; i < parts.size(); ++i) sql += (i ? joiner : "") + parts[i];
    return sql + ")";
  }

  Result<std::string> Unary(bool negate) {
    const bool is_not = IsOp("!") || IsWord("not");
    if (!is_not && !IsOp("(")) return Test(negate);
    if (++depth_ > kMaxExpressionDepth) {
      return Error(fmt::format("parentheses and negations nest more than {} deep", kMaxExpressionDepth));
    }
    Take();
    Result<std::string> inner = is_not ? Unary(!negate) : Expr(negate);
    if (inner.ok() && !is_not) {
      if (!IsOp(")")) return Error("expected ')'");
      Take();
    }
    --depth_;
    return inner;
  }

  Result<std::string> Test(bool negate) {
    if (++terms_ > kMaxExpressionTerms) {
      return Error(fmt::format("more than {} tests in one expression", kMaxExpressionTerms));
    }
    auto sql = PositiveTest();
    if (!sql.ok() || !negate) return sql;
    return "(NOT coalesce(" + *sql + ", 0))";
  }

  Result<std::string> PositiveTest() {
    if (Peek().kind != Token::kWord) return Error("expected a field name");
    const Token field_token = Take();
    const std::string name = Lower(field_token.text);
    FieldDef field{};
    std::string info_key;
    if (name.rfind("info/", 0) == 0 && name.size() > 5) {
      info_key = field_token.text.substr(5);
      field = {"", FieldKind::kInfo};
      auto tag = info_tags_(info_key);
      if (!tag.ok()) return tag.status();
      if (!tag->known) {
        return Status::Usage(fmt::format(
            "--where: unknown field '{}' at column {}: no file in the store declares INFO/{} and no "
            "stored variant has it", Excerpt(field_token.text), field_token.column, Excerpt(info_key)));
      }
      info_is_float_ = tag->is_float;
    } else {
      auto it = Fields().find(name);
      if (it == Fields().end()) {
        std::string names;
        for (const auto& [key, unused] : Fields()) names += (names.empty() ? "" : ", ") + key;
        return Status::Usage(fmt::format("--where: unknown field '{}' at column {} (fields: {}, INFO/TAG)",
                                         Excerpt(field_token.text), field_token.column, names));
      }
      field = it->second;
    }
    static const char* kComparisons[] = {"=", "==", "!=", "<", "<=", ">", ">=", "~", "!~"};
    const bool has_op = Peek().kind == Token::kOp &&
                        std::find(std::begin(kComparisons), std::end(kComparisons), Peek().text) !=
                            std::end(kComparisons);
    if (!has_op) {
      if (field.kind == FieldKind::kInfo) {
        params_.push_back(info_key);
        return std::string("(info_value(v.info, ?) IS NOT NULL)");
      }
      if (field.kind == FieldKind::kImpact) return std::string("(v.impact > 0)");
      return "(" + std::string(field.sql) + " IS NOT NULL)";
    }
    std::string op = Take().text;
    if (op == "==") op = "=";
    if (Peek().kind == Token::kEnd || Peek().kind == Token::kOp) {
      return Error("expected a value after '" + op + "'");
    }
    const Token value = Take();
    return Comparison(field, info_key, op, value);
  }

  Result<std::string> Comparison(const FieldDef& field, const std::string& info_key,
                                 const std::string& op, const Token& value) {
    const bool contains = op == "~" || op == "!~";
    if (contains) {
      if (field.kind == FieldKind::kImpact || field.kind == FieldKind::kClass) {
        return Status::Usage(fmt::format("--where: '~' does not apply to {} at column {}",
                                         field.kind == FieldKind::kImpact ? "impact" : "class",
                                         value.column));
      }
      std::string column = field.kind == FieldKind::kInfo ? "info_value(v.info, ?)" : field.sql;
      if (field.kind == FieldKind::kInfo) params_.push_back(info_key);
      params_.push_back("%" + LikeLiteral(value.text) + "%");
      return "(" + column + (op == "~" ? " LIKE ? ESCAPE '\\')" : " NOT LIKE ? ESCAPE '\\')");
    }
    switch (field.kind) {
      case FieldKind::kImpact: {
        auto impact = ParseImpact(value.text);
        if (!impact || *impact == Impact::kNone) {
          return Status::Usage(fmt::format(
              "--where: '{}' at column {} is not an impact (HIGH, MODERATE, LOW, MODIFIER)",
              value.text, value.column));
        }
        params_.push_back(static_cast<int64_t>(*impact));
        return "(v.impact " + op + " ?)";
      }
      case FieldKind::kClass: {
        if (op != "=" && op != "!=") {
          return Status::Usage(fmt::format("--where: class takes = or != (column {})", value.column));
        }
        const std::string lower = Lower(value.text);
        if (lower == "indel") {
          params_.push_back(static_cast<int64_t>(VariantClass::kInsertion));
          params_.push_back(static_cast<int64_t>(VariantClass::kDeletion));
          return std::string(op == "=" ? "(v.class IN (?, ?))" : "(v.class NOT IN (?, ?))");
        }
        auto cls = ParseVariantClass(value.text);
        if (!cls) {
          return Status::Usage(fmt::format(
              "--where: '{}' at column {} is not a class (snv, mnv, insertion, deletion, indel, "
              "complex, symbolic)", value.text, value.column));
        }
        params_.push_back(static_cast<int64_t>(*cls));
        return "(v.class " + op + " ?)";
      }
      case FieldKind::kFilter: {
        if (op != "=" && op != "!=") {
          return Status::Usage(fmt::format("--where: filter takes =, != or ~ (column {})", value.column));
        }
        if (value.text == "." ) return std::string(op == "=" ? "(v.filter IS NULL)" : "(v.filter IS NOT NULL)");
        params_.push_back(value.text);
        return "(coalesce(v.filter, '') " + op + " ?)";
      }
      case FieldKind::kInfo: {
        params_.push_back(info_key);
        if (value.kind == Token::kNumber) {
          const std::string column = "CAST(info_value(v.info, ?) AS REAL)";
          if (info_is_float_) return FloatComparison(column, op, value.number);
          params_.push_back(value.number);
          return "(" + column + " " + op + " ?)";
        }
        params_.push_back(value.text);
        return "(info_value(v.info, ?) " + op + " ?)";
      }
      case FieldKind::kNumber:
      case FieldKind::kFloat: {
        if (value.kind != Token::kNumber) {
          return Status::Usage(fmt::format("--where: '{}' at column {} is not a number", value.text,
                                           value.column));
        }
        if (field.kind == FieldKind::kFloat) return FloatComparison(field.sql, op, value.number);
        params_.push_back(value.number);
        return "(" + std::string(field.sql) + " " + op + " ?)";
      }
      case FieldKind::kText: {
        params_.push_back(value.text);
        return "(" + std::string(field.sql) + " " + op + " ? COLLATE NOCASE)";
      }
    }
    return Status::Internal("unhandled field kind");
  }

  // `column op c` on single-precision values: the column's value compared with the interval of
  // doubles that round to the same float as c (column values are floats, or decimals a file wrote
  // for a Float tag, which htslib reads as the float they round to).
  std::string FloatComparison(const std::string& column, const std::string& op, double c) {
    const auto [lo, hi] = SinglePrecisionInterval(c);
    if (op == "=" || op == "!=") {
      params_.push_back(lo);
      params_.push_back(hi);
      return "(" + column + (op == "=" ? " BETWEEN ? AND ?)" : " NOT BETWEEN ? AND ?)");
    }
    const bool use_lo = op == "<" || op == ">=";  // below the interval, or from its start
    params_.push_back(use_lo ? lo : hi);
    return "(" + column + " " + op + " ?)";
  }

  std::string_view text_;
  const InfoTagLookup& info_tags_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int terms_ = 0;
  bool info_is_float_ = false;  // of the INFO tag of the test being compiled
  std::vector<SqlValue> params_;
};

}  // namespace

Result<SqlCondition> CompileWhere(std::string_view text, const InfoTagLookup& info_tags) {
  return Compiler(text, info_tags).Run();
}

namespace {

// The INFO lines of the headers of a store's files: tag -> whether every declaration says Float.
Result<std::map<std::string, bool, std::less<>>> DeclaredInfoTags(Database& db) {
  std::map<std::string, bool, std::less<>> tags;
  auto stmt = db.Prepare("SELECT header FROM files");
  if (!stmt.ok()) return stmt.status();
  std::unique_ptr<bcf_hdr_t, decltype(&bcf_hdr_destroy)> parser(bcf_hdr_init("r"), bcf_hdr_destroy);
  if (!parser) return Status::Internal("cannot allocate a VCF header");
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string header(stmt->Text(0));
    for (size_t at = header.find("##INFO=<"); at != std::string::npos; at = header.find("\n##INFO=<", at)) {
      if (header[at] == '\n') ++at;
      int length = 0;
      bcf_hrec_t* hrec = bcf_hdr_parse_line(parser.get(), header.c_str() + at, &length);
      ++at;
      if (!hrec) continue;
      const int id = bcf_hrec_find_key(hrec, "ID");
      const int type = bcf_hrec_find_key(hrec, "Type");
      if (id >= 0) {
        const bool is_float = type >= 0 && std::strcmp(hrec->vals[type], "Float") == 0;
        auto [it, inserted] = tags.emplace(hrec->vals[id], is_float);
        if (!inserted) it->second = it->second && is_float;
      }
      bcf_hrec_destroy(hrec);
    }
  }
  return tags;
}

}  // namespace

InfoTagLookup StoreInfoTags(Database& db) {
  auto declared = std::make_shared<std::optional<std::map<std::string, bool, std::less<>>>>();
  return [&db, declared](const std::string& tag) -> Result<InfoTagInfo> {
    if (!declared->has_value()) {
      auto tags = DeclaredInfoTags(db);
      if (!tags.ok()) return tags.status();
      *declared = std::move(*tags);
    }
    if (auto it = (*declared)->find(tag); it != (*declared)->end()) return InfoTagInfo{true, it->second};
    // htslib reads records whose INFO tags the header does not declare (it warns): look at the data.
    auto stmt = db.Prepare("SELECT 1 FROM variants WHERE info_value(info, ?) IS NOT NULL LIMIT 1");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, std::string_view(tag));
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    return InfoTagInfo{*row, false};
  };
}

int BindAll(Statement& stmt, const std::vector<SqlValue>& params, int first) {
  for (const SqlValue& value : params) {
    std::visit([&](const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, std::string>) {
        stmt.Bind(first, std::string_view(v));
      } else {
        stmt.Bind(first, v);
      }
    }, value);
    ++first;
  }
  return first;
}

}  // namespace vcfagent::store
