#include "ai/report/report_facts.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "ai/report/qc_facts.h"
#include "ai/report/relatedness_facts.h"
#include "util/number_text.h"
#include "util/progress.h"
#include "store/annotation/pedigree.h"
#include "vcf/input_limits.h"
#include "vcf/stats.h"
#include "vcf/stats_collector.h"
#include "vcf/validate/report_format.h"
#include "vcf/validate/validator.h"
#include "vcf/variant_reader.h"

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
json Seconds(double s) { return std::round(s * 1000) / 1000; }

constexpr size_t kListedRules = 10;
constexpr size_t kListedFindings = 10;

json ValidationFacts(const vcf::ValidationReport& report) {
  json full = vcf::ReportToJson(report);
  std::vector<vcf::RuleSummary> rules = report.summary;
  std::stable_sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
    if (a.severity != b.severity) return a.severity == vcf::Severity::kError;
    return a.count > b.count;
  });
  json top = json::array();
  for (size_t i = 0; i < rules.size() && i < kListedRules; ++i) {
    top.push_back({{"rule", rules[i].rule},
                   {"severity", vcf::SeverityName(rules[i].severity)},
                   {"count", rules[i].count},
                   {"first_line", rules[i].first_line},
                   {"first_message", rules[i].first_message}});
  }
  json findings = json::array();
  for (size_t i = 0; i < full["findings"].size() && i < kListedFindings; ++i) findings.push_back(full["findings"][i]);
  return {{"valid", report.valid},
          {"verdict", report.valid ? "valid" : "invalid"},
          {"vcf_version", report.vcf_version},
          {"errors", report.errors},
          {"warnings", report.warnings},
          {"records", report.records},
          {"lines", report.lines},
          {"rules_fired", report.summary.size()},
          {"top_rules", top},
          {"first_findings", findings}};
}

json VariantJson(const NotableVariant& v) {
  json carriers = json::array();
  for (const auto& c : v.carriers) carriers.push_back({{"sample", c.sample}, {"zygosity", c.zygosity}});
  json af = nullptr;
  // INFO/AF is the file's float, written as its own shortest decimal (rounding it to 6 places
  // would turn 1.5e-07 into 0); a frequency computed from counts is rounded to 6 places.
  if (v.af && v.af_source == "INFO/AF") af = JsonFloat(static_cast<float>(*v.af));
  else if (v.af) af = std::round(*v.af * 1e6) / 1e6;
  return {{"variant", fmt::format("{}:{}:{}:{}", v.chrom, v.pos, v.ref, v.alt)},
          {"chrom", v.chrom},
          {"pos", v.pos},
          {"ref", v.ref},
          {"alt", v.alt},
          {"gene", v.gene},
          {"consequence", v.consequence},
          {"impact", v.impact},
          {"clinvar", v.clinvar_class},
          {"clnsig", v.clnsig},
          {"af", af},
          {"af_source", v.af_source},
          {"carrier_count", v.carrier_count},
          {"carriers", carriers},
          {"carriers_left_out", v.carrier_count - v.carriers.size()}};
}

json ListJson(const NotableList& list, const std::string& criterion) {
  json items = json::array();
  for (const auto& v : list.items) items.push_back(VariantJson(v));
  return {{"criterion", criterion}, {"total", list.total}, {"listed", list.items.size()},
          {"left_out", list.total - list.items.size()}, {"items", items}};
}

}  // namespace

json NotableVariantFacts(const CohortScan& scan, const ScanLimits& limits) {
  std::string lof_terms;
  for (const auto& t : kLossOfFunctionTerms) lof_terms += (lof_terms.empty() ? "" : ", ") + t;
  json annotations = {{"clinvar_clnsig", scan.has_clnsig},
                      {"consequence_tag", scan.consequence_tag.empty() ? json(nullptr) : json(scan.consequence_tag)}};
  json out = {
      {"annotations", annotations},
      {"list_limit", limits.max_listed},
      {"carrier_limit", limits.max_carriers},
      {"order", "file order; lists keep their first entries and count the rest"},
      {"clinvar_pathogenic",
       ListJson(scan.clinvar, "INFO/CLNSIG classed pathogenic or likely-pathogenic")},
      {"high_impact", ListJson(scan.high_impact, "most severe consequence has impact HIGH (" +
                                                     (scan.consequence_tag.empty() ? std::string("no annotation")
                                                                                   : "INFO/" + scan.consequence_tag) +
                                                     ")")},
      {"rare_loss_of_function",
       ListJson(scan.rare_lof, fmt::format("consequence in {{{}}} and AF < {} (INFO/AF, else INFO/AC/AN, else the "
                                           "file's genotypes; af_source says which)",
                                           lof_terms, limits.rare_af))},
      {"loss_of_function_af_unknown", scan.lof_af_unknown}};
  std::vector<std::string> notes;
  if (!scan.has_clnsig) notes.push_back("no INFO/CLNSIG in the header: ClinVar significance not available");
  if (scan.consequence_tag.empty()) {
    notes.push_back("no CSQ, ANN or BCSQ annotation in the header: consequences not available");
  }
  out["notes"] = notes;
  return out;
}

