#include "vcf/filter_expr.h"

#include <regex.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "fmt/format.h"
#include "util/text_limits.h"

namespace vcfagent::vcf {

namespace {

constexpr int kTypeMaskBits = VCF_SNP | VCF_MNP | VCF_INDEL | VCF_OTHER | VCF_BND | VCF_OVERLAP;

enum class TokenKind { kIdent, kNumber, kString, kCompare, kAnd, kOr, kNot, kLParen, kRParen, kEnd };

struct Token {
  TokenKind kind;
  std::string text;
  int column;  // 1-based
  double number = 0;
};

enum class CompareOp { kTruth, kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kNoMatch };

enum class FieldKind { kQual, kFilter, kType, kChrom, kPos, kId, kRef, kAlt, kInfo };

struct Field {
  FieldKind kind = FieldKind::kQual;
  std::string name;   // as written, for messages
  int info_id = -1;   // header id of an INFO tag
  int info_type = 0;  // BCF_HT_INT, BCF_HT_REAL, BCF_HT_STR or BCF_HT_FLAG
  bool float_valued() const {
    return kind == FieldKind::kQual || (kind == FieldKind::kInfo && info_type == BCF_HT_REAL);
  }
  bool numeric() const {
    return kind == FieldKind::kQual || kind == FieldKind::kPos ||
           (kind == FieldKind::kInfo && (info_type == BCF_HT_INT || info_type == BCF_HT_REAL));
  }
};

struct RegexDeleter {
  void operator()(regex_t* re) const {
    regfree(re);
    delete re;
  }
};

CompareOp OpFromText(std::string_view op) {
  if (op == "=" || op == "==") return CompareOp::kEq;
  if (op == "!=") return CompareOp::kNe;
  if (op == "<") return CompareOp::kLt;
  if (op == "<=") return CompareOp::kLe;
  if (op == ">") return CompareOp::kGt;
  if (op == ">=") return CompareOp::kGe;
  if (op == "~") return CompareOp::kMatch;
  return CompareOp::kNoMatch;
}

// The same comparison with its operands swapped ("10 < DP" is "DP > 10").
CompareOp Mirror(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return CompareOp::kGt;
    case CompareOp::kLe: return CompareOp::kGe;
    case CompareOp::kGt: return CompareOp::kLt;
    case CompareOp::kGe: return CompareOp::kLe;
    default: return op;
  }
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/' || c == '.';
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  const auto error = [&](size_t at, const std::string& what) {
    return Status::Usage(fmt::format("{} at column {}", what, at + 1));
  };
  while (i < text.size()) {
    const char c = text[i];
    const int column = static_cast<int>(i) + 1;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    const auto next = [&](size_t k) { return i + k < text.size() ? text[i + k] : '\0'; };
    if (c == '"' || c == '\'') {
      const size_t close = text.find(c, i + 1);
      if (close == std::string_view::npos) return error(i, fmt::format("unterminated string starting with {}", c));
      tokens.push_back({TokenKind::kString, std::string(text.substr(i + 1, close - i - 1)), column});
      i = close + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
               ((c == '-' || c == '+') && (std::isdigit(static_cast<unsigned char>(next(1))) || next(1) == '.'))) {
      // strtod reads at most the run of number-like characters; copying only that run keeps the
      // tokenizer linear in the length of the expression.
      size_t run = i + 1;
      while (run < text.size() && (IsIdentChar(text[run]) || text[run] == '+' || text[run] == '-')) ++run;
      const std::string rest(text.substr(i, run - i));
      char* end = nullptr;
      const double value = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) return error(i, fmt::format("expected a number, found '{}'", c));
      const size_t length = static_cast<size_t>(end - rest.c_str());
      if (i + length < text.size() && IsIdentChar(text[i + length])) {
        return error(i, fmt::format("malformed number '{}'", text.substr(i, length + 1)));
      }
      tokens.push_back({TokenKind::kNumber, rest.substr(0, length), column, value});
      i += length;
    } else if (IsIdentStart(c)) {
      size_t j = i;
      while (j < text.size() && IsIdentChar(text[j])) ++j;
      tokens.push_back({TokenKind::kIdent, std::string(text.substr(i, j - i)), column});
      i = j;
    } else if (c == '&') {
      const size_t length = next(1) == '&' ? 2 : 1;
      tokens.push_back({TokenKind::kAnd, std::string(text.substr(i, length)), column});
      i += length;
    } else if (c == '|') {
      const size_t length = next(1) == '|' ? 2 : 1;
      tokens.push_back({TokenKind::kOr, std::string(text.substr(i, length)), column});
      i += length;
    } else if (c == '(' || c == ')') {
      tokens.push_back({c == '(' ? TokenKind::kLParen : TokenKind::kRParen, std::string(1, c), column});
      ++i;
    } else if (c == '!') {
      if (next(1) == '=' || next(1) == '~') {
        tokens.push_back({TokenKind::kCompare, std::string(text.substr(i, 2)), column});
        i += 2;
      } else {
        tokens.push_back({TokenKind::kNot, "!", column});
        ++i;
      }
    } else if (c == '=' || c == '<' || c == '>') {
      const size_t length = next(1) == '=' ? 2 : 1;
      tokens.push_back({TokenKind::kCompare, std::string(text.substr(i, length)), column});
      i += length;
    } else if (c == '~') {
      tokens.push_back({TokenKind::kCompare, "~", column});
      ++i;
    } else {
      return error(i, fmt::format("unexpected character '{}'", c));
    }
  }
  tokens.push_back({TokenKind::kEnd, "", static_cast<int>(text.size()) + 1});
  return tokens;
}

