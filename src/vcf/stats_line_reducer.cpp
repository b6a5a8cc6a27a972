#include "vcf/stats_line_reducer.h"

#include <array>

namespace vcfagent::vcf {

namespace {

constexpr size_t kNoColumn = std::string_view::npos;

bool IsKeptInfoKey(std::string_view key) { return key == "AN" || key == "AC" || key == "DP"; }
bool IsKeptFormatKey(std::string_view key) { return key == "GT" || key == "DP" || key == "AD"; }

// Appends the INFO entries stats reads ("." when none is left).
void ReduceInfo(std::string_view info, std::string* out) {
  const size_t start = out->size();
  size_t pos = 0;
  while (pos <= info.size()) {
    size_t end = info.find(';', pos);
    if (end == kNoColumn) end = info.size();
    const std::string_view entry = info.substr(pos, end - pos);
    const std::string_view key = entry.substr(0, entry.find('='));
    if (IsKeptInfoKey(key)) {
      if (out->size() > start) out->push_back(';');
      out->append(entry);
    }
    pos = end + 1;
  }
  if (out->size() == start) out->push_back('.');
}

// Appends the subfields of `sample` listed in `keep` (ascending indexes), joined by ':'.
void ReduceSample(std::string_view sample, const std::array<int, 3>& keep, int nkeep,
                  std::string* out) {
  int field = 0, k = 0;
  size_t pos = 0;
  bool first = true;
  while (k < nkeep && pos <= sample.size()) {
    size_t end = sample.find(':', pos);
    if (end == kNoColumn) end = sample.size();
    if (field == keep[k]) {
      if (!first) out->push_back(':');
      out->append(sample.substr(pos, end - pos));
      first = false;
      ++k;
    }
    ++field;
    pos = end + 1;
  }
}

}  // namespace

void ReduceVcfLineForStats(std::string_view line, bool keep_samples, std::string* out) {
  // The first nine column boundaries.
  std::array<size_t, 9> tab{};
  size_t pos = 0;
  int ntabs = 0;
  while (ntabs < 9) {
    const size_t t = line.find('\t', pos);
    if (t == kNoColumn) break;
    tab[ntabs++] = t;
    pos = t + 1;
  }
  if (ntabs < 7) {  // not even INFO: let htslib report it
    out->append(line);
    return;
  }
  // CHROM POS
  out->append(line.substr(0, tab[1] + 1));
  out->append(".\t");  // ID
  out->append(line.substr(tab[2] + 1, tab[5] - tab[2]));  // REF ALT QUAL and the tab after
  out->append(".\t");  // FILTER
  const size_t info_end = ntabs >= 8 ? tab[7] : line.size();
  ReduceInfo(line.substr(tab[6] + 1, info_end - tab[6] - 1), out);
  if (ntabs < 8 || !keep_samples) return;

  const size_t format_end = ntabs >= 9 ? tab[8] : line.size();
  const std::string_view format = line.substr(tab[7] + 1, format_end - tab[7] - 1);
  std::array<int, 3> keep{};
  int nkeep = 0, field = 0;
  std::string reduced_format;
  for (size_t p = 0; p <= format.size();) {
    size_t end = format.find(':', p);
    if (end == kNoColumn) end = format.size();
    const std::string_view key = format.substr(p, end - p);
    if (IsKeptFormatKey(key)) {
      if (nkeep == 3) {  // a repeated key: unusual, leave the samples to htslib as they are
        out->append(line.substr(info_end));
        return;
      }
      if (nkeep) reduced_format.push_back(':');
      reduced_format.append(key);
      keep[nkeep++] = field;
    }
    ++field;
    p = end + 1;
  }
  // Rewriting the samples costs a pass over them; it pays off only when htslib is spared
  // parsing at least two subfields (such as GQ and PL), not for one short one.
  if (nkeep == 0 || field - nkeep < 2) {
    out->append(line.substr(info_end));
    return;
  }
  out->push_back('\t');
  out->append(reduced_format);
  if (ntabs < 9) return;
  size_t sample_start = tab[8] + 1;
  for (;;) {
    size_t end = line.find('\t', sample_start);
    const bool last = end == kNoColumn;
    if (last) end = line.size();
    out->push_back('\t');
    ReduceSample(line.substr(sample_start, end - sample_start), keep, nkeep, out);
    if (last) break;
    sample_start = end + 1;
  }
}

}  // namespace vcfagent::vcf
