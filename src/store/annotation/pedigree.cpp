#include "store/annotation/pedigree.h"

#include "store/annotation/text_util.h"

namespace vcfagent::store {
namespace {

std::vector<std::string_view> SplitPedLine(std::string_view line) {
  std::vector<std::string_view> fields;
  if (line.find('\t') != std::string_view::npos) {
    ForEachPart(line, '\t', [&](std::string_view f) { fields.push_back(Trim(f, " ")); });
    return fields;
  }
  size_t i = 0;
  while (i < line.size()) {
    const size_t begin = line.find_first_not_of(' ', i);
    if (begin == std::string_view::npos) break;
    const size_t end = std::min(line.find(' ', begin), line.size());
    fields.push_back(line.substr(begin, end - begin));
    i = end;
  }
  return fields;
}

bool IsUnknownParent(std::string_view id) {
  return id.empty() || id == "0" || id == "-9" || id == ".";
}

std::optional<Phenotype> ParsePhenotype(std::string_view text) {
  if (text == "1" || EqualsIgnoreCase(text, "unaffected")) return Phenotype::kUnaffected;
  if (text == "2" || EqualsIgnoreCase(text, "affected")) return Phenotype::kAffected;
  if (text.empty() || text == "0" || text == "-9" || text == "." ||
      EqualsIgnoreCase(text, "unknown")) {
    return Phenotype::kUnknown;
  }
  return std::nullopt;
}

}  // namespace

Sex ParseSex(std::string_view text) {
  if (text == "1" || EqualsIgnoreCase(text, "m") || EqualsIgnoreCase(text, "male"))
    return Sex::kMale;
  if (text == "2" || EqualsIgnoreCase(text, "f") || EqualsIgnoreCase(text, "female"))
    return Sex::kFemale;
  return Sex::kUnknown;
}

std::string_view ToString(Sex sex) {
  switch (sex) {
    case Sex::kMale:
      return "male";
    case Sex::kFemale:
      return "female";
    case Sex::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view ToString(Phenotype phenotype) {
  switch (phenotype) {
    case Phenotype::kUnaffected:
      return "unaffected";
    case Phenotype::kAffected:
      return "affected";
    case Phenotype::kUnknown:
      break;
  }
  return "unknown";
}

Status Pedigree::AddLine(std::string_view line, int64_t line_number,
                         const std::string& display_name) {
  if (Trim(line).empty() || Trim(line).front() == '#') return Status::Ok();
  auto error = [&](const std::string& message) {
    return Status::InvalidInput(display_name + ":" + std::to_string(line_number) + ": " + message);
  };
  const std::vector<std::string_view> fields = SplitPedLine(line);
  if (fields.size() < 6) {
    return error("expected 6 columns (family, individual, father, mother, sex, phenotype), found " +
                 std::to_string(fields.size()));
  }
  if (fields[1].empty()) return error("column 2 (individual): empty individual id");
  if (fields[0].empty()) return error("column 1 (family): empty family id");
  const auto phenotype = ParsePhenotype(fields[5]);
  if (!phenotype) {
    return error(
        "column 6 (phenotype): expected 1 (unaffected), 2 (affected), 0 or -9 (unknown), "
        "found '" +
        std::string(fields[5]) + "'");
  }
  PedigreeMember member;
  member.family = std::string(fields[0]);
  member.individual = std::string(fields[1]);
  if (!IsUnknownParent(fields[2])) member.father = std::string(fields[2]);
  if (!IsUnknownParent(fields[3])) member.mother = std::string(fields[3]);
  if (!member.father.empty() && member.father == member.individual) {
    return error("column 3 (father): individual '" + member.individual + "' is their own father");
  }
  if (!member.mother.empty() && member.mother == member.individual) {
    return error("column 4 (mother): individual '" + member.individual + "' is their own mother");
  }
  member.sex = ParseSex(fields[4]);
  member.phenotype = *phenotype;
  member.line = line_number;
  auto [it, inserted] = index_.try_emplace(member.individual, members_.size());
  if (!inserted) {
    return error("column 2 (individual): '" + member.individual + "' is already defined at line " +
                 std::to_string(members_[it->second].line));
  }
  members_.push_back(std::move(member));
  return Status::Ok();
}

Result<Pedigree> Pedigree::Load(const std::string& path) {
  auto reader = TextLineReader::Open(path);
  if (!reader.ok()) return reader.status();
  Pedigree pedigree;
  std::string_view line;
  while (true) {
    auto more = reader->Next(&line);
    if (!more.ok()) return more.status().WithContext(path);
    if (!*more) break;
    VCFAGENT_RETURN_IF_ERROR(pedigree.AddLine(line, reader->line_number(), path));
  }
  if (pedigree.members_.empty())
    return Status::InvalidInput(path + ": no individuals in the pedigree");
  return pedigree;
}

Result<Pedigree> Pedigree::Parse(std::string_view text, const std::string& display_name) {
  Pedigree pedigree;
  int64_t line_number = 0;
  Status status;
  ForEachPart(text, '\n', [&](std::string_view line) {
    ++line_number;
    if (!status.ok()) return;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    status = pedigree.AddLine(line, line_number, display_name);
  });
  VCFAGENT_RETURN_IF_ERROR(status);
  if (pedigree.members_.empty()) {
    return Status::InvalidInput(display_name + ": no individuals in the pedigree");
  }
  return pedigree;
}

const PedigreeMember* Pedigree::Find(std::string_view individual) const {
  auto it = index_.find(std::string(individual));
  return it == index_.end() ? nullptr : &members_[it->second];
}

}  // namespace vcfagent::store