// glibc's regcomp copies the pattern's tree for every repetition operator it applies to a group
// or another operator ("R++++..." or "(a{100}){100}" take gigabytes), so a regular expression from
// a user is checked before it is compiled: no operator directly after another, at most
// kMaxRegexRepetitions operators, bounds of {m,n} up to 100 whose product stays under 1000, and
// groups nested at most 8 deep. Escapes and bracket expressions ([...]) are literals.
std::optional<std::string> RegexTooComplex(std::string_view re) {
  constexpr int kMaxRegexRepetitions = 32, kMaxBound = 100, kMaxBoundProduct = 1000, kMaxGroupDepth = 8;
  int operators = 0, depth = 0;
  int64_t bound_product = 1;
  bool after_operator = false;
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      ++i;
      after_operator = false;
      continue;
    }
    if (c == '[') {  // a bracket expression: ']' right after '[' or '[^' is a member
      size_t j = i + 1;
      if (j < re.size() && re[j] == '^') ++j;
      if (j < re.size() && re[j] == ']') ++j;
      while (j < re.size() && re[j] != ']') ++j;
      i = j;
      after_operator = false;
      continue;
    }
    const bool repetition = c == '*' || c == '+' || c == '?' || c == '{';
    if (repetition) {
      if (after_operator) return "a repetition operator directly after another one";
      if (++operators > kMaxRegexRepetitions) {
        return fmt::format("more than {} repetition operators", kMaxRegexRepetitions);
      }
      if (c == '{') {
        const size_t close = re.find('}', i);
        if (close == std::string_view::npos) return std::nullopt;  // regcomp reports it
        // The larger of the two bounds of {m,n} (or the one of {m} and {m,}) decides.
        int largest = 0, current = 0;
        for (size_t k = i + 1; k < close; ++k) {
          if (std::isdigit(static_cast<unsigned char>(re[k]))) {
            current = std::min(current * 10 + (re[k] - '0'), 1000000);
          } else {
            largest = std::max(largest, current);
            current = 0;
          }
        }
        largest = std::max(largest, current);
        if (largest > kMaxBound) return fmt::format("a repetition bound over {}", kMaxBound);
        bound_product *= std::max(largest, 1);
        if (bound_product > kMaxBoundProduct) {
          return fmt::format("repetition bounds whose product is over {}", kMaxBoundProduct);
        }
        i = close;
      }
      after_operator = true;
      continue;
    }
    after_operator = false;
    if (c == '(' && ++depth > kMaxGroupDepth) return fmt::format("groups nested more than {} deep", kMaxGroupDepth);
    if (c == ')' && depth > 0) --depth;
  }
  return std::nullopt;
}

const char* kFieldList = "QUAL, FILTER, TYPE, CHROM, POS, ID, REF, ALT or an INFO tag";

}  // namespace

