// `vcf-agent analyze` end to end: the three formats, self-contained HTML with well-formed SVG
// (checked by Python's XML parser), text from the file escaped, the plain no-AI statement, bad
// input (one message, exit 2 or 1, no partial file), and --ai against a scripted OpenAI server
// (valid answer; invalid then valid with the violations fed back; always invalid; no provider).
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/provider_wire.h"
#include "support/scripted_http_server.h"
#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::ExamplePath;
using testing::ReadFile;
using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;
using testing::WriteFile;

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Every <svg>...</svg> of an HTML file parsed as XML by Python (a parser we did not write).
constexpr const char* kSvgCheck = R"PY(
import re, sys, xml.etree.ElementTree as ET
html = open(sys.argv[1], encoding='utf-8').read()
svgs = re.findall(r'<svg\b.*?</svg>', html, re.S)
for s in svgs:
    root = ET.fromstring(s)
    assert root.tag == '{http://www.w3.org/2000/svg}svg', root.tag
    assert root.find('{http://www.w3.org/2000/svg}title') is not None
print(len(svgs))
)PY";

TEST(AnalyzeCliTest, HtmlReportIsSelfContainedWithWellFormedPlots) {
  TempDir dir;
  const std::string out = dir.File("trio.html");
  auto r = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ped", ExamplePath("giab-ashk-trio.ped"),
                        "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const std::string html = ReadFile(out);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // No external resources: no http(s) src/href, no scripts, no @import.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)", std::regex::icase)));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("id=\"ai-interpretation\""), std::string::npos);
  EXPECT_NE(html.find("No AI interpretation was made (--ai not given)."), std::string::npos);
  for (const char* plot : {"plot-variant-types", "plot-quality", "plot-depth", "plot-af-spectrum", "plot-indel-lengths",
                           "plot-samples"}) {
    EXPECT_NE(html.find(std::string("id=\"") + plot + "\""), std::string::npos) << plot;
  }
  auto py = RunProgram("python3", {"-c", kSvgCheck, out});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(std::stoi(py.out), 6);
  // The facts are there: both parent-child pairs, and the trio's high-impact variant in NPHP4.
  EXPECT_NE(html.find("parent-child"), std::string::npos);
  EXPECT_NE(html.find("NPHP4"), std::string::npos);
}

TEST(AnalyzeCliTest, JsonAndMarkdownCarryTheSameFacts) {
  TempDir dir;
  auto j = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", dir.File("r.json")});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto facts = nlohmann::json::parse(ReadFile(dir.File("r.json")));
  EXPECT_EQ(facts["facts_version"], "vcf-agent-report-facts/1");
  EXPECT_EQ(facts["interpretation"]["status"], "not-made");
  EXPECT_EQ(facts["interpretation"]["statement"], "No AI interpretation was made (--ai not given).");
  EXPECT_TRUE(facts["pedigree"].is_null());
  // Markdown on standard output by default.
  auto md = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz")});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out.rfind("# VCF analysis report: giab-ashk-trio-slice.vcf.gz", 0), 0u);
  EXPECT_NE(md.out.find("| Ts/Tv | " + facts["qc"]["tstv"]["ts_tv"].dump() + " |"), std::string::npos);
  EXPECT_NE(md.out.find("## AI interpretation\n\nNo AI interpretation was made (--ai not given)."), std::string::npos);
  EXPECT_EQ(md.out.find("<svg"), std::string::npos);
  // --format wins over the extension.
  auto forced = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--format", "json", "-o", "-"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(nlohmann::json::parse(forced.out)["qc"], facts["qc"]);
}