namespace {

// Record lines handed from the validating thread (which reads the file) to the thread that parses
// them for the statistics and the scan, in batches: one hand-over per few thousand lines.
class RecordLineQueue {
 public:
  struct Batch {
    std::string text;                 // lines, back to back
    std::vector<size_t> ends;         // end offset of each line in `text`
    std::vector<int64_t> numbers;     // 1-based line number of each line
    std::vector<uint8_t> too_long;    // the line was past the line limit (not held)
  };
  static constexpr size_t kBatchLines = 4096;
  static constexpr size_t kMaxReady = 4;

  // Producer side. False once the consumer has stopped.
  bool Push(std::string_view line, int64_t number, bool too_long) {
    filling_.text.append(line);
    filling_.ends.push_back(filling_.text.size());
    filling_.numbers.push_back(number);
    filling_.too_long.push_back(too_long ? 1 : 0);
    if (filling_.ends.size() < kBatchLines && filling_.text.size() < (size_t{1} << 20)) return true;
    return Flush();
  }
  bool Flush() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return stopped_ || ready_.size() < kMaxReady; });
    if (stopped_) return false;
    if (!filling_.ends.empty()) ready_.push_back(std::move(filling_));
    filling_ = Batch();
    if (!spare_.empty()) {
      filling_ = std::move(spare_.back());
      spare_.pop_back();
      filling_.text.clear();
      filling_.ends.clear();
      filling_.numbers.clear();
      filling_.too_long.clear();
    }
    changed_.notify_all();
    return true;
  }
  void Close() {
    Flush();
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  // Consumer side: the next batch, or false at the end. `done` is given back for reuse.
  bool Pop(Batch* batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (batch->ends.capacity() > 0 && spare_.size() < kMaxReady) spare_.push_back(std::move(*batch));
    changed_.wait(lock, [this] { return closed_ || !ready_.empty(); });
    if (ready_.empty()) return false;
    *batch = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return true;
  }
  // The consumer gives up: the producer's next Push or Flush returns false.
  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  std::vector<Batch> spare_;
  Batch filling_;
  bool closed_ = false;
  bool stopped_ = false;
};

// The statistics and the scan of one file, fed the records of the single pass.
struct RecordConsumers {
  std::unique_ptr<vcf::StatsCollector> stats;
  std::unique_ptr<CohortScanner> scanner;
  double stats_s = 0, scan_s = 0;
  uint64_t records = 0;

  Status Start(const std::string& path, bcf_hdr_t* header, bool has_samples, const ScanLimits& limits) {
    vcf::StatsOptions stats_options;
    stats_options.samples = has_samples ? vcf::StatsOptions::Samples::kAll : vcf::StatsOptions::Samples::kNone;
    auto collector = vcf::StatsCollector::Create(header, stats_options);
    if (!collector.ok()) return collector.status().WithContext(vcf::DisplayName(path));
    stats = std::move(*collector);
    scanner = std::make_unique<CohortScanner>(header, limits);
    return Status::Ok();
  }
  // `where` names the record ("file:line"), for errors only.
  template <typename Where>
  Status Add(bcf1_t* rec, Where where) {
    auto t = Clock::now();
    Status st = stats->Add(rec);
    if (!st.ok()) return st.WithContext(where());
    auto u = Clock::now();
    stats_s += std::chrono::duration<double>(u - t).count();
    VCFAGENT_RETURN_IF_ERROR(scanner->Add(rec));
    scan_s += std::chrono::duration<double>(Clock::now() - u).count();
    if ((++records & 0xFFF) == 0 && CancelRequested()) return Status::Cancelled("interrupted");
    return Status::Ok();
  }
};

}  // namespace