struct FilterExpression::Node {
  enum class Kind { kOr, kAnd, kNot, kTest };
  Kind kind = Kind::kTest;
  std::unique_ptr<Node> left, right;

  // kTest
  Field field;
  CompareOp op = CompareOp::kTruth;
  double number = 0;
  std::string text;                                // the literal as a string
  std::vector<int> filter_ids;                     // FILTER literal, sorted; empty for "."
  int type_mask = 0;                               // TYPE literal
  std::unique_ptr<regex_t, RegexDeleter> regex;    // string ~ and !~
};

namespace {

using Node = FilterExpression::Node;

class Parser {
 public:
  Parser(std::vector<Token> tokens, const bcf_hdr_t* header)
      : tokens_(std::move(tokens)), header_(header) {}

  Result<std::unique_ptr<Node>> ParseAll() {
    if (Peek().kind == TokenKind::kEnd) return Status::Usage("empty expression");
    auto root = ParseOr();
    if (!root.ok()) return root;
    if (Peek().kind != TokenKind::kEnd) {
      const Token& t = Peek();
      if (t.kind == TokenKind::kRParen) return Error(t, "unexpected ')' without a matching '('");
      return Error(t, fmt::format("expected '&&', '||' or the end of the expression, found '{}'", Excerpt(t.text)));
    }
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Take() { return tokens_[pos_++]; }
  static Status Error(const Token& at, const std::string& what) {
    return Status::Usage(fmt::format("{} at column {}", what, at.column));
  }

  Result<std::unique_ptr<Node>> ParseOr() {
    auto left = ParseAnd();
    if (!left.ok()) return left;
    std::unique_ptr<Node> node = std::move(left.value());
    while (Peek().kind == TokenKind::kOr) {
      const Token& op = Take();
      if (Peek().kind == TokenKind::kEnd) return Error(op, fmt::format("expected an expression after '{}'", op.text));
      auto right = ParseAnd();
      if (!right.ok()) return right;
      auto parent = std::make_unique<Node>();
      parent->kind = Node::Kind::kOr;
      parent->left = std::move(node);
      parent->right = std::move(right.value());
      node = std::move(parent);
    }
    return node;
  }

  Result<std::unique_ptr<Node>> ParseAnd() {
    auto left = ParseUnary();
    if (!left.ok()) return left;
    std::unique_ptr<Node> node = std::move(left.value());
    while (Peek().kind == TokenKind::kAnd) {
      const Token& op = Take();
      if (Peek().kind == TokenKind::kEnd) return Error(op, fmt::format("expected an expression after '{}'", op.text));
      auto right = ParseUnary();
      if (!right.ok()) return right;
      auto parent = std::make_unique<Node>();
      parent->kind = Node::Kind::kAnd;
      parent->left = std::move(node);
      parent->right = std::move(right.value());
      node = std::move(parent);
    }
    return node;
  }

  // Parentheses and '!' recurse: their nesting is bounded so that no input exhausts the stack.
  Status EnterNesting(const Token& t) {
    if (++depth_ > kMaxExpressionDepth) {
      return Error(t, fmt::format("parentheses and '!' nest more than {} deep", kMaxExpressionDepth));
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<Node>> ParseUnary() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kNot || t.kind == TokenKind::kLParen) {
      VCFAGENT_RETURN_IF_ERROR(EnterNesting(t));
      auto inner = ParseNested();
      --depth_;
      return inner;
    }
    return ParseTest();
  }

  Result<std::unique_ptr<Node>> ParseNested() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kNot) {
      Take();
      if (Peek().kind == TokenKind::kEnd) return Error(t, "expected an expression after '!'");
      auto inner = ParseUnary();
      if (!inner.ok()) return inner;
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::kNot;
      node->left = std::move(inner.value());
      return node;
    }
    if (t.kind == TokenKind::kLParen) {
      Take();
      auto inner = ParseOr();
      if (!inner.ok()) return inner;
      if (Peek().kind != TokenKind::kRParen) {
        if (Peek().kind == TokenKind::kEnd) return Error(t, "missing ')' for the '(' opened");
        return Error(Peek(), fmt::format("expected ')', found '{}'", Excerpt(Peek().text)));
      }
      Take();
      return inner;
    }
    return Status::Internal("ParseNested without '!' or '('");
  }

