#include "vcf/validate/field_definitions.h"

#include <map>
#include <string>

namespace vcfagent::vcf::validate {

bool ParseNumber(std::string_view text, FieldDefinition* def) {
  def->number_text.assign(text);
  if (text == "A") {
    def->number = NumberKind::kA;
  } else if (text == "R") {
    def->number = NumberKind::kR;
  } else if (text == "G") {
    def->number = NumberKind::kG;
  } else if (text == "P") {
    def->number = NumberKind::kP;
  } else if (text == ".") {
    def->number = NumberKind::kUnbounded;
  } else {
    if (text.empty() || text.size() > 9) return false;
    int n = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    def->number = NumberKind::kFixed;
    def->count = n;
  }
  return true;
}

bool ParseType(std::string_view text, ValueType* type) {
  if (text == "Integer") *type = ValueType::kInteger;
  else if (text == "Float") *type = ValueType::kFloat;
  else if (text == "Flag") *type = ValueType::kFlag;
  else if (text == "Character") *type = ValueType::kCharacter;
  else if (text == "String") *type = ValueType::kString;
  else return false;
  return true;
}

namespace {

using Table = std::map<std::string, FieldDefinition, std::less<>>;

FieldDefinition Def(const char* type, const char* number) {
  FieldDefinition def;
  ParseNumber(number, &def);
  def.type_text = type;
  if (!ParseType(type, &def.type)) def.type = ValueType::kAny;
  return def;
}

// Tables as EBI vcf-validator 0.10.2 reserves them (VCF specification section 1.6.1 and 1.6.2).
Table InfoTable(int minor) {
  Table t = {
      {"AA", Def("String", "1")},      {"AC", Def("Integer", "A")},    {"AF", Def("Float", "A")},
      {"AN", Def("Integer", "1")},     {"BKPTID", Def("String", ".")}, {"BQ", Def("Float", "1")},
      {"CICN", Def("Integer", "2")},   {"CICNADJ", Def("Integer", ".")}, {"CIEND", Def("Integer", "2")},
      {"CIGAR", Def("String", "A")},   {"CILEN", Def("Integer", "2")}, {"CIPOS", Def("Integer", "2")},
      {"CN", Def("Integer", "1")},     {"CNADJ", Def("Integer", ".")}, {"DB", Def("Flag", "0")},
      {"DBRIPID", Def("String", "1")}, {"DBVARID", Def("String", "1")}, {"DGVID", Def("String", "1")},
      {"DP", Def("Integer", "1")},     {"DPADJ", Def("Integer", ".")}, {"END", Def("Integer", "1")},
      {"EVENT", Def("String", "1")},   {"HOMLEN", Def("Integer", ".")}, {"HOMSEQ", Def("String", ".")},
      {"H2", Def("Flag", "0")},        {"H3", Def("Flag", "0")},       {"IMPRECISE", Def("Flag", "0")},
      {"MATEID", Def("String", ".")},  {"MEINFO", Def("String", "4")}, {"METRANS", Def("String", "4")},
      {"MQ", Def(".", "1")},           {"MQ0", Def("Integer", "1")},   {"NOVEL", Def("Flag", "0")},
      {"NS", Def("Integer", "1")},     {"PARID", Def("String", "1")},  {"SOMATIC", Def("Flag", "0")},
      {"SVLEN", Def("Integer", ".")},  {"SVTYPE", Def("String", "1")}, {"VALIDATED", Def("Flag", "0")},
      {"1000G", Def("Flag", "0")},
  };
  if (minor >= 3) {
    t["AD"] = Def("Integer", "R");
    t["ADF"] = Def("Integer", "R");
    t["ADR"] = Def("Integer", "R");
  }
  if (minor >= 4) {
    t["CN"] = Def("Float", "A");
    t["CICN"] = Def("Float", ".");
    // 4.4 gives these one set of values per ALT allele (checked as 2*A or 4*A in the records).
    for (const char* key : {"CIPOS", "CIEND", "CILEN"}) t[key] = Def("Integer", ".");
    for (const char* key : {"MEINFO", "METRANS"}) t[key] = Def("String", ".");
    t["SVLEN"] = Def("Integer", "A");
    t["SVCLAIM"] = Def("String", "A");
    t["RN"] = Def("Integer", "A");
    t["RUS"] = Def("String", ".");
    t["RUL"] = Def("Integer", ".");
    t["RUC"] = Def("Float", ".");
    t["RB"] = Def("Integer", ".");
    t["CIRUC"] = Def("Float", ".");
    t["CIRB"] = Def("Integer", ".");
    t["RUB"] = Def("Integer", ".");
  }
  return t;
}

Table FormatTable(int minor) {
  Table t = {
      {"AHAP", Def("Integer", "1")}, {"CN", Def("Integer", "1")}, {"CNQ", Def("Float", "1")},
      {"DP", Def("Integer", "1")},   {"EC", Def("Integer", "A")}, {"FT", Def("String", "1")},
      {"GL", Def("Float", "G")},     {"GP", Def("Float", "G")},   {"GQ", Def("Integer", "1")},
      {"GT", Def("String", "1")},    {"HAP", Def("Integer", "1")}, {"HQ", Def("Integer", "2")},
      {"MQ", Def("Integer", "1")},   {"NQ", Def("Integer", "1")}, {"PL", Def("Integer", "G")},
      {"PQ", Def("Integer", "1")},   {"PS", Def("Integer", "1")},
  };
  if (minor <= 2) {
    t["CNL"] = Def("Float", ".");
    t["GLE"] = Def("String", "G");
  } else {
    t["AD"] = Def("Integer", "R");
    t["ADF"] = Def("Integer", "R");
    t["ADR"] = Def("Integer", "R");
    t["CNL"] = Def("Float", "G");
    t["CNP"] = Def("Float", "G");
  }
  if (minor >= 4) t["CN"] = Def("Float", "1");
  return t;
}

const FieldDefinition* Find(const Table& table, std::string_view key) {
  auto it = table.find(key);
  return it == table.end() ? nullptr : &it->second;
}

int TableIndex(int minor) { return minor <= 2 ? 0 : (minor == 3 ? 1 : 2); }

}  // namespace

const FieldDefinition* ReservedInfo(int minor, std::string_view key) {
  static const Table tables[3] = {InfoTable(2), InfoTable(3), InfoTable(4)};
  return Find(tables[TableIndex(minor)], key);
}

const FieldDefinition* ReservedFormat(int minor, std::string_view key) {
  static const Table tables[3] = {FormatTable(2), FormatTable(3), FormatTable(4)};
  return Find(tables[TableIndex(minor)], key);
}

}  // namespace vcfagent::vcf::validate
