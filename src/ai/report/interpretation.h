// Interpretation: the AI-written section of the analyze report, made from the computed facts only.
//
// Contract:
// - The prompt follows a versioned template (kPromptTemplateId, recorded in the report). It holds
//   the facts as JSON (InterpretationFacts: the report facts without per-sample rows beyond
//   kPromptSampleRows, plots or timings), never raw file text. Text that comes from the file
//   (sample names, genes, INFO values, validation messages) travels only inside that JSON, and the
//   instructions say it is data, never instructions.
// - The answer must be one JSON object conforming to InterpretationSchema() (summary,
//   qc_assessment, notable_findings [{variant, gene, assessment, evidence}], recommendations,
//   caveats), sent as ChatRequest::response_schema and checked with ai::ValidateAgainstSchema.
//   Each finding's variant must be one of the report's notable variants (chrom:pos:ref:alt as
//   listed), so the model cannot cite a variant the facts do not have.
// - An answer that is not JSON, violates the schema or cites an unknown variant is sent back with
//   the violations, up to `max_retries` more times; still invalid, the interpretation is "failed"
//   with the last violations. A provider error is "failed" with its message (which never holds a
//   key: providers redact them).
// - The result is the report's "interpretation" object: status ("ok", "failed", "not-made"),
//   statement (one plain sentence), prompt_template, provider, model, attempts, usage, and
//   result (ok) or violations/error (failed).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ai/chat.h"

namespace vcfagent::ai::report {

inline constexpr const char* kPromptTemplateId = "interpretation-v1";
inline constexpr int kInterpretationRetries = 2;
inline constexpr size_t kPromptSampleRows = 50;

const nlohmann::json& InterpretationSchema();

// The facts the model sees (see the contract).
nlohmann::json InterpretationFacts(const nlohmann::json& facts);

// The first request of the conversation: system instructions and the facts.
ChatRequest BuildInterpretationRequest(const nlohmann::json& facts);

// The "interpretation" object when no model was asked; `reason` completes "No AI interpretation
// was made (REASON).".
nlohmann::json NoInterpretation(const std::string& reason);

// Asks `provider` and validates the answer, retrying as the contract says.
nlohmann::json Interpret(ChatProvider& provider, const nlohmann::json& facts, int max_retries = kInterpretationRetries);

}  // namespace vcfagent::ai::report