  static bool IsOperand(const Token& t) {
    return t.kind == TokenKind::kIdent || t.kind == TokenKind::kNumber || t.kind == TokenKind::kString;
  }

  Result<std::unique_ptr<Node>> ParseTest() {
    if (++terms_ > kMaxExpressionTerms) {
      return Error(Peek(), fmt::format("more than {} tests in one expression", kMaxExpressionTerms));
    }
    const Token& first = Take();
    if (!IsOperand(first)) {
      if (first.kind == TokenKind::kEnd) return Error(first, "unexpected end of the expression, expected a field");
      if (first.kind == TokenKind::kCompare) return Error(first, fmt::format("expected a field before '{}'", Excerpt(first.text)));
      return Error(first, fmt::format("expected a field or '(', found '{}'", Excerpt(first.text)));
    }
    auto node = std::make_unique<Node>();
    if (Peek().kind != TokenKind::kCompare) {
      if (first.kind != TokenKind::kIdent) {
        return Error(first, fmt::format("a value alone is not a test: compare it with a field, e.g. QUAL>{}", Excerpt(first.text)));
      }
      VCFAGENT_RETURN_IF_ERROR(ResolveField(first, node->field));
      return node;
    }
    const Token& op = Take();
    const Token& second = Take();
    if (!IsOperand(second)) return Error(op, fmt::format("expected a value after '{}'", op.text));
    node->op = OpFromText(op.text);
    const Token* field = &first;
    const Token* value = &second;
    if (first.kind != TokenKind::kIdent) {
      if (second.kind != TokenKind::kIdent) {
        return Error(first, "a comparison needs a field (QUAL, INFO/DP, ...) on one side");
      }
      std::swap(field, value);
      node->op = Mirror(node->op);
    } else if (second.kind == TokenKind::kIdent) {
      return Error(second, fmt::format("expected a number or a quoted string after '{}', found '{}' "
                                       "(comparing two fields is not supported; quote strings)",
                                       op.text, Excerpt(second.text)));
    }
    VCFAGENT_RETURN_IF_ERROR(ResolveField(*field, node->field));
    VCFAGENT_RETURN_IF_ERROR(BindValue(*node, op, *value));
    return node;
  }

  Status ResolveField(const Token& t, Field& field) {
    field.name = t.text;
    std::string name = t.text;
    if (name == "QUAL") field.kind = FieldKind::kQual;
    else if (name == "FILTER" || name == "FILTER/") field.kind = FieldKind::kFilter;
    else if (name == "TYPE") field.kind = FieldKind::kType;
    else if (name == "CHROM") field.kind = FieldKind::kChrom;
    else if (name == "POS") field.kind = FieldKind::kPos;
    else if (name == "ID") field.kind = FieldKind::kId;
    else if (name == "REF") field.kind = FieldKind::kRef;
    else if (name == "ALT") field.kind = FieldKind::kAlt;
    else {
      const bool qualified = name.rfind("INFO/", 0) == 0;
      if (qualified) name = name.substr(5);
      if (name.find('/') != std::string::npos) {
        return Error(t, fmt::format("unsupported field '{}': expected {}", Excerpt(t.text), kFieldList));
      }
      const int id = bcf_hdr_id2int(header_, BCF_DT_ID, name.c_str());
      if (id < 0 || !bcf_hdr_idinfo_exists(header_, BCF_HL_INFO, id)) {
        return Error(t, fmt::format("unknown field '{}': expected {} (no INFO/{} in the header)",
                                    Excerpt(t.text), kFieldList, Excerpt(name)));
      }
      field.kind = FieldKind::kInfo;
      field.info_id = id;
      field.info_type = bcf_hdr_id2type(header_, BCF_HL_INFO, id);
      if (field.info_type == BCF_HT_LONG) field.info_type = BCF_HT_INT;
    }
    return Status::Ok();
  }

