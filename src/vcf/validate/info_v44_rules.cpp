// INFO keys VCF 4.4 gives structure to: SVCLAIM per allele, the tandem-repeat family (RN, RUS,
// RUL, RUC, RB, RUB, CIRUC, CIRB) and the per-allele confidence intervals (VCF 4.4 section 5.3).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "vcf/validate/lexical.h"
#include "vcf/validate/line_checker.h"

namespace vcfagent::vcf::validate {

namespace {

std::vector<std::string_view> Split(std::string_view value) {
  std::vector<std::string_view> out;
  if (value.empty()) return out;
  ForEachPiece(value, ',', [&](std::string_view v) { out.push_back(v); });
  return out;
}

}  // namespace

bool LineChecker::CheckInfoV44(std::string_view key, std::string_view value, int64_t n) {
  static const std::set<std::string_view> kStructured = {"SVCLAIM", "RUS", "RUL", "RUC", "RB", "CIRUC", "CIRB", "RUB",
                                                         "MEINFO", "METRANS", "CICN", "CIPOS", "CIEND", "CILEN"};
  if (!kStructured.count(key)) return true;
  const std::vector<std::string_view> values = Split(value);
  auto info_value = [this](std::string_view k, std::string_view* v) {
    for (auto& [key2, raw] : info_entries_) {
      if (key2 == k) {
        *v = raw.empty() ? raw : raw.substr(1);
        return true;
      }
    }
    return false;
  };
  auto fail = [&](std::string message) {
    sink_.Error("info-v44-structure", n, fmt::format("INFO/{}", key), std::move(message),
                "See VCF 4.4 section 5.3 for how many values this key takes");
    return false;
  };
  auto expect_count = [&](size_t expected) {
    if (values.size() != expected) {
      return fail(fmt::format("INFO {} must have {} value(s), found {}", key, expected, values.size()));
    }
    return true;
  };
  // RN gives the number of repeat units per allele; without it each <CNV:TR> allele counts one.
  auto repeat_count = [&]() {
    std::string_view rn;
    long total = 0;
    if (info_value("RN", &rn) && !rn.empty()) {
      std::vector<std::string_view> r = Split(rn);
      for (size_t i = 0; i < alts_.size() && i < r.size(); i++) {
        long long x = 0;
        if (r[i] != "." && ParseStoiWhole(r[i], &x)) total += static_cast<long>(x);
      }
    } else {
      for (std::string_view alt : alts_) total += alt == "<CNV:TR>";
    }
    return static_cast<size_t>(total < 0 ? 0 : total);
  };

  if (key == "SVCLAIM") {
    static const std::map<std::string_view, std::set<std::string_view>> kAllowed = {
        {"DEL", {"D", "J", "DJ"}}, {"DUP", {"D", "J", "DJ"}}, {"CNV", {"D", "."}}, {"INV", {"J", "DJ", "."}},
        {"INS", {"J", "DJ", "."}}, {"BND", {"J", "."}},       {"OTHER", {"."}}};
    for (size_t i = 0; i < alts_.size(); i++) {
      std::string_view alt = alts_[i];
      std::string_view kind;
      if (alt == "." || alt == "<*>") continue;
      if (alt[0] == '<') {
        kind = "OTHER";
        for (std::string_view t : {"DUP", "DEL", "INS", "INV", "CNV"}) {
          if (alt.size() > 4 && alt.substr(1, 3) == t && (alt[4] == '>' || alt[4] == ':')) kind = t;
        }
      } else if (CountChar(alt, '[') == 2 || CountChar(alt, ']') == 2) {
        kind = "BND";
      } else {
        continue;
      }
      std::string_view v = i < values.size() ? values[i] : std::string_view();
      if (!kAllowed.at(kind).count(v)) {
        return fail(fmt::format("INFO SVCLAIM for allele {} must be one of the claims allowed for it (found '{}')", alt, v));
      }
    }
  } else if (key == "RUS" || key == "RUC" || key == "RB") {
    return expect_count(repeat_count());
  } else if (key == "RUL") {
    if (!expect_count(repeat_count())) return false;
    std::string_view rus;
    if (info_value("RUS", &rus) && rus != "." && !rus.empty()) {
      std::vector<std::string_view> units = Split(rus);
      if (units.size() != values.size()) return fail("INFO RUL and RUS count must match");
      for (size_t i = 0; i < values.size(); i++) {
        long long x = 0;
        if (!ParseStoiWhole(values[i], &x) || static_cast<size_t>(x) != units[i].size()) {
          return fail(fmt::format("INFO RUL not matching to RUS (length {} for {})", values[i], units[i]));
        }
      }
    }
  } else if (key == "CIRUC" || key == "CIRB") {
    std::string_view base_key = key == "CIRUC" ? "RUC" : "RB";
    std::string_view base;
    if (info_value(base_key, &base)) {
      std::vector<std::string_view> b = Split(base);
      if (!expect_count(2 * b.size())) return false;
      for (size_t i = 0; i < values.size(); i++) {
        if (b[i / 2] == "." && values[i] != ".") {
          return fail(fmt::format("INFO {} pos {} must be '.' as {} is missing", key, i + 1, base_key));
        }
      }
    } else if (!values.empty()) {
      return fail(fmt::format("INFO {} can not have values without {}", key, base_key));
    }
  } else if (key == "RUB") {
    std::string_view ruc;
    if (!info_value("RUC", &ruc)) return fail("INFO RUB must have RUC");
    long total = 0;
    for (std::string_view v : Split(ruc)) {
      if (v == ".") continue;
      long long x = 0;
      if (!ParseStoiWhole(v, &x)) return fail("INFO RUC must be integer with RUB");
      total += static_cast<long>(x);
    }
    return expect_count(static_cast<size_t>(total < 0 ? 0 : total));
  } else if (key == "MEINFO" || key == "METRANS") {
    return expect_count(4 * alts_.size());
  } else {  // CICN, CIPOS, CIEND, CILEN
    return expect_count(2 * alts_.size());
  }
  return true;
}

}  // namespace vcfagent::vcf::validate
