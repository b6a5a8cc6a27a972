// Helpers for the tests that validate the same content as BCF and as VCF text: conversion with
// htslib, the VCF text a BCF decodes to (what the validator checked before it judged samples from
// their decoded values), and a findings-by-findings comparison of two reports.
#pragma once

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <string>

#include "vcf/validate/validator.h"
#include "vcf/variant_reader.h"

namespace vcfagent::testing {

// Writes the VCF at `vcf_path` as BCF at `bcf_path` with htslib (as `bcftools view -Ob`); false if
// htslib cannot read every record or write them.
inline bool ConvertToBcf(const std::string& vcf_path, const std::string& bcf_path) {
  htsFile* in = hts_open(vcf_path.c_str(), "r");
  if (in == nullptr) return false;
  bcf_hdr_t* header = bcf_hdr_read(in);
  if (header == nullptr) {
    hts_close(in);
    return false;
  }
  htsFile* out = hts_open(bcf_path.c_str(), "wb");
  bool ok = out != nullptr && bcf_hdr_write(out, header) == 0;
  bcf1_t* rec = bcf_init();
  int ret = 0;
  while (ok && (ret = bcf_read(in, header, rec)) == 0) {
    if (rec->errcode != 0) ok = false;
    else ok = bcf_write(out, header, rec) == 0;
  }
  if (ret < -1) ok = false;
  bcf_destroy(rec);
  if (out != nullptr && hts_close(out) != 0) ok = false;
  bcf_hdr_destroy(header);
  hts_close(in);
  return ok;
}

// The VCF text of a BCF file as the validator's reader decodes it (header by bcf_hdr_format, each
// record by vcf_format); false if a record cannot be read.
inline bool DecodedText(const std::string& bcf_path, std::string* text) {
  auto reader = vcf::VariantReader::Open(bcf_path);
  if (!reader.ok()) return false;
  kstring_t s = {0, 0, nullptr};
  bool ok = bcf_hdr_format((*reader)->header(), 0, &s) == 0;
  vcf::BcfRecordPtr rec = vcf::NewRecord();
  while (ok) {
    auto more = (*reader)->Next(rec.get());
    if (!more.ok()) ok = false;
    if (!ok || !*more) break;
    ok = vcf_format((*reader)->header(), rec.get(), &s) == 0;
  }
  if (ok) text->assign(s.s == nullptr ? "" : s.s, s.l);
  free(s.s);
  return ok;
}

// The differences between two reports (empty when every count, summary and finding is the same).
inline std::string ReportDifferences(const vcf::ValidationReport& a, const vcf::ValidationReport& b) {
  std::string out;
  auto differ = [&](const std::string& what, const std::string& x, const std::string& y) {
    if (x != y) out += "\n  " + what + ": " + x + " | " + y;
  };
  differ("valid", a.valid ? "1" : "0", b.valid ? "1" : "0");
  differ("version", a.vcf_version, b.vcf_version);
  differ("errors", std::to_string(a.errors), std::to_string(b.errors));
  differ("warnings", std::to_string(a.warnings), std::to_string(b.warnings));
  differ("records", std::to_string(a.records), std::to_string(b.records));
  differ("lines", std::to_string(a.lines), std::to_string(b.lines));
  differ("rules", std::to_string(a.summary.size()), std::to_string(b.summary.size()));
  for (size_t i = 0; i < a.summary.size() && i < b.summary.size(); ++i) {
    const auto& x = a.summary[i];
    const auto& y = b.summary[i];
    differ("rule " + std::to_string(i),
           x.rule + " x" + std::to_string(x.count) + " first " + std::to_string(x.first_line) + ": " + x.first_message,
           y.rule + " x" + std::to_string(y.count) + " first " + std::to_string(y.first_line) + ": " + y.first_message);
  }
  differ("findings", std::to_string(a.findings.size()), std::to_string(b.findings.size()));
  for (size_t i = 0; i < a.findings.size() && i < b.findings.size(); ++i) {
    const auto& x = a.findings[i];
    const auto& y = b.findings[i];
    differ("finding " + std::to_string(i),
           x.rule + " line " + std::to_string(x.line) + " " + x.field + ": " + x.message + " / " + x.suggestion,
           y.rule + " line " + std::to_string(y.line) + " " + y.field + ": " + y.message + " / " + y.suggestion);
  }
  return out;
}

}  // namespace vcfagent::testing
