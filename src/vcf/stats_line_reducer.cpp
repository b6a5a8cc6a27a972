#include "vcf/stats_line_reducer.h"

#include <algorithm>
#include <array>
#include <cstdint>

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

// Appends the sample columns `samples` (tab-separated) keeping the subfields whose index is set
// in `keep`, in one pass over the characters.
void ReduceSamples(std::string_view samples, uint64_t keep, std::string* out) {
  const size_t start = out->size();
  // Never longer than the input, but for a "." per empty sample.
  const size_t nsamples = std::count(samples.begin(), samples.end(), '\t') + 1;
  out->resize(start + samples.size() + nsamples);
  char* w = out->data() + start;
  int field = 0;
  bool kept = keep & 1;
  bool wrote_field = kept;  // a kept field was started for the current sample
  const char* sample_start = w;
  // A sample left empty (its kept subfields are all absent) becomes ".", i.e. missing, which is
  // what htslib makes of absent trailing subfields.
  auto finish_sample = [&] {
    if (w == sample_start) *w++ = '.';
  };
  for (const char c : samples) {
    if (c == ':') {
      ++field;
      kept = field < 64 && ((keep >> field) & 1);
      if (kept && wrote_field) *w++ = ':';
      if (kept) wrote_field = true;
      continue;
    }
    if (c == '\t') {
      finish_sample();
      *w++ = '\t';
      sample_start = w;
      field = 0;
      kept = keep & 1;
      wrote_field = kept;
      continue;
    }
    if (kept) {
      *w++ = c;
      wrote_field = true;
    }
  }
  finish_sample();
  out->resize(w - out->data());
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
  uint64_t keep = 0;
  int nkeep = 0, field = 0;
  std::string reduced_format;
  for (size_t p = 0; p <= format.size();) {
    size_t end = format.find(':', p);
    if (end == kNoColumn) end = format.size();
    const std::string_view key = format.substr(p, end - p);
    if (IsKeptFormatKey(key)) {
      if (field >= 64) {  // an unusual FORMAT: leave the samples to htslib as they are
        out->append(line.substr(info_end));
        return;
      }
      if (nkeep) reduced_format.push_back(':');
      reduced_format.append(key);
      keep |= uint64_t{1} << field;
      ++nkeep;
    }
    ++field;
    p = end + 1;
  }
  if (nkeep == 0 || nkeep == field) {  // nothing to keep, or nothing to drop
    out->append(line.substr(info_end));
    return;
  }
  out->push_back('\t');
  out->append(reduced_format);
  if (ntabs < 9) return;
  out->push_back('\t');
  ReduceSamples(line.substr(tab[8] + 1), keep, out);
}

}  // namespace vcfagent::vcf
