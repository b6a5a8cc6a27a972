// ConsequenceParser against the corpus: VEP's own Allele/ALLELE_NUM columns, and bcftools
// +split-vep's choice of the worst consequence (-s worst) on VEP CSQ, SnpEff ANN and bcftools
// BCSQ annotations.
#include "store/annotation/consequence.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "support/test_support.h"
#include "vcf/variant_reader.h"

namespace vcfagent::store {
namespace {

using testing::CorpusPath;
using testing::RunProgram;

std::vector<std::string> SplitString(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    out.emplace_back(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = SplitString(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// bcftools' default severity scale (+split-vep -S -): substrings, one level per line.
// VEP's published consequence order (Ensembl "Calculated variant consequences"), least severe
// first as bcftools -S expects, with the older names VEP and SnpEff still write beside their
// current equivalents. coding_transcript_variant is left out: bcftools matches scale words as
// substrings and it is part of non_coding_transcript_variant.
constexpr const char* kVepScale =
    "sequence_variant\n"
    "intergenic_variant intergenic_region\n"
    "regulatory_region_variant\n"
    "regulatory_region_amplification\n"
    "regulatory_region_ablation\n"
    "TF_binding_site_variant\n"
    "TFBS_amplification\n"
    "TFBS_ablation\n"
    "downstream_gene_variant\n"
    "upstream_gene_variant\n"
    "non_coding_transcript_variant\n"
    "NMD_transcript_variant\n"
    "intron_variant\n"
    "non_coding_transcript_exon_variant non_coding_exon_variant\n"
    "3_prime_UTR_variant\n"
    "5_prime_UTR_variant\n"
    "mature_miRNA_variant\n"
    "coding_sequence_variant\n"
    "synonymous_variant\n"
    "stop_retained_variant\n"
    "start_retained_variant\n"
    "incomplete_terminal_codon_variant\n"
    "splice_polypyrimidine_tract_variant\n"
    "splice_donor_region_variant\n"
    "splice_region_variant\n"
    "splice_donor_5th_base_variant\n"
    "protein_altering_variant\n"
    "missense_variant\n"
    "inframe_deletion\n"
    "inframe_insertion\n"
    "feature_truncation\n"
    "feature_elongation\n"
    "transcript_amplification\n"
    "start_lost\n"
    "stop_lost\n"
    "frameshift_variant\n"
    "stop_gained\n"
    "splice_donor_variant\n"
    "splice_acceptor_variant\n"
    "transcript_ablation\n";

class BcftoolsSeverity {
 public:
  // `scale` in bcftools -S format; empty = bcftools' default scale.
  explicit BcftoolsSeverity(const std::string& scale) {
    std::string text = scale;
    if (text.empty()) {
      auto result = RunProgram("bcftools", {"+split-vep", "-S", "-"});
      text = result.out + result.err;
    }
    int level = 0;
    for (const std::string& line : Lines(text)) {
      if (line.empty() || line[0] == '#') continue;
      ++level;
      std::istringstream words(line);
      std::string word;
      while (words >> word) words_.emplace_back(Lower(word), level);
    }
  }
  bool loaded() const { return words_.size() > 20; }
  // The level of a (possibly '&'-joined) consequence: the highest level any substring matches.
  int Level(const std::string& consequence) const {
    int best = 0;
    for (const std::string& term : SplitString(Lower(consequence), '&')) {
      for (const auto& [word, level] : words_) {
        if (term.find(word) != std::string::npos) best = std::max(best, level);
      }
    }
    return best;
  }

 private:
  std::vector<std::pair<std::string, int>> words_;
};

struct WorstRow {
  std::string consequence, impact, symbol;
};

// bcftools +split-vep -s worst, keyed by "CHROM POS REF ALT".
std::map<std::string, WorstRow> BcftoolsWorst(const std::string& path, const std::string& tag,
                                              bool has_impact, const std::string& scale_file) {
  const std::string format = std::string("%CHROM %POS %REF %ALT\t%Consequence\t") +
                             (has_impact ? "%IMPACT" : ".") + "\t%SYMBOL\n";
  std::vector<std::string> args = {"+split-vep", "-a", tag, "-s", "worst", "-f", format, path};
  if (!scale_file.empty()) args.insert(args.end(), {"-S", scale_file});
  auto result = RunProgram("bcftools", args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, WorstRow> rows;
  for (const std::string& line : Lines(result.out)) {
    auto cols = SplitString(line, '\t');
    if (cols.size() != 4) continue;
    rows.emplace(cols[0], WorstRow{cols[1], cols[2], cols[3]});
  }
  return rows;
}

struct ParsedRecord {
  std::string key;
  std::vector<AlleleConsequence> alleles;
};

std::vector<ParsedRecord> ParseFile(const std::string& path, const ConsequenceParser& parser) {
  std::vector<ParsedRecord> out;
  auto reader = vcf::VariantReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return out;
  auto rec = vcf::NewRecord();
  while (true) {
    auto more = (*reader)->Next(rec.get());
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
    bcf1_t* r = rec.get();
    bcf_unpack(r, BCF_UN_STR);
    std::string alts;
    for (int i = 1; i < r->n_allele; ++i) {
      if (i > 1) alts += ',';
      alts += r->d.allele[i];
    }
    ParsedRecord parsed;
    parsed.key = std::string(bcf_seqname((*reader)->header(), r)) + " " +
                 std::to_string(r->pos + 1) + " " + r->d.allele[0] + " " + alts;
    parsed.alleles = parser.ParseRecord((*reader)->header(), r);
    EXPECT_EQ(parsed.alleles.size(), static_cast<size_t>(r->n_allele - 1));
    out.push_back(std::move(parsed));
  }
  return out;
}

// Our per-ALT results against bcftools' per-record worst: the worst level over the ALTs must be
// bcftools' level; where we chose the same term, the impact and gene must be bcftools' too.
void ExpectAgreesWithBcftools(const std::vector<ParsedRecord>& ours,
                              const std::map<std::string, WorstRow>& theirs,
                              const std::string& scale, size_t min_compared) {
  BcftoolsSeverity severity(scale);
  ASSERT_TRUE(severity.loaded());
  size_t compared = 0, same_term = 0;
  for (const ParsedRecord& record : ours) {
    auto it = theirs.find(record.key);
    int our_level = 0;
    const AlleleConsequence* worst = nullptr;
    for (const AlleleConsequence& allele : record.alleles) {
      if (allele.consequence.empty()) continue;
      const int level = severity.Level(allele.consequence);
      if (worst == nullptr || level > our_level) {
        our_level = level;
        worst = &allele;
      }
    }
    if (it == theirs.end()) {
      EXPECT_EQ(worst, nullptr) << record.key << ": bcftools found no consequence";
      continue;
    }
    ASSERT_NE(worst, nullptr) << record.key << ": we found no consequence, bcftools "
                              << it->second.consequence;
    ++compared;
    EXPECT_EQ(our_level, severity.Level(it->second.consequence))
        << record.key << ": ours " << worst->consequence << ", bcftools " << it->second.consequence;
    const auto terms = SplitString(it->second.consequence, '&');
    bool same = false;
    for (const std::string& t : terms) same |= CanonicalConsequence(t) == worst->consequence;
    if (record.alleles.size() == 1 && same) {
      ++same_term;
      if (it->second.impact != ".") {
        EXPECT_EQ(ToString(worst->impact), it->second.impact) << record.key;
      }
      if (it->second.symbol != ".") {
        EXPECT_EQ(worst->gene, it->second.symbol) << record.key;
      }
    }
  }
  EXPECT_GE(compared, min_compared);
  EXPECT_GT(same_term, 0u);
}

bcf_hdr_t* ReadHeader(const std::string& path) {
  htsFile* fp = hts_open(path.c_str(), "r");
  bcf_hdr_t* header = fp ? bcf_hdr_read(fp) : nullptr;
  if (fp) hts_close(fp);
  return header;
}

// A copy of `path` with lines changed by `edit` (return false to drop a line).
template <typename Edit>
std::string RewriteCopy(const std::string& path, const std::string& out_path, Edit edit) {
  std::ifstream in(path);
  std::ofstream out(out_path);
  std::string line;
  while (std::getline(in, line)) {
    if (edit(line)) out << line << '\n';
  }
  return out_path;
}

TEST(ConsequenceTable, FollowsVepImpactsAndOrder) {
  EXPECT_EQ(ImpactOfConsequence("stop_gained"), Impact::kHigh);
  EXPECT_EQ(ImpactOfConsequence("splice_acceptor_variant"), Impact::kHigh);
  EXPECT_EQ(ImpactOfConsequence("missense_variant"), Impact::kModerate);
  EXPECT_EQ(ImpactOfConsequence("synonymous_variant"), Impact::kLow);
  EXPECT_EQ(ImpactOfConsequence("intron_variant"), Impact::kModifier);
  EXPECT_EQ(ImpactOfConsequence("intron_variant&splice_region_variant"), Impact::kLow);
  EXPECT_EQ(ImpactOfConsequence("missense"), Impact::kModerate);  // bcftools' short name
  EXPECT_EQ(ImpactOfConsequence("made_up_term"), Impact::kModifier);
  EXPECT_EQ(ImpactOfConsequence(""), Impact::kNone);
  EXPECT_LT(SeverityRank("transcript_ablation"), SeverityRank("stop_gained"));
  EXPECT_LT(SeverityRank("frameshift_variant"), SeverityRank("missense_variant"));
  EXPECT_LT(SeverityRank("missense_variant"), SeverityRank("splice_region_variant"));
  EXPECT_LT(SeverityRank("5_prime_UTR_variant"), SeverityRank("intron_variant"));
  EXPECT_LT(SeverityRank("intron_variant"), SeverityRank("intergenic_variant"));
  EXPECT_EQ(SeverityRank("3_PRIME_UTR_VARIANT"), SeverityRank("3_prime_utr"));
  EXPECT_EQ(SeverityRank("not_a_term"), kUnknownSeverityRank);
  EXPECT_EQ(CanonicalConsequence("3_prime_utr"), "3_prime_UTR_variant");
  EXPECT_EQ(CanonicalConsequence("inframe_altering"), "protein_altering_variant");
  EXPECT_EQ(CanonicalConsequence("missense_variant"), "missense_variant");
}

// VEP's allele convention on multiallelic insertions, deletions and mixtures.
TEST(VepAlleles, TrimsTheSharedFirstBaseOnlyForIndels) {
  using V = std::vector<std::string>;
  EXPECT_EQ(VepAlleleStrings({"A", "G"}), V({"G"}));
  EXPECT_EQ(VepAlleleStrings({"AC", "GT"}), V({"GT"}));             // MNV: untouched
  EXPECT_EQ(VepAlleleStrings({"A", "AT", "ATT"}), V({"T", "TT"}));  // insertions
  EXPECT_EQ(VepAlleleStrings({"ATT", "A", "AT"}), V({"-", "T"}));   // deletions
  EXPECT_EQ(VepAlleleStrings({"G", "C", "GC"}), V({"C", "GC"}));    // first bases differ
  EXPECT_EQ(VepAlleleStrings({"AT", "A", "*"}), V({"-", "*"}));     // '*' ignored, kept
}

// Every CSQ entry of bcftools' split-vep test set names its ALT twice, by VEP's Allele and by
// ALLELE_NUM: our VEP allele strings must map each Allele to the ALLELE_NUM VEP wrote.
TEST(VepAlleles, AgreeWithVepAlleleNumOnCorpus) {
  const std::string path = CorpusPath("bcftools/test/split-vep.vcf");
  auto result =
      RunProgram("bcftools", {"+split-vep", "-d", "-f", "%REF %ALT\t%Allele\t%ALLELE_NUM\n", path});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  size_t checked = 0, multiallelic = 0;
  for (const std::string& line : Lines(result.out)) {
    auto cols = SplitString(line, '\t');
    ASSERT_EQ(cols.size(), 3u) << line;
    if (cols[2] == ".") continue;
    auto ref_alt = SplitString(cols[0], ' ');
    std::vector<std::string> alleles = {ref_alt[0]};
    for (auto& alt : SplitString(ref_alt[1], ',')) alleles.push_back(alt);
    std::vector<std::string_view> views(alleles.begin(), alleles.end());
    const auto vep = VepAlleleStrings(views);
    const size_t num = std::stoul(cols[2]);
    ASSERT_GE(num, 1u);
    ASSERT_LE(num, vep.size()) << line;
    EXPECT_EQ(vep[num - 1], cols[1]) << line;
    ++checked;
    multiallelic += vep.size() > 1;
  }
  EXPECT_GT(checked, 1000u);
  EXPECT_GT(multiallelic, 50u);
}

// Mapping by the Allele column must give the same per-ALT results as mapping by ALLELE_NUM.
TEST(ConsequenceParser, AlleleColumnMappingEqualsAlleleNumMapping) {
  const std::string path = CorpusPath("bcftools/test/split-vep.vcf");
  bcf_hdr_t* header = ReadHeader(path);
  ASSERT_NE(header, nullptr);
  auto by_num = ConsequenceParser::FromHeaderTag(header, "CSQ");
  ASSERT_TRUE(by_num.ok()) << by_num.status().message();
  bcf_hrec_t* hrec = bcf_hdr_get_hrec(header, BCF_HL_INFO, "ID", "CSQ", nullptr);
  std::string description = hrec->vals[bcf_hrec_find_key(hrec, "Description")];
  description.replace(description.find("ALLELE_NUM"), 10, "ALLELE_IDX");
  auto by_allele = ConsequenceParser::FromDescription("CSQ", description);
  ASSERT_TRUE(by_allele.ok());
  bcf_hdr_destroy(header);

  const auto a = ParseFile(path, *by_num);
  const auto b = ParseFile(path, *by_allele);
  ASSERT_EQ(a.size(), b.size());
  size_t multi = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].alleles.size(), b[i].alleles.size());
    multi += a[i].alleles.size() > 1;
    for (size_t j = 0; j < a[i].alleles.size(); ++j) {
      EXPECT_EQ(a[i].alleles[j].consequence, b[i].alleles[j].consequence)
          << a[i].key << " alt " << j;
      EXPECT_EQ(a[i].alleles[j].gene, b[i].alleles[j].gene) << a[i].key << " alt " << j;
      EXPECT_EQ(a[i].alleles[j].genes, b[i].alleles[j].genes) << a[i].key << " alt " << j;
    }
  }
  EXPECT_GT(multi, 30u);
}

TEST(ConsequenceParser, VepCsqWorstMatchesBcftoolsSplitVep) {
  const std::string path = CorpusPath("bcftools/test/split-vep.vcf");
  bcf_hdr_t* header = ReadHeader(path);
  auto parser = ConsequenceParser::FromHeader(header);
  bcf_hdr_destroy(header);
  ASSERT_TRUE(parser.has_value());
  EXPECT_EQ(parser->tag(), "CSQ");
  EXPECT_EQ(parser->style(), AnnotationStyle::kVep);
  testing::TempDir dir;
  testing::WriteFile(dir.File("vep.scale"), kVepScale);
  ExpectAgreesWithBcftools(ParseFile(path, *parser),
                           BcftoolsWorst(path, "CSQ", true, dir.File("vep.scale")), kVepScale, 700);
}

// SnpEff ANN: bcftools cannot read SnpEff's header, so it reads a copy whose Description uses
// VEP's wording for the same columns; we read the original.
TEST(ConsequenceParser, SnpEffAnnWorstMatchesBcftoolsSplitVep) {
  const std::string path = CorpusPath("slivar/tests/test.vcf");
  testing::TempDir dir;
  const std::string renamed = RewriteCopy(path, dir.File("ann.vcf"), [](std::string& line) {
    if (line.rfind("##INFO=<ID=ANN,", 0) == 0) {
      line =
          "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Format: Allele|Consequence|IMPACT|"
          "SYMBOL|Gene|Feature_Type|Feature|BIOTYPE|Rank|HGVSc|HGVSp|cDNA|CDS|AA|Distance|"
          "Errors\">";
    }
    return true;
  });
  bcf_hdr_t* header = ReadHeader(path);
  auto parser = ConsequenceParser::FromHeaderTag(header, "ANN");
  bcf_hdr_destroy(header);
  ASSERT_TRUE(parser.ok()) << parser.status().message();
  EXPECT_EQ(parser->style(), AnnotationStyle::kSnpEff);
  testing::WriteFile(dir.File("vep.scale"), kVepScale);
  ExpectAgreesWithBcftools(ParseFile(path, *parser),
                           BcftoolsWorst(renamed, "ANN", true, dir.File("vep.scale")), kVepScale,
                           50);
}

// BCSQ: bcftools +split-vep needs a "Consequence" column and does not skip '@' pointers, so it
// reads a copy with the column renamed and the pointer entries removed; we read the original.
void CheckBcsq(const std::string& name, size_t min_compared) {
  const std::string path = CorpusPath("slivar/tests/" + name);
  testing::TempDir dir;
  const std::string renamed = RewriteCopy(path, dir.File("bcsq.vcf"), [](std::string& line) {
    if (line.rfind("##INFO=<ID=BCSQ,", 0) == 0) {
      line =
          "##INFO=<ID=BCSQ,Number=.,Type=String,Description=\"Format: Consequence|SYMBOL|Feature|"
          "BIOTYPE|STRAND|AA|DNA\">";
      return true;
    }
    if (line.empty() || line[0] == '#') return true;
    const size_t start = line.find("BCSQ=");
    if (start == std::string::npos) return true;
    const size_t end = line.find_first_of(";\t", start);
    std::string kept;
    for (const std::string& entry : SplitString(line.substr(start + 5, end - start - 5), ',')) {
      if (entry.empty() || entry[0] == '@' || entry[0] == '*') continue;
      kept += (kept.empty() ? "" : ",") + entry;
    }
    line.replace(start + 5, end - start - 5, kept.empty() ? "." : kept);
    return true;
  });
  bcf_hdr_t* header = ReadHeader(path);
  auto parser = ConsequenceParser::FromHeader(header);
  bcf_hdr_destroy(header);
  ASSERT_TRUE(parser.has_value());
  EXPECT_EQ(parser->tag(), "BCSQ");
  EXPECT_EQ(parser->style(), AnnotationStyle::kBcsq);
  // bcftools' default scale is written in bcftools/csq's own short terms.
  ExpectAgreesWithBcftools(ParseFile(path, *parser), BcftoolsWorst(renamed, "BCSQ", false, ""), "",
                           min_compared);
}

TEST(ConsequenceParser, BcsqWorstMatchesBcftoolsSplitVep) {
  CheckBcsq("with-bcsq.vcf", 4);
  CheckBcsq("comphet.csq.vcf", 4);
}

TEST(ConsequenceParser, BcsqPointersAreSkippedAndEntriesApplyToEveryAlt) {
  auto parser = ConsequenceParser::FromDescription(
      "BCSQ",
      "Local consequence annotation from BCFtools/csq. Format: "
      "'[*]consequence|gene|transcript|biotype[|strand|amino_acid_change|dna_change]' or ...");
  ASSERT_TRUE(parser.ok());
  auto out = parser->Parse(
      "@788407,*stop_gained|G0|T0|protein_coding,"
      "3_prime_utr|CHTF18|ENST1|NMD,missense|CHTF18|ENST2|protein_coding|+|761D>764N|x",
      {"G", "A", "C"});
  ASSERT_EQ(out.size(), 2u);
  for (const auto& allele : out) {
    EXPECT_EQ(allele.consequence, "missense_variant");
    EXPECT_EQ(allele.impact, Impact::kModerate);
    EXPECT_EQ(allele.gene, "CHTF18");
    EXPECT_EQ(allele.feature, "ENST2");
    EXPECT_EQ(allele.genes, std::vector<std::string>{"CHTF18"});
  }
  auto only_pointer = parser->Parse("@63280473", {"G", "A"});
  ASSERT_EQ(only_pointer.size(), 1u);
  EXPECT_TRUE(only_pointer[0].consequence.empty());
  EXPECT_EQ(only_pointer[0].impact, Impact::kNone);
}

// slivar's test.vcf CSQ has no Allele column: every entry applies to every ALT.
TEST(ConsequenceParser, CsqWithoutAlleleColumnAppliesToEveryAlt) {
  const std::string path = CorpusPath("slivar/tests/test.vcf");
  bcf_hdr_t* header = ReadHeader(path);
  auto parser = ConsequenceParser::FromHeader(header);
  bcf_hdr_destroy(header);
  ASSERT_TRUE(parser.has_value());
  EXPECT_EQ(parser->tag(), "CSQ");  // preferred over the ANN also present
  auto out = parser->Parse(
      "intron_variant|||ENSG1|GENE1|ENST1||||||,"
      "stop_gained&splice_region_variant|||ENSG2|GENE2|ENST2|||||",
      {"A", "C", "T"});
  ASSERT_EQ(out.size(), 2u);
  for (const auto& allele : out) {
    EXPECT_EQ(allele.consequence, "stop_gained");
    EXPECT_EQ(allele.impact, Impact::kHigh);
    EXPECT_EQ(allele.gene, "GENE2");
    EXPECT_EQ(allele.genes, (std::vector<std::string>{"GENE1", "GENE2"}));
  }
}

TEST(ConsequenceParser, VepMultiallelicMixedAllelesAndFallbackGeneId) {
  auto parser =
      ConsequenceParser::FromDescription("CSQ",
                                         "Consequence annotations from Ensembl VEP. Format: "
                                         "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature");
  ASSERT_TRUE(parser.ok());
  // REF GT, ALT G (deletion) and CT (SNV): first bases differ, so VEP writes the ALTs as given.
  auto out = parser->Parse(
      "G|frameshift_variant|HIGH||ENSG9|ENST9,CT|missense_variant|MODERATE|ABC|ENSG1|ENST1,"
      "CT|intron_variant|MODIFIER|XYZ|ENSG2|ENST2",
      {"GT", "G", "CT"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].consequence, "frameshift_variant");
  EXPECT_EQ(out[0].gene, "ENSG9");  // no SYMBOL: the gene id
  EXPECT_EQ(out[1].consequence, "missense_variant");
  EXPECT_EQ(out[1].gene, "ABC");
  EXPECT_EQ(out[1].genes, (std::vector<std::string>{"ABC", "XYZ"}));
  // Deletion + insertion sharing the first base: "-" and "TT".
  out = parser->Parse(
      "-|inframe_deletion|MODERATE|D|ENSGD|T1,TT|inframe_insertion|MODERATE|I|ENSGI|T2",
      {"AT", "A", "ATTT"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].gene, "D");
  EXPECT_EQ(out[1].gene, "I");
}

TEST(ConsequenceParser, MalformedEntriesAreSkipped) {
  auto parser = ConsequenceParser::FromDescription(
      "CSQ", "Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature|ALLELE_NUM");
  ASSERT_TRUE(parser.ok());
  auto out = parser->Parse(
      ",,|||,.,T|missense_variant|BOGUS|A|B|C|x,T|stop_gained|HIGH|A|B|C|9,"
      "T|synonymous_variant|LOW|S|E|F|1,|||||||||||||||||||",
      {"C", "T"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].consequence, "synonymous_variant");  // ALLELE_NUM x and 9 are invalid
  EXPECT_EQ(out[0].impact, Impact::kLow);
  EXPECT_TRUE(parser->Parse("", {"C", "T"})[0].consequence.empty());
  EXPECT_TRUE(parser->Parse("T|stop_gained|HIGH", {"C"}).empty());
}

TEST(ConsequenceParser, HeaderProblemsAreExplained) {
  const std::string path = CorpusPath("slivar/tests/h1000.vcf.gz");
  bcf_hdr_t* header = ReadHeader(path);
  ASSERT_NE(header, nullptr);
  EXPECT_FALSE(ConsequenceParser::FromHeader(header).has_value());
  auto missing = ConsequenceParser::FromHeaderTag(header, "NOPE");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("INFO/NOPE is not defined"), std::string::npos);
  auto not_string = ConsequenceParser::FromHeaderTag(header, "DP");
  ASSERT_FALSE(not_string.ok());
  EXPECT_NE(not_string.status().message().find("Type=String"), std::string::npos);
  bcf_hdr_destroy(header);
  auto no_format = ConsequenceParser::FromDescription("X", "just some text");
  ASSERT_FALSE(no_format.ok());
  EXPECT_NE(no_format.status().message().find("INFO/X"), std::string::npos);
  auto no_consequence = ConsequenceParser::FromDescription("X", "Format: Allele|Gene");
  ASSERT_FALSE(no_consequence.ok());
}

}  // namespace
}  // namespace vcfagent::store
