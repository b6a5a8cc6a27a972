// Field definitions for the validator: what the header declares (INFO/FORMAT Number and Type) and
// the tags the VCF specification reserves per version (checked when a file uses them undeclared).
#pragma once

#include <string>
#include <string_view>

namespace vcfagent::vcf::validate {

enum class ValueType { kInteger, kFloat, kFlag, kCharacter, kString, kAny };
enum class NumberKind { kFixed, kA, kR, kG, kP, kUnbounded };

struct FieldDefinition {
  NumberKind number = NumberKind::kUnbounded;
  int count = 0;  // for kFixed
  ValueType type = ValueType::kString;
  std::string number_text = ".";
  std::string type_text = "String";
};

// Parses a Number value ("1", "A", "R", "G", "P", "."); false if it is none of them.
bool ParseNumber(std::string_view text, FieldDefinition* def);
// Parses a Type value; false if unknown.
bool ParseType(std::string_view text, ValueType* type);

// The reserved INFO / FORMAT tag `key` for VCF 4.`minor`, or nullptr. Types "." are kAny.
const FieldDefinition* ReservedInfo(int minor, std::string_view key);
const FieldDefinition* ReservedFormat(int minor, std::string_view key);

}  // namespace vcfagent::vcf::validate