TEST(AnalyzeCliTest, TextFromTheFileIsEscaped) {
  TempDir dir;
  const std::string vcf = dir.File("evil.vcf");
  std::string text =
      "##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n"
      "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL\">\n"
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t<script>alert(1)</script>\tS|2\n"
      "1\t10\t.\tC\tT\t50\tPASS\tCSQ=T|stop_gained|HIGH|<img/src=x>\tGT\t0/1\t0/0\n";
  WriteFile(vcf, text);
  auto r = RunVcfAgent({"analyze", vcf, "-o", dir.File("evil.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadFile(dir.File("evil.html"));
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  auto py = RunProgram("python3", {"-c", kSvgCheck, dir.File("evil.html")});
  EXPECT_EQ(py.exit_code, 0) << py.err;
  auto md = RunVcfAgent({"analyze", vcf, "-o", dir.File("evil.md")});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  const std::string text_md = ReadFile(dir.File("evil.md"));
  EXPECT_EQ(text_md.find("<img"), std::string::npos);
  EXPECT_NE(text_md.find("S\\|2"), std::string::npos);  // a pipe in a sample name stays in its cell
}

TEST(AnalyzeCliTest, MissingFileIsOneMessageExit2NoOutput) {
  TempDir dir;
  auto r = RunVcfAgent({"analyze", dir.File("absent.vcf.gz"), "-o", dir.File("r.html")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("vcf-agent analyze: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("absent.vcf.gz"), std::string::npos);
  EXPECT_FALSE(Exists(dir.File("r.html")));
}

TEST(AnalyzeCliTest, UnsupportedExtensionIsAUsageError) {
  TempDir dir;
  auto r = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", dir.File("r.pdf")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("'.pdf'"), std::string::npos) << r.err;
  EXPECT_FALSE(Exists(dir.File("r.pdf")));
  auto f = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--format", "pdf"});
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("unknown report format 'pdf'"), std::string::npos) << f.err;
}

TEST(AnalyzeCliTest, UnwritableOutputIsExit2WithoutPartialFile) {
  TempDir dir;
  const std::string locked = dir.File("locked");
  ASSERT_EQ(mkdir(locked.c_str(), 0500), 0);
  auto r = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", locked + "/r.json"});
  chmod(locked.c_str(), 0700);
  if (geteuid() != 0) {  // root writes anywhere
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
    EXPECT_FALSE(Exists(locked + "/r.json"));
  }
  auto missing_dir = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", dir.File("no/such/r.json")});
  EXPECT_EQ(missing_dir.exit_code, 2);
  EXPECT_EQ(testing::Lines(missing_dir.err).size(), 1u) << missing_dir.err;
}

TEST(AnalyzeCliTest, UnparseableRecordIsExit1NamingTheLineAndNoPartialFile) {
  TempDir dir;
  // slivar's test.vcf has a genotype allele 6 on a record with two ALTs (line 186).
  auto r = RunVcfAgent({"analyze", testing::CorpusPath("slivar/tests/test.vcf"), "-o", dir.File("r.html")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("test.vcf:186"), std::string::npos) << r.err;
  EXPECT_FALSE(Exists(dir.File("r.html")));
}

TEST(AnalyzeCliTest, StandardInputIsRefused) {
  auto r = RunVcfAgent({"analyze", "-"}, "##fileformat=VCFv4.2\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("standard input"), std::string::npos) << r.err;
}

// ---- --ai through a scripted OpenAI server ------------------------------------------------------

const nlohmann::json kValidAnswer = {
    {"summary", "A GIAB trio slice of chromosome 1 with 999 records; Ts/Tv 3.14."},
    {"qc_assessment", "Validation fails on one header line; per-sample numbers are consistent."},
    {"notable_findings",
     {{{"variant", "1:5935162:A:T"}, {"gene", "NPHP4"}, {"assessment", "splice acceptor, high impact"},
       {"evidence", "BCSQ splice_acceptor; carriers listed in the report"}}}},
    {"recommendations", {"Fix the FORMAT header line."}},
    {"caveats", {"Only chromosome 1; no chrX, so sex is not inferred."}}};

std::vector<std::pair<std::string, std::string>> OpenAiEnv(const testing::ScriptedHttpServer& server, const TempDir& home) {
  return {{"OPENAI_API_KEY", testing::kTestOpenAiKey}, {"OPENAI_BASE_URL", server.url() + "/v1"},
          {"OPENAI_API_KEY_FILE", ""}, {"ANTHROPIC_API_KEY", ""}, {"ANTHROPIC_API_KEY_FILE", ""},
          {"OLLAMA_HOST", ""}, {"VCF_AGENT_PROVIDER", ""}, {"VCF_AGENT_CONFIG", ""}, {"HOME", home.path()}};
}

std::string AnswerText(const nlohmann::json& answer) { return answer.dump(); }

TEST(AnalyzeCliTest, AiInterpretationFromAValidAnswerIsRendered) {
  testing::ScriptedHttpServer server;
  server.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse(AnswerText(kValidAnswer)));
  TempDir dir;
  auto r = testing::RunVcfAgentWithEnv({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ai", "--provider", "openai",
                                        "-o", dir.File("r.json")},
                                       OpenAiEnv(server, dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(ReadFile(dir.File("r.json")));
  const auto& in = report["interpretation"];
  EXPECT_EQ(in["status"], "ok") << in.dump();
  EXPECT_EQ(in["prompt_template"], "interpretation-v1");
  EXPECT_EQ(in["provider"], "openai");
  EXPECT_EQ(in["attempts"], 1);
  EXPECT_EQ(in["result"], kValidAnswer);
  // The request: the schema as response_format, the facts (not the raw file) in the prompt.
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body["response_format"]["type"], "json_schema") << body.dump().substr(0, 400);
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"]["required"].size(), 5u);
  const std::string prompt = body["messages"].back()["content"].get<std::string>();
  EXPECT_NE(prompt.find("interpretation-v1"), std::string::npos);
  EXPECT_NE(prompt.find("\"facts_version\":\"vcf-agent-report-facts/1\""), std::string::npos);
  EXPECT_EQ(prompt.find("VQSRTrancheSNP99.90to100.00"), std::string::npos);  // no raw records
  EXPECT_EQ(ReadFile(dir.File("r.json")).find(testing::kTestOpenAiKey), std::string::npos);
  EXPECT_EQ(r.err.find(testing::kTestOpenAiKey), std::string::npos);
  // HTML shows it in the AI section.
  server.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse(AnswerText(kValidAnswer)));
  auto html = testing::RunVcfAgentWithEnv({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ai", "--provider",
                                           "openai", "-o", dir.File("r.html")},
                                          OpenAiEnv(server, dir));
  ASSERT_EQ(html.exit_code, 0) << html.err;
  const std::string text = ReadFile(dir.File("r.html"));
  EXPECT_NE(text.find("Fix the FORMAT header line."), std::string::npos);
  EXPECT_NE(text.find("interpretation-v1"), std::string::npos);
}

TEST(AnalyzeCliTest, AiInvalidAnswerIsRetriedWithTheViolations) {
  testing::ScriptedHttpServer server;
  nlohmann::json invalid = kValidAnswer;
  invalid.erase("caveats");
  invalid["notable_findings"][0]["variant"] = "1:999:A:C";  // not in the facts: the grounding check
  server.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse(AnswerText(invalid)));
  server.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse(AnswerText(kValidAnswer)));
  TempDir dir;
  auto r = testing::RunVcfAgentWithEnv({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ai", "--provider", "openai",
                                        "-o", dir.File("r.json")},
                                       OpenAiEnv(server, dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(ReadFile(dir.File("r.json")));
  EXPECT_EQ(report["interpretation"]["status"], "ok");
  EXPECT_EQ(report["interpretation"]["attempts"], 2);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto second = nlohmann::json::parse(requests[1].body);
  const std::string feedback = second["messages"].back()["content"].get<std::string>();
  EXPECT_NE(feedback.find("caveats"), std::string::npos) << feedback;
  EXPECT_EQ(second["messages"][second["messages"].size() - 2]["role"], "assistant");

  // Schema violations come first; once the schema holds, an unknown variant is refused too.
  testing::ScriptedHttpServer grounding;
  nlohmann::json unknown = kValidAnswer;
  unknown["notable_findings"][0]["variant"] = "1:999:A:C";
  grounding.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse(AnswerText(unknown)));
  grounding.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse(AnswerText(kValidAnswer)));
  auto g = testing::RunVcfAgentWithEnv({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ai", "--provider", "openai",
                                        "-o", dir.File("g.json")},
                                       OpenAiEnv(grounding, dir));
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const auto fed = nlohmann::json::parse(grounding.requests().at(1).body)["messages"].back()["content"].get<std::string>();
  EXPECT_NE(fed.find("'1:999:A:C' is not one of the report's notable variants"), std::string::npos) << fed;
}

TEST(AnalyzeCliTest, AiAlwaysInvalidIsReportedAsAFailureWithExit1) {
  testing::ScriptedHttpServer server;
  for (int i = 0; i < 3; ++i) {
    server.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse("The file looks fine to me."));
  }
  TempDir dir;
  auto r = testing::RunVcfAgentWithEnv({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ai", "--provider", "openai",
                                        "-o", dir.File("r.html")},
                                       OpenAiEnv(server, dir));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_NE(r.err.find("still invalid after 3 attempts"), std::string::npos) << r.err;
  const std::string html = ReadFile(dir.File("r.html"));  // the report is still written
  EXPECT_NE(html.find("No AI interpretation: the answer was still invalid after 3 attempts."), std::string::npos);
  EXPECT_NE(html.find("not a JSON object"), std::string::npos);
  EXPECT_NE(html.find("Ts/Tv"), std::string::npos);
}

TEST(AnalyzeCliTest, AiWithoutAProviderSaysSoPlainly) {
  testing::ScriptedHttpServer server;  // never called
  TempDir dir;
  auto env = OpenAiEnv(server, dir);
  for (auto& [name, value] : env) {
    if (name == "OPENAI_API_KEY" || name == "OPENAI_BASE_URL") value = "";
  }
  auto r = testing::RunVcfAgentWithEnv({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ai", "-o", dir.File("r.md")}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadFile(dir.File("r.md")).find("No AI interpretation was made (no provider configured"), std::string::npos);
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
}  // namespace vcfagent
