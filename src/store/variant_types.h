// Shared vocabulary of the variant store: the classes, impacts and zygosities that ingest writes,
// queries filter on, the similarity embedding encodes and the graph counts.
//
// Their names (ToString/Parse) are the ones stored in the database and shown to users, so they
// are part of the documented schema (docs/store.md): change them only with a schema migration.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vcfagent::store {

// The class of one alternate allele against its reference, after multiallelic splitting.
enum class VariantClass : uint8_t {
  kSnv,        // one base replaced by another
  kMnv,        // equal-length substitution of 2+ bases
  kInsertion,  // ref is a prefix of alt (after trimming the shared first base)
  kDeletion,   // alt is a prefix of ref
  kComplex,    // different lengths, not a pure insertion or deletion
  kSymbolic,   // <DEL>, <DUP>, breakends and other structural alleles
};
inline constexpr int kVariantClassCount = 6;

// Putative impact, in VEP/SnpEff's four levels; kNone when the variant has no annotation.
enum class Impact : uint8_t { kNone, kModifier, kLow, kModerate, kHigh };
inline constexpr int kImpactCount = 5;

// Copies of this alternate allele in a call: 0 hom-ref (or another alt), 1 het, 2 hom-alt.
enum class Zygosity : uint8_t { kHomRef = 0, kHet = 1, kHomAlt = 2, kMissing = 3 };

std::string_view ToString(VariantClass c);   // "snv", "mnv", "insertion", "deletion", "complex", "symbolic"
std::string_view ToString(Impact i);         // "none", "MODIFIER", "LOW", "MODERATE", "HIGH"
std::string_view ToString(Zygosity z);       // "hom-ref", "het", "hom-alt", "missing"
std::optional<VariantClass> ParseVariantClass(std::string_view text);
std::optional<Impact> ParseImpact(std::string_view text);  // case-insensitive
std::optional<Zygosity> ParseZygosity(std::string_view text);

// The class of `alt` against `ref` (VCF alleles, any case).
VariantClass ClassifyAllele(std::string_view ref, std::string_view alt);

}  // namespace vcfagent::store