  Status BindValue(Node& node, const Token& op, const Token& value) {
    const Field& f = node.field;
    const bool ordering = node.op == CompareOp::kLt || node.op == CompareOp::kLe ||
                          node.op == CompareOp::kGt || node.op == CompareOp::kGe;
    const bool matching = node.op == CompareOp::kMatch || node.op == CompareOp::kNoMatch;
    node.text = value.text;
    node.number = value.number;
    if (f.kind == FieldKind::kInfo && f.info_type == BCF_HT_FLAG) {
      // bcftools' FLAG=1 / FLAG=0 (and !=); a bare FLAG is the same as FLAG=1.
      const bool equality = node.op == CompareOp::kEq || node.op == CompareOp::kNe;
      if (!equality || value.kind != TokenKind::kNumber || (value.number != 0 && value.number != 1)) {
        return Error(op, fmt::format("{} is a flag: test it alone ({} or !{}) or with =1 / =0", Excerpt(f.name),
                                     f.name, f.name));
      }
      return Status::Ok();
    }
    if (f.numeric()) {
      if (matching) return Error(op, fmt::format("'{}' applies to strings, and {} is a number", op.text, Excerpt(f.name)));
      if (value.kind != TokenKind::kNumber) {
        return Error(value, fmt::format("{} is a number, expected a number after '{}', found \"{}\"",
                                        f.name, op.text, Excerpt(value.text)));
      }
      // QUAL and Float INFO values are single precision: compare them, as bcftools does, with the
      // constant rounded to single precision, so AF=0.01 finds the 0.01 the file wrote.
      if (f.float_valued()) node.number = static_cast<double>(static_cast<float>(value.number));
      return Status::Ok();
    }
    if (ordering) {
      return Error(op, fmt::format("'{}' needs a numeric field, and {} is not numeric", op.text, Excerpt(f.name)));
    }
    if (f.kind == FieldKind::kFilter) {
      if (value.text != ".") {
        size_t start = 0;
        while (start <= value.text.size()) {
          size_t end = value.text.find(';', start);
          if (end == std::string::npos) end = value.text.size();
          const std::string name = value.text.substr(start, end - start);
          const int id = bcf_hdr_id2int(header_, BCF_DT_ID, name.c_str());
          if (name.empty() || id < 0 || !bcf_hdr_idinfo_exists(header_, BCF_HL_FLT, id)) {
            return Error(value, fmt::format("unknown FILTER '{}' (not defined in the header)", Excerpt(name)));
          }
          node.filter_ids.push_back(id);
          start = end + 1;
        }
        std::sort(node.filter_ids.begin(), node.filter_ids.end());
        node.filter_ids.erase(std::unique(node.filter_ids.begin(), node.filter_ids.end()), node.filter_ids.end());
      }
      return Status::Ok();
    }
    if (f.kind == FieldKind::kType) {
      auto mask = ParseVariantTypes(value.text);
      if (!mask.ok()) return Error(value, mask.status().message());
      node.type_mask = *mask;
      return Status::Ok();
    }
    if (matching) {
      if (value.text.size() > kMaxRegexBytes) {
        return Error(value, fmt::format("the regular expression is {} bytes long; the limit is {} bytes",
                                        value.text.size(), kMaxRegexBytes));
      }
      if (auto complex = RegexTooComplex(value.text)) {
        return Error(value, fmt::format("the regular expression \"{}\" has {} (it would take regcomp "
                                        "too much memory)", Excerpt(value.text), *complex));
      }
      node.regex.reset(new regex_t);
      const int rc = regcomp(node.regex.get(), value.text.c_str(), REG_EXTENDED | REG_NOSUB);
      if (rc != 0) {
        char message[256];
        regerror(rc, node.regex.get(), message, sizeof message);
        delete node.regex.release();
        return Error(value, fmt::format("invalid regular expression \"{}\": {}", Excerpt(value.text), message));
      }
    }
    return Status::Ok();
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int terms_ = 0;
  const bcf_hdr_t* header_;
};

// Values of one field in one record; reused between records.
struct Values {
  std::vector<double> numbers;
  std::vector<std::string_view> strings;
  int32_t* ints = nullptr;
  int n_ints = 0;
  float* floats = nullptr;
  int n_floats = 0;
  char* chars = nullptr;
  int n_chars = 0;
  ~Values() {
    free(ints);
    free(floats);
    free(chars);
  }
};

Values& Scratch() {
  thread_local Values values;
  return values;
}

// Collects the present, non-missing values of `f`; returns false when there is none.
bool Collect(const Field& f, const bcf_hdr_t* header, bcf1_t* rec, Values& v) {
  v.numbers.clear();
  v.strings.clear();
  switch (f.kind) {
    case FieldKind::kQual:
      if (bcf_float_is_missing(rec->qual)) return false;
      v.numbers.push_back(rec->qual);
      return true;
    case FieldKind::kPos:
      v.numbers.push_back(static_cast<double>(rec->pos + 1));
      return true;
    case FieldKind::kChrom:
      v.strings.emplace_back(bcf_seqname_safe(header, rec));
      return true;
    case FieldKind::kId:  // "." is a value here, as in bcftools: ID="." selects records without one
      v.strings.emplace_back(rec->d.id);
      return true;
    case FieldKind::kRef:
      if (rec->n_allele < 1) return false;
      v.strings.emplace_back(rec->d.allele[0]);
      return true;
    case FieldKind::kAlt:
      for (int i = 1; i < rec->n_allele; ++i) v.strings.emplace_back(rec->d.allele[i]);
      return !v.strings.empty();
    case FieldKind::kInfo: {
      const char* tag = bcf_hdr_int2id(header, BCF_DT_ID, f.info_id);
      if (f.info_type == BCF_HT_INT) {
        const int n = bcf_get_info_int32(header, rec, tag, &v.ints, &v.n_ints);
        for (int i = 0; i < n; ++i) {
          if (v.ints[i] == bcf_int32_vector_end) break;
          if (v.ints[i] != bcf_int32_missing) v.numbers.push_back(v.ints[i]);
        }
        return !v.numbers.empty();
      }
      if (f.info_type == BCF_HT_REAL) {
        const int n = bcf_get_info_float(header, rec, tag, &v.floats, &v.n_floats);
        for (int i = 0; i < n; ++i) {
          if (bcf_float_is_vector_end(v.floats[i])) break;
          if (!bcf_float_is_missing(v.floats[i])) v.numbers.push_back(v.floats[i]);
        }
        return !v.numbers.empty();
      }
      if (f.info_type == BCF_HT_FLAG) {
        return bcf_get_info_flag(header, rec, tag, nullptr, nullptr) == 1;
      }
      const int n = bcf_get_info_string(header, rec, tag, &v.chars, &v.n_chars);
      if (n <= 0) return false;
      std::string_view all(v.chars, strnlen(v.chars, n));
      for (size_t start = 0; start <= all.size();) {
        size_t end = all.find(',', start);
        if (end == std::string_view::npos) end = all.size();
        const std::string_view item = all.substr(start, end - start);
        if (item != ".") v.strings.push_back(item);
        start = end + 1;
      }
      return !v.strings.empty();
    }
    case FieldKind::kFilter:
    case FieldKind::kType:
      return true;
  }
  return false;
}

bool CompareNumber(CompareOp op, double a, double b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return a != b;
    case CompareOp::kLt: return a < b;
    case CompareOp::kLe: return a <= b;
    case CompareOp::kGt: return a > b;
    case CompareOp::kGe: return a >= b;
    default: return false;
  }
}

