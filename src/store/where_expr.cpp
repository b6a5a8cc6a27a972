#include "store/where_expr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>

#include "store/sqlite.h"
#include "store/variant_types.h"

namespace vcfagent::store {
namespace {

enum class FieldKind { kNumber, kText, kImpact, kClass, kFilter, kInfo };

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
      {"qual", {"v.qual", FieldKind::kNumber}},
      {"filter", {"v.filter", FieldKind::kFilter}},
      {"class", {"v.class", FieldKind::kClass}},
      {"type", {"v.class", FieldKind::kClass}},
      {"af", {"v.af", FieldKind::kNumber}},
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

struct Token {
  enum Kind { kWord, kNumber, kString, kOp, kEnd } kind = kEnd;
  std::string text;
  double number = 0;
  size_t column = 0;  // 1-based
};

class Compiler {
 public:
  explicit Compiler(std::string_view text) : text_(text) {}

  Result<SqlCondition> Run() {
    VCFAGENT_RETURN_IF_ERROR(Tokenize());
    if (tokens_.size() == 1) return SqlCondition{};
    auto sql = Expr();
    if (!sql.ok()) return sql.status();
    if (Peek().kind != Token::kEnd) return Error("unexpected '" + Peek().text + "'");
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
          return Status::Usage(fmt::format("unterminated string at column {}", i + 1));
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
          return Status::Usage(fmt::format("'{}' at column {} is not a number", token.text, i + 1));
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
        if (!matched) return Status::Usage(fmt::format("unexpected '{}' at column {}", c, i + 1));
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

  Result<std::string> Expr() {
    auto left = And();
    if (!left.ok()) return left;
    std::string sql = *left;
    while (IsOp("||") || IsOp("|") || IsWord("or")) {
      Take();
      auto right = And();
      if (!right.ok()) return right;
      sql = "(" + sql + " OR " + *right + ")";
    }
    return sql;
  }

  Result<std::string> And() {
    auto left = Unary();
    if (!left.ok()) return left;
    std::string sql = *left;
    while (IsOp("&&") || IsOp("&") || IsWord("and")) {
      Take();
      auto right = Unary();
      if (!right.ok()) return right;
      sql = "(" + sql + " AND " + *right + ")";
    }
    return sql;
  }

  Result<std::string> Unary() {
    if (IsOp("!") || IsWord("not")) {
      Take();
      auto inner = Unary();
      if (!inner.ok()) return inner;
      return "(NOT coalesce(" + *inner + ", 0))";
    }
    if (IsOp("(")) {
      Take();
      auto inner = Expr();
      if (!inner.ok()) return inner;
      if (!IsOp(")")) return Error("expected ')'");
      Take();
      return inner;
    }
    return Test();
  }

  Result<std::string> Test() {
    if (Peek().kind != Token::kWord) return Error("expected a field name");
    const Token field_token = Take();
    const std::string name = Lower(field_token.text);
    FieldDef field{};
    std::string info_key;
    if (name.rfind("info/", 0) == 0 && name.size() > 5) {
      info_key = field_token.text.substr(5);
      field = {"", FieldKind::kInfo};
    } else {
      auto it = Fields().find(name);
      if (it == Fields().end()) {
        std::string names;
        for (const auto& [key, unused] : Fields()) names += (names.empty() ? "" : ", ") + key;
        return Status::Usage(fmt::format("--where: unknown field '{}' at column {} (fields: {}, INFO/TAG)",
                                         field_token.text, field_token.column, names));
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
      params_.push_back("%" + value.text + "%");
      return "(" + column + (op == "~" ? " LIKE ?" : " NOT LIKE ?") + ")";
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
          params_.push_back(value.number);
          return "(CAST(info_value(v.info, ?) AS REAL) " + op + " ?)";
        }
        params_.push_back(value.text);
        return "(info_value(v.info, ?) " + op + " ?)";
      }
      case FieldKind::kNumber: {
        if (value.kind != Token::kNumber) {
          return Status::Usage(fmt::format("--where: '{}' at column {} is not a number", value.text,
                                           value.column));
        }
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

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::vector<SqlValue> params_;
};

}  // namespace

Result<SqlCondition> CompileWhere(std::string_view text) { return Compiler(text).Run(); }

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
