// Pedigree: the samples' families, parents, sex and phenotype from a PED/FAM file, for ingest to
// store beside the samples and for family-aware queries (de novo, compound het, segregation).
//
// Contract:
// - Six leading columns: family, individual, father, mother, sex, phenotype. Lines with tabs are
//   split on tabs (so an empty parent column stays a column, as in slivar's test pedigrees);
//   other lines on runs of spaces. Extra columns (PED genotypes, metadata) are ignored. Blank
//   lines and lines starting with '#' (a header) are skipped.
// - Father/mother "0", "-9", "." or empty mean unknown. Sex 1/M/male, 2/F/female, anything else
//   unknown. Phenotype 1/unaffected, 2/affected; 0, -9, "." or empty unknown; anything else is
//   an error (quantitative phenotypes are not supported).
// - Errors name "file:line", the column and what was expected; a repeated individual is an error.
// - Parents need not have their own line (PLINK allows it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/status.h"

namespace vcfagent::store {

enum class Sex { kUnknown, kMale, kFemale };
enum class Phenotype { kUnknown, kUnaffected, kAffected };

std::string_view ToString(Sex sex);              // "unknown", "male", "female"
// PED codes (1 male, 2 female, anything else unknown) and the words male/female/M/F.
Sex ParseSex(std::string_view text);
std::string_view ToString(Phenotype phenotype);  // "unknown", "unaffected", "affected"

struct PedigreeMember {
  std::string family;
  std::string individual;
  std::string father;  // empty when unknown
  std::string mother;  // empty when unknown
  Sex sex = Sex::kUnknown;
  Phenotype phenotype = Phenotype::kUnknown;
  int64_t line = 0;  // where it was defined, for messages
};

class Pedigree {
 public:
  static Result<Pedigree> Load(const std::string& path);
  // From text already in memory; `display_name` is used in messages.
  static Result<Pedigree> Parse(std::string_view text, const std::string& display_name);

  // The member with this individual id, or nullptr.
  const PedigreeMember* Find(std::string_view individual) const;
  // Members in file order.
  const std::vector<PedigreeMember>& members() const { return members_; }

 private:
  Status AddLine(std::string_view line, int64_t line_number, const std::string& display_name);

  std::vector<PedigreeMember> members_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace vcfagent::store