bool CompareString(const Node& node, std::string_view a) {
  switch (node.op) {
    case CompareOp::kEq: return a == node.text;
    case CompareOp::kNe: return a != node.text;
    case CompareOp::kMatch:
    case CompareOp::kNoMatch: {
      const std::string s(a);
      const bool found = regexec(node.regex.get(), s.c_str(), 0, nullptr, 0) == 0;
      return node.op == CompareOp::kMatch ? found : !found;
    }
    default: return false;
  }
}

bool EvaluateFilter(const Node& node, bcf1_t* rec) {
  if (node.op == CompareOp::kTruth) return rec->d.n_flt > 0;
  std::vector<int> ids(rec->d.flt, rec->d.flt + rec->d.n_flt);
  std::sort(ids.begin(), ids.end());
  bool result;
  if (node.op == CompareOp::kEq || node.op == CompareOp::kNe) {
    result = ids == node.filter_ids;
  } else {
    result = std::includes(ids.begin(), ids.end(), node.filter_ids.begin(), node.filter_ids.end());
    if (node.filter_ids.empty()) result = ids.empty();
  }
  const bool negated = node.op == CompareOp::kNe || node.op == CompareOp::kNoMatch;
  return negated ? !result : result;
}

bool EvaluateType(const Node& node, bcf1_t* rec) {
  if (node.op == CompareOp::kTruth) return true;
  const int mask = RecordTypeMask(rec);
  bool result;
  if (node.op == CompareOp::kEq || node.op == CompareOp::kNe) {
    result = mask == node.type_mask;
  } else {
    result = (mask & node.type_mask) == node.type_mask;
  }
  const bool negated = node.op == CompareOp::kNe || node.op == CompareOp::kNoMatch;
  return negated ? !result : result;
}