Result<json> AnalyzeFile(const std::string& path, const AnalyzeOptions& options) {
  if (path == "-") {
    return Status::Usage("analyze reads its input's header before the records: give a file, not standard input");
  }
  // Our own reader of the header: whether per-sample statistics can be asked for (a sites-only
  // file has none), how many lines the header takes, and (text VCF) the header records are
  // parsed with. It reads no record.
  auto header_reader = vcf::VariantReader::Open(path);
  if (!header_reader.ok()) return header_reader.status();
  vcf::VariantReader& head = **header_reader;
  const bool has_samples = bcf_hdr_nsamples(head.header()) > 0;
  const bool is_bcf = head.kind().is_bcf;
  std::optional<store::Pedigree> pedigree;
  if (!options.ped_path.empty()) {
    auto ped = store::Pedigree::Load(options.ped_path);
    if (!ped.ok()) return ped.status();
    pedigree = std::move(*ped);
  }
  const auto start = Clock::now();

  // One pass: the validator reads the file, and every record it reads also feeds the statistics
  // and the scan. BCF records are handed over as decoded, on the validator's thread. Text lines
  // are parsed (htslib, with the acceptance rules of VariantReader) on a second thread, so that
  // validation and parsing, the two costly parts, run side by side.
  RecordConsumers consumers;
  vcf::ValidationOptions validation_options;
  validation_options.threads = options.threads;
  vcf::ValidationTaps taps;
  std::optional<Result<vcf::ValidationReport>> validation;
  double validate_s = 0;
  Status consumer_status;
  const std::string name = vcf::DisplayName(path);
  // Our reader's header serves the records of both: ValidateFile's own BCF reader is gone when it
  // returns, and the same header text gives the same dictionaries.
  VCFAGENT_RETURN_IF_ERROR(consumers.Start(path, head.header(), has_samples, options.limits));
  if (is_bcf) {
    taps.bcf_record = [&](bcf1_t* rec) {
      return consumers.Add(rec, [&] { return fmt::format("{}: record {}", name, consumers.records + 1); });
    };
    const auto t = Clock::now();
    validation.emplace(vcf::ValidateFile(path, validation_options, taps));
    validate_s = Since(t) - consumers.stats_s - consumers.scan_s;
  } else {
    RecordLineQueue queue;
    taps.skip_lines = head.line();
    taps.text_line = [&](std::string_view line, int64_t number, bool too_long) -> Status {
      if (!too_long) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // as the readers do
        if (line.empty()) return Status::Ok();  // blank lines carry no record
      }
      if (!queue.Push(line, number, too_long)) return Status::Cancelled("the record parser stopped");
      return Status::Ok();
    };
    JobControl* job = CurrentJob();
    std::thread validate_thread([&] {
      JobScope scope(job);
      const auto t = Clock::now();
      validation.emplace(vcf::ValidateFile(path, validation_options, taps));
      queue.Close();
      validate_s = Since(t);
    });
    {
      vcf::BcfRecordPtr rec = vcf::NewRecord();
      vcf::InputBudget budget;
      kstring_t line = {0, 0, nullptr};
      RecordLineQueue::Batch batch;
      while (consumer_status.ok() && queue.Pop(&batch)) {
        size_t begin = 0;
        for (size_t i = 0; i < batch.ends.size() && consumer_status.ok(); ++i) {
          const int64_t number = batch.numbers[i];
          auto where = [&] { return fmt::format("{}:{}", name, number); };
          if (batch.too_long[i] != 0) {
            consumer_status = budget.LineTooLong().WithContext(where());
            break;
          }
          line.l = 0;
          kputsn(batch.text.data() + begin, batch.ends[i] - begin, &line);
          begin = batch.ends[i];
          const auto t = Clock::now();
          consumer_status = vcf::ParseVcfRecordLine(&line, head.header(), rec.get(), name, number);
          consumers.stats_s += Since(t);  // parsing is charged to the statistics, as in their own pass
          if (consumer_status.ok()) consumer_status = consumers.Add(rec.get(), where);
        }
      }
      free(line.s);
      if (!consumer_status.ok()) queue.Stop();
    }
    validate_thread.join();
  }
  // As when the passes were separate: the validator's I/O errors first, then the records'.
  if (!validation->ok() && !(validation->status().kind() == ErrorKind::kCancelled && !consumer_status.ok())) {
    return validation->status();
  }
  if (!consumer_status.ok()) return consumer_status;
  // The records stop where the data became unreadable: the statistics would be partial.
  for (const vcf::RuleSummary& rule : validation->value().summary) {
    if (rule.rule == "unreadable-data") return Status::InvalidInput(rule.first_message);
  }
  std::optional<Result<vcf::VcfStats>> stats;
  stats.emplace(consumers.stats->Finish(path));
  std::optional<Result<CohortScan>> scan;
  scan.emplace(consumers.scanner->Finish());
  const double stats_s = consumers.stats_s, scan_s = consumers.scan_s;
  const double passes_s = Since(start);

  const auto rel_start = Clock::now();
  auto related = ComputeRelatednessFacts(scan->value(), options.limits, pedigree ? &*pedigree : nullptr,
                                         options.ped_path);
  if (!related.ok()) return related.status();
  const double related_s = Since(rel_start);

  const vcf::VcfStats& s = stats->value();
  json facts;
  facts["facts_version"] = kFactsVersion;
  facts["generated_by"] = std::string("vcf-agent ") + VCFAGENT_VERSION;
  facts["input"] = {{"path", path},
                    {"name", path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1)},
                    {"samples", s.summary.samples},
                    {"records", s.summary.records}};
  facts["validation"] = ValidationFacts(validation->value());
  facts["qc"] = QcFacts(s);
  if (!s.warnings.empty()) facts["qc"]["warnings"] = s.warnings;
  facts["sex"] = std::move(related->sex);
  facts["relatedness"] = std::move(related->relatedness);
  facts["pedigree"] = std::move(related->pedigree);
  facts["notable_variants"] = NotableVariantFacts(scan->value(), options.limits);
  facts["timings_seconds"] = {{"validate", Seconds(validate_s)},
                              {"stats", Seconds(stats_s)},
                              {"scan", Seconds(scan_s)},
                              {"passes_wall", Seconds(passes_s)},
                              {"sex_and_kinship", Seconds(related_s)},
                              {"total", Seconds(Since(start))}};
  return facts;
}

}  // namespace vcfagent::ai::report