bool EvaluateNode(const Node& node, const bcf_hdr_t* header, bcf1_t* rec) {
  switch (node.kind) {
    case Node::Kind::kOr:
      return EvaluateNode(*node.left, header, rec) || EvaluateNode(*node.right, header, rec);
    case Node::Kind::kAnd:
      return EvaluateNode(*node.left, header, rec) && EvaluateNode(*node.right, header, rec);
    case Node::Kind::kNot:
      return !EvaluateNode(*node.left, header, rec);
    case Node::Kind::kTest:
      break;
  }
  if (node.field.kind == FieldKind::kFilter) return EvaluateFilter(node, rec);
  if (node.field.kind == FieldKind::kType) return EvaluateType(node, rec);
  Values& v = Scratch();
  if (node.field.kind == FieldKind::kInfo && node.field.info_type == BCF_HT_FLAG && node.op != CompareOp::kTruth) {
    const bool set = Collect(node.field, header, rec, v);
    const bool wanted = node.number == 1;
    return node.op == CompareOp::kEq ? set == wanted : set != wanted;
  }
  if (!Collect(node.field, header, rec, v)) return false;  // missing never satisfies a test
  if (node.op == CompareOp::kTruth) {
    return node.field.kind != FieldKind::kId || std::strcmp(rec->d.id, ".") != 0;
  }
  if (node.field.numeric()) {
    return std::any_of(v.numbers.begin(), v.numbers.end(),
                       [&](double x) { return CompareNumber(node.op, x, node.number); });
  }
  return std::any_of(v.strings.begin(), v.strings.end(),
                     [&](std::string_view s) { return CompareString(node, s); });
}

}  // namespace

Result<std::unique_ptr<FilterExpression>> FilterExpression::Parse(std::string_view text,
                                                                  const bcf_hdr_t* header) {
  VCFAGENT_RETURN_IF_ERROR(CheckTextSize("the filter expression", text.size(), kMaxExpressionBytes));
  auto tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  Parser parser(std::move(tokens.value()), header);
  auto root = parser.ParseAll();
  if (!root.ok()) return root.status();
  std::unique_ptr<FilterExpression> expr(new FilterExpression());
  expr->text_ = std::string(text);
  expr->header_ = header;
  expr->root_ = std::move(root.value());
  return expr;
}

FilterExpression::~FilterExpression() = default;

bool FilterExpression::Evaluate(bcf1_t* rec) {
  bcf_unpack(rec, BCF_UN_SHR);
  return EvaluateNode(*root_, header_, rec);
}

Result<int> ParseVariantTypes(std::string_view list) {
  int mask = 0;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string name(list.substr(start, end - start));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "snp" || name == "snps") mask |= VCF_SNP;
    else if (name == "mnp" || name == "mnps") mask |= VCF_MNP;
    else if (name == "indel" || name == "indels") mask |= VCF_INDEL;
    else if (name == "other") mask |= VCF_OTHER;
    else if (name == "bnd" || name == "bnds") mask |= VCF_BND;
    else if (name == "overlap") mask |= VCF_OVERLAP;
    else if (name == "ref") mask |= kTypeRefBit;
    else {
      return Status::Usage(fmt::format(
          "unknown variant type '{}': expected snps, indels, mnps, other, bnd, overlap or ref", Excerpt(name)));
    }
    start = end + 1;
  }
  return mask;
}

int RecordTypeMask(bcf1_t* rec) {
  const int mask = bcf_get_variant_types(rec) & kTypeMaskBits;
  return mask == 0 ? kTypeRefBit : mask;
}

}  // namespace vcfagent::vcf
