// The variant store's routes: ingest (a job, role write), variants, similar, the graph queries,
// read-only SQL and a summary. Each read opens the store read-only for the request (SQLite WAL:
// readers never wait for an ingest job's writes); the in-memory cohort graph and similarity index
// are loaded once per store generation and shared by concurrent requests; during an ingest they
// are reloaded in the background (GenerationCache).
// Results are the JSON `vcf-agent variants|similar|graph|sql --format json` prints.
#include <fmt/format.h>

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "obs/log.h"
#include "obs/service_metrics.h"
#include "obs/timed_span.h"
#include "server/openapi_schemas.h"
#include "server/route_support.h"
#include "server/service.h"
#include "store/graph_loader.h"
#include "store/graph_queries.h"
#include "store/ingest.h"
#include "store/similar.h"
#include "store/similarity/embedding.h"
#include "store/similarity/vector_index.h"
#include "store/similarity_update.h"
#include "store/sql_query.h"
#include "store/store.h"
#include "store/variant_format.h"
#include "store/variant_query.h"
#include "vcf/input_limits.h"
#include "vcf/variant_reader.h"

namespace vcfagent::server {

namespace {

using nlohmann::json;
namespace oa = openapi;

constexpr int64_t kMaxPage = 10000;

// ---- ingest ----

std::vector<json> RefList(const json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return {};
  if (!body[field].is_array()) return {body[field]};
  return body[field].get<std::vector<json>>();
}

void Ingest(RequestContext& ctx) {
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"files", "ped", "genes", "annotate", "annotate_fields", "fasta", "batch_records", "index"});
  const std::vector<json> refs = RefList(body, "files");
  if (refs.empty()) ThrowBadRequest("files: at least one file is required");
  std::vector<std::string> paths;
  for (size_t i = 0; i < refs.size(); ++i) {
    paths.push_back(InputFileOrThrow(ctx, refs[i], fmt::format("files[{}]", i)));
  }
  // The inputs are checked before the job starts: a file that is not VCF/BCF, or whose header is
  // broken, is a 422 now, and the store is not touched.
  if (Status inputs = store::CheckIngestInputs(paths); !inputs.ok()) ThrowStatus(inputs);
  store::IngestOptions options;
  if (body.contains("ped")) options.ped_path = InputFileOrThrow(ctx, body["ped"], "ped");
  if (body.contains("genes")) options.genes_path = InputFileOrThrow(ctx, body["genes"], "genes");
  if (body.contains("fasta")) options.fasta_path = InputFileOrThrow(ctx, body["fasta"], "fasta");
  const std::vector<json> annotate = RefList(body, "annotate");
  for (size_t i = 0; i < annotate.size(); ++i) {
    options.annotate_paths.push_back(InputFileOrThrow(ctx, annotate[i], fmt::format("annotate[{}]", i)));
  }
  options.annotate_fields = OptionalStrings(body, "annotate_fields");
  options.batch_records = OptionalInt(body, "batch_records", options.batch_records, 1, 10000000);
  options.threads = 0;
  options.show_progress = true;  // feeds the job's progress (drawn only on a terminal)
  const bool index = OptionalBool(body, "index", true);
  const std::string dir = ctx.service.config().store_dir;

  auto work = [dir, paths, options, index]() -> Result<json> {
    // This service's ingest jobs write one at a time: a second one waits for the first (its
    // progress says so) instead of failing on the store's write lock.
    static std::timed_mutex writer;
    std::unique_lock turn(writer, std::defer_lock);
    if (!turn.try_lock()) {
      if (JobControl* job = CurrentJob()) job->SetStep("waiting for the running ingest to finish");
      while (!turn.try_lock_for(std::chrono::milliseconds(200))) {
        if (CancelRequested()) return Status::Cancelled("cancelled while waiting for the running ingest to finish");
      }
    }
    vcf::InputLimitsScope limits(vcf::ServiceRequestLimits());  // line and decompression bombs
    store::StoreWriteScope writing;  // through the index update: caches serve what they hold
    auto store = store::Store::Open(dir, store::Store::Access::kWrite);
    if (!store.ok()) return store.status();
    auto summary = store::Ingest(**store, paths, options);
    if (!summary.ok()) return summary.status();
    json result = store::IngestSummaryToJson(*summary);
    if (index) {
      (void)(*store)->db().Exec("PRAGMA cache_size=-8192");
      malloc_trim(0);
      auto update = store::UpdateSimilarityIndex(**store, true);
      if (!update.ok()) return update.status().WithContext("the files are in the store, but the similarity index failed");
      result["similarity_index"] = {{"space", update->space}, {"variants", update->indexed},
                                    {"added", update->added}, {"seconds", update->seconds}};
    }
    return result;
  };
  auto job = ctx.service.jobs().Submit("ingest", ctx.principal.name, body, ctx.span, std::move(work));
  if (!job) ThrowTooManyJobs(ctx);
  SendJobAccepted(ctx, **job);
}

// ---- variants ----

void Variants(RequestContext& ctx) {
  RejectUnknownQueryParams(ctx.req, {"region", "gene", "sample", "zygosity", "where", "sort", "desc", "limit", "offset"});
  store::VariantQuery query;
  for (const std::string& text : QueryParams(ctx.req, "region")) {
    auto regions = vcf::ParseRegionList(text);
    if (!regions.ok()) ThrowStatus(regions.status().WithContext("region"));
    query.regions.insert(query.regions.end(), regions->begin(), regions->end());
  }
  query.genes = QueryParams(ctx.req, "gene");
  query.sample = QueryParam(ctx.req, "sample").value_or("");
  if (auto zygosity_text = QueryParam(ctx.req, "zygosity")) {
    auto zygosity = store::ParseZygosity(*zygosity_text);
    if (!zygosity || (*zygosity != store::Zygosity::kHet && *zygosity != store::Zygosity::kHomAlt)) {
      ThrowBadRequest("zygosity: het or hom-alt");
    }
    if (query.sample.empty()) ThrowBadRequest("zygosity needs sample");
    query.zygosity = zygosity;
  }
  query.where = QueryParam(ctx.req, "where").value_or("");
  auto sort = store::ParseSort(QueryParam(ctx.req, "sort").value_or("position"));
  if (!sort.ok()) ThrowStatus(sort.status().WithContext("sort"));
  query.sort = **sort;
  query.descending = QueryBool(ctx.req, "desc", false);
  query.limit = QueryInt(ctx.req, "limit", 100, 1, kMaxPage);
  query.offset = QueryInt(ctx.req, "offset", 0, 0, INT64_MAX / 2);
  auto store = OpenStoreForReading(ctx);
  auto page = store::QueryVariants(*store, query);
  if (!page.ok()) ThrowStatus(page.status());
  auto text = store::FormatVariants(*store, *page, store::VariantOutput::kJson, query);
  if (!text.ok()) ThrowStatus(text.status());
  ctx.SendJson(json::parse(*text));
}

void VariantById(RequestContext& ctx) {
  const std::string spec = ctx.PathParam("id");
  auto store = OpenStoreForReading(ctx);
  auto key = store->ResolveVariant(spec);
  if (!key.ok()) ThrowProblem(MakeProblem(404, "not-found", key.status().message()));
  store::VariantQuery query;
  query.variant_ids = {key->variant_id};
  query.limit = 1;
  auto page = store::QueryVariants(*store, query);
  if (!page.ok()) ThrowStatus(page.status());
  if (page->variants.empty()) {
    ThrowProblem(MakeProblem(404, "not-found", fmt::format("variant {}: not in the store", spec)));
  }
  ctx.SendJson(store::VariantToJson(page->variants.front()));
}

// ---- similar ----

// A value built from the store (the similarity index, the cohort graph), kept for the store
// generation it was built from and shared by concurrent requests. When the store has moved on:
// - while this process writes the store (an ingest job: store::StoreWritesInProgress()), readers
//   that accept it get the value held, and one background thread rebuilds it at most once per
//   max(1 s, twice the last build's time): every committed batch changes the generation, and
//   rebuilding the graph of a 100k x 100 store takes seconds of a core the ingest also needs;
// - otherwise, or when nothing is held yet, or for a reader that needs the current generation,
//   the first request rebuilds it and the others wait for that build (a client that ingested and
//   then queries sees its data).
template <typename T>
class GenerationCache {
 public:
  using Build = std::function<Result<std::shared_ptr<T>>(store::Store&)>;
  struct Held {
    std::shared_ptr<T> value;
    bool stale = false;  // built from an older generation than the reader's
  };

  explicit GenerationCache(Build build) : build_(std::move(build)) {}
  ~GenerationCache() {
    if (worker_.joinable()) worker_.join();
  }

  Held Get(store::Store& store, bool allow_stale) {
    auto generation = store.Generation();
    if (!generation.ok()) ThrowStatus(generation.status());
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      const bool usable = value_ && dir_ == store.dir();
      if (usable && generation_ >= *generation) return {value_, false};
      if (usable && allow_stale && store::StoreWritesInProgress() > 0) {
        if (!building_ && Clock::now() >= next_background_) StartBackgroundBuild(store.dir());
        return {value_, true};
      }
      if (!building_) break;
      built_.wait(lock);  // wait for the build in progress
    }
    building_ = true;
    lock.unlock();
    const auto start = Clock::now();
    Result<std::shared_ptr<T>> made = Status::Internal("not built");
    try {
      made = build_(store);
    } catch (...) {
      Finish(Status::Internal("the build threw"), store.dir(), *generation, start);
      throw;
    }
    if (!made.ok()) {
      Finish(made.status(), store.dir(), *generation, start);
      ThrowStatus(made.status());
    }
    auto value = *made;
    Finish(std::move(made), store.dir(), *generation, start);
    return {value, false};
  }

 private:
  using Clock = std::chrono::steady_clock;

  // Called with mutex_ held and no build running.
  void StartBackgroundBuild(const std::string& dir) {
    building_ = true;
    if (worker_.joinable()) worker_.join();  // the previous one has finished: building_ was false
    worker_ = std::thread([this, dir] {
      const auto start = Clock::now();
      Result<std::shared_ptr<T>> made = Status::Internal("not built");
      int64_t generation = -1;
      try {
        auto store = store::Store::Open(dir, store::Store::Access::kRead);
        if (!store.ok()) {
          made = store.status();
        } else if (auto g = (*store)->Generation(); !g.ok()) {
          made = g.status();
        } else {
          generation = *g;
          made = build_(**store);
        }
      } catch (const std::exception& e) {
        made = Status::Internal(e.what());
      }
      if (!made.ok()) {
        obs::Log(obs::LogLevel::kWarn, "rebuilding a store cache in the background failed",
                 {{"store", dir}, {"error", made.status().message()}});
      }
      Finish(std::move(made), dir, generation, start);
    });
  }

  void Finish(Result<std::shared_ptr<T>> made, const std::string& dir, int64_t generation, Clock::time_point start) {
    const auto took = Clock::now() - start;
    std::lock_guard<std::mutex> lock(mutex_);
    building_ = false;
    next_background_ = Clock::now() + std::max<Clock::duration>(std::chrono::seconds(1), 2 * took);
    if (made.ok()) {
      value_ = std::move(made).value();
      dir_ = dir;
      generation_ = generation;
    }
    built_.notify_all();
  }

  const Build build_;
  std::mutex mutex_;
  std::condition_variable built_;
  bool building_ = false;
  Clock::time_point next_background_{};
  std::thread worker_;
  std::string dir_;
  int64_t generation_ = -1;
  std::shared_ptr<T> value_;
};

// Runs `query` on the cached value; when that value is older than the store (an ingest is
// committing) and the query fails on what the client named (a Usage error: a variant or sample
// the held value has not seen yet), once more on a current one.
template <typename T, typename Query>
auto OnCurrentEnough(GenerationCache<T>& cache, store::Store& store, Query query) {
  auto held = cache.Get(store, /*allow_stale=*/true);
  auto result = query(*held.value);
  if (!result.ok() && result.status().kind() == ErrorKind::kUsage && held.stale) {
    result = query(*cache.Get(store, /*allow_stale=*/false).value);
  }
  return result;
}

struct FeatureIndex {
  std::unique_ptr<store::VectorIndex> index;
  bool built_in_memory = false;  // the saved index was missing or out of date
};

// The built-in feature index: the saved one, or one built in memory when it is missing or stale.
// VectorIndex searches are thread-safe.
GenerationCache<FeatureIndex>& FeatureIndexCache() {
  static GenerationCache<FeatureIndex> cache([](store::Store& s) -> Result<std::shared_ptr<FeatureIndex>> {
    auto made = std::make_shared<FeatureIndex>();
    auto index = store::OpenFeatureIndex(s, false, &made->built_in_memory);
    if (!index.ok()) return index.status();
    made->index = std::move(index).value();
    return std::shared_ptr<FeatureIndex>(std::move(made));
  });
  return cache;
}

void Similar(RequestContext& ctx) {
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"variant", "k", "same_chrom", "where", "exact", "space"});
  store::SimilarQuery query;
  query.variant = RequiredString(body, "variant");
  query.k = static_cast<size_t>(OptionalInt(body, "k", 10, 1, 1000));
  query.same_chrom = OptionalBool(body, "same_chrom", false);
  query.where = OptionalString(body, "where");
  query.exact = OptionalBool(body, "exact", false);
  query.space = OptionalString(body, "space");
  auto store = OpenStoreForReading(ctx);
  Result<store::SimilarResult> result = Status::Internal("not searched");
  if (query.space.empty() || query.space == store::kFeatureSpaceName) {
    result = OnCurrentEnough(FeatureIndexCache(), *store, [&](const FeatureIndex& index) {
      auto found = store::FindSimilar(*store, query, *index.index);
      if (found.ok()) found->index_built_in_memory = index.built_in_memory;
      return found;
    });
  } else {
    result = store::FindSimilar(*store, query, false);  // provider spaces: the saved index as is
  }
  if (!result.ok()) ThrowStatus(result.status());
  json document = store::SimilarToJson(*result);
  ctx.SendJson(document);
}

// ---- graph ----

// The cohort graph (its const queries are thread-safe).
GenerationCache<store::LoadedGraph>& GraphCache() {
  static GenerationCache<store::LoadedGraph> cache([](store::Store& s) -> Result<std::shared_ptr<store::LoadedGraph>> {
    auto loaded = store::LoadCohortGraph(s);
    if (!loaded.ok()) return loaded.status();
    return std::shared_ptr<store::LoadedGraph>(std::move(loaded).value());
  });
  return cache;
}

std::string RequiredQuery(const httplib::Request& req, const std::string& name) {
  auto value = QueryParam(req, name);
  if (!value || value->empty()) ThrowBadRequest(fmt::format("{}: required", name));
  return *value;
}

using GraphQuery = std::function<Result<json>(const httplib::Request&, store::GraphContext)>;

Handler GraphHandler(std::vector<std::string_view> params, GraphQuery query) {
  return [params = std::move(params), query = std::move(query)](RequestContext& ctx) {
    RejectUnknownQueryParams(ctx.req, params);
    auto store = OpenStoreForReading(ctx);
    auto result = OnCurrentEnough(GraphCache(), *store, [&](store::LoadedGraph& graph) {
      return query(ctx.req, store::GraphContext{*store, graph});
    });
    if (!result.ok()) ThrowStatus(result.status());
    ctx.SendJson(*result);
  };
}

// What each graph query answers (`vcf-agent graph NAME --format json`), by route name.
json GraphResultSchemas() {
  using oa::Answer;
  using oa::ArrayOf;
  using oa::Int;
  using oa::Nullable;
  using oa::Num;
  using oa::String;
  const json variant = oa::Ref("GraphVariant");
  // A GraphVariant with more properties (inline: allOf cannot add to a closed object).
  auto with = [](const json& extra) {
    json schema = oa::Component("GraphVariant");
    schema.erase("description");
    for (const auto& [name, property] : extra.items()) {
      schema["properties"][name] = property;
      schema["required"].push_back(name);
    }
    return schema;
  };
  const json zygosity = oa::Enum({"hom-ref", "het", "hom-alt", "missing"});
  const json relationship =
      oa::Enum({"duplicate", "parent-child", "full-sibling", "second-degree", "third-degree", "unrelated", "unknown"});
  const json sex = oa::Enum({"male", "female", "unknown"});
  json out;
  out["carriers"] = Answer({{"variant", variant},
                            {"carriers", ArrayOf(Answer({{"sample", String()},
                                                         {"zygosity", zygosity},
                                                         {"gq", Nullable(Int())},
                                                         {"dp", Nullable(Int())}}))},
                            {"het", Int()},
                            {"hom_alt", Int()},
                            {"genotyped_samples", Int()}});
  out["sample-variants"] = Answer(
      {{"sample", String()},
       {"total", Int("variants the sample carries (matching gene/region/zygosity)")},
       {"returned", Int()},
       {"variants", ArrayOf(with({{"zygosity", zygosity}, {"gq", Nullable(Int())}, {"dp", Nullable(Int())}}))}});
  out["shared"] = Answer({{"samples", ArrayOf(String())},
                          {"shared", Int()},
                          {"shared_same_zygosity", Int()},
                          {"only_first", Int()},
                          {"only_second", Int()},
                          {"only_first_other_uncalled", Int()},
                          {"only_second_other_uncalled", Int()},
                          {"list_limit", Int()},
                          {"shared_variants", ArrayOf(variant)},
                          {"only_first_variants", ArrayOf(variant)},
                          {"only_second_variants", ArrayOf(variant)}});
  out["burden"] = Answer(
      {{"genes", ArrayOf(String())},
       {"criteria", Answer({{"min_impact", String()}, {"max_af", Num()}, {"classes", ArrayOf(String())}})},
       {"samples_with_qualifying_variants", Int()},
       {"samples", ArrayOf(Answer({{"sample", String()},
                                   {"qualifying_variants", Int()},
                                   {"hom_alt_variants", Int()},
                                   {"genes", ArrayOf(Answer({{"gene", String()}, {"variants", ArrayOf(variant)}}))}}))}});
  out["cooccur"] = Answer(
      {{"variant", variant},
       {"carriers", Int("carriers of the query variant")},
       {"min_shared", Int()},
       {"total", Int()},
       {"returned", Int()},
       {"cooccurring",
        ArrayOf(with({{"shared_carriers", Int()}, {"carriers", Int()}, {"jaccard", Num()}}))}});
  out["relatedness"] = Answer(
      {{"method", String()},
       {"min_sites", Int()},
       {"min_het_sites", Int()},
       {"samples", Int()},
       {"pairs", ArrayOf(Answer({{"sample1", String()},
                                 {"sample2", String()},
                                 {"kinship", Nullable(Num("null below min_sites or min_het_sites"))},
                                 {"relationship", relationship},
                                 {"ibs0", Int()},
                                 {"ibs0_fraction", Num()},
                                 {"hethet", Int()},
                                 {"het1", Int()},
                                 {"het2", Int()},
                                 {"sites", Int()}}))},
       {"sex", Answer({{"build", oa::Enum({"GRCh37", "GRCh38"})},
                       {"chrx_sites", Int()},
                       {"mismatches", Int()},
                       {"expected_from", Nullable(String("where the expected sexes came from"))},
                       {"expected_not_in_cohort", ArrayOf(String())},
                       {"calls", ArrayOf(Answer({{"sample", String()},
                                                 {"inferred", sex},
                                                 {"expected", Nullable(oa::Enum({"male", "female"}))},
                                                 {"mismatch", oa::Bool()},
                                                 {"chrx_sites", Int()},
                                                 {"het", Int()},
                                                 {"hom_alt", Int()},
                                                 {"het_ratio", Nullable(Num())}}))}})}});
  out["neighbors"] = Answer(
      {{"start", String("the start node's id")},
       {"depth", Int()},
       {"nodes", ArrayOf(Answer({{"id", String("sample:NAME, gene:NAME or variant:ID")},
                                 {"kind", oa::Enum({"sample", "variant", "gene"})},
                                 {"depth", Int("hops from the start")},
                                 {"label", String()},
                                 {"variant", variant}},
                                {"variant"}))},
       {"edges", ArrayOf(Answer({{"kind", oa::Enum({"carries", "in-gene", "related"})},
                                 {"from", String()},
                                 {"to", String()},
                                 {"zygosity", zygosity},
                                 {"relationship", relationship},
                                 {"kinship", Nullable(Num())}},
                                {"zygosity", "relationship", "kinship"}))},
       {"truncated", oa::Bool("max_nodes cut the neighbourhood")},
       {"nodes_cut", Int()},
       {"cut_at_depth", Nullable(Int())}});
  return out;
}

// As `vcf-agent similar --format json` prints it.
json SimilarSchema() {
  json query = oa::Component("Variant");  // without info
  query["properties"].erase("info");
  json required = json::array();
  for (const auto& name : query["required"]) {
    if (name != "info") required.push_back(name);
  }
  query["required"] = required;
  query["description"] = "the query variant (without info)";
  return oa::Answer({{"query", query},
                     {"space", oa::String("the embedding space searched (features by default)")},
                     {"method", oa::Enum({"hnsw", "exact-cells", "exact"})},
                     {"index_built_in_memory", oa::Bool("the saved index was missing or stale")},
                     {"neighbours", oa::ArrayOf(oa::Ref("SimilarVariant"), "nearest first")}});
}

void AddGraphRoutes(Router& router) {
  struct GraphRoute {
    std::string name, summary;
    std::vector<std::tuple<std::string, json, std::string, bool>> params;  // name, schema, description, required
    GraphQuery query;
  };
  const json results = GraphResultSchemas();
  const json integer = {{"type", "integer"}, {"minimum", 0}};
  const json text = {{"type", "string"}};
  const json boolean = {{"type", "boolean"}};
  std::vector<GraphRoute> routes = {
      {"carriers", "Carriers of a variant, with zygosity, GQ and DP",
       {{"variant", text, "variant id or chrom:pos:ref:alt", true},
        {"include_missing", boolean, "also list samples with a missing call", false}},
       [](const httplib::Request& req, store::GraphContext g) {
         return store::GraphCarriers(g, RequiredQuery(req, "variant"), QueryBool(req, "include_missing", false));
       }},
      {"sample-variants", "Variants a sample carries, by gene or region",
       {{"sample", text, "sample name", true},
        {"gene", text, "gene symbol (repeatable)", false},
        {"region", text, "region chr:beg-end", false},
        {"zygosity", {{"type", "string"}, {"enum", {"het", "hom-alt"}}}, "het or hom-alt", false},
        {"limit", integer, "variants listed (0: all; default 100)", false}},
       [](const httplib::Request& req, store::GraphContext g) {
         store::SampleVariantsOptions options;
         options.genes = QueryParams(req, "gene");
         options.region = QueryParam(req, "region").value_or("");
         options.zygosity = QueryParam(req, "zygosity").value_or("");
         options.limit = static_cast<size_t>(QueryInt(req, "limit", 100, 0, kMaxPage));
         return store::GraphSampleVariants(g, RequiredQuery(req, "sample"), options);
       }},
      {"shared", "Variants shared by two samples, and private to each",
       {{"sample1", text, "first sample", true},
        {"sample2", text, "second sample", true},
        {"limit", integer, "variants listed per list (default 100)", false}},
       [](const httplib::Request& req, store::GraphContext g) {
         return store::GraphShared(g, RequiredQuery(req, "sample1"), RequiredQuery(req, "sample2"),
                                   static_cast<size_t>(QueryInt(req, "limit", 100, 0, kMaxPage)));
       }},
      {"burden", "Samples carrying a qualifying variant in genes",
       {{"gene", text, "gene symbol (repeatable, at least one)", true},
        {"min_impact", text, "lowest qualifying impact (default MODERATE)", false},
        {"max_af", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}, "highest qualifying AF (default 0.01)", false},
        {"class", text, "qualifying variant class (repeatable; default all)", false}},
       [](const httplib::Request& req, store::GraphContext g) {
         const auto genes = QueryParams(req, "gene");
         if (genes.empty()) ThrowBadRequest("gene: at least one is required");
         store::BurdenOptions options;
         options.min_impact = QueryParam(req, "min_impact").value_or(options.min_impact);
         if (auto max_af = QueryParam(req, "max_af")) {
           char* end = nullptr;
           options.max_af = std::strtod(max_af->c_str(), &end);
           if (max_af->empty() || *end != '\0' || options.max_af < 0 || options.max_af > 1) {
             ThrowBadRequest("max_af: expected a number from 0 to 1");
           }
         }
         options.classes = QueryParams(req, "class");
         return store::GraphBurden(g, genes, options);
       }},
      {"cooccur", "Variants carried by the same samples as a variant",
       {{"variant", text, "variant id or chrom:pos:ref:alt", true},
        {"min_shared", integer, "shared carriers needed (default 1)", false},
        {"top", integer, "variants listed (default 20)", false}},
       [](const httplib::Request& req, store::GraphContext g) {
         return store::GraphCooccur(g, RequiredQuery(req, "variant"),
                                    static_cast<uint32_t>(QueryInt(req, "min_shared", 1, 1, 1000000)),
                                    static_cast<size_t>(QueryInt(req, "top", 20, 1, kMaxPage)));
       }},
      {"relatedness", "Pairwise kinship (KING-robust) and sex from chrX",
       {{"build", {{"type", "string"}, {"enum", {"GRCh37", "GRCh38"}}}, "chrX pseudo-autosomal regions (default GRCh38)", false},
        {"min_sites", integer, "shared sites needed for an estimate (default 100)", false},
        {"min_het_sites", integer, "hets needed in the sample with fewer (default 100)", false},
        {"related_only", boolean, "only pairs estimated third-degree or closer", false}},
       [](const httplib::Request& req, store::GraphContext g) {
         store::RelatednessOptions options;
         options.build = QueryParam(req, "build").value_or(options.build);
         options.min_sites = QueryInt(req, "min_sites", options.min_sites, 0, INT64_MAX / 2);
         options.min_het_sites = QueryInt(req, "min_het_sites", options.min_het_sites, 0, INT64_MAX / 2);
         options.all_pairs = !QueryBool(req, "related_only", false);
         return store::GraphRelatedness(g, options);
       }},
      {"neighbors", "Neighbourhood of a sample, variant or gene as nodes and edges",
       {{"node", text, "sample:NAME, gene:NAME, variant:SPEC, or a bare name", true},
        {"depth", integer, "hops (default 1, at most 4)", false},
        {"max_nodes", integer, "node cap (default 200)", false}},
       [](const httplib::Request& req, store::GraphContext g) {
         return store::GraphNeighbors(g, RequiredQuery(req, "node"), static_cast<int>(QueryInt(req, "depth", 1, 1, 4)),
                                      static_cast<size_t>(QueryInt(req, "max_nodes", 200, 1, kMaxPage)));
       }},
  };
  for (auto& route : routes) {
    std::string op_id = "graph";  // graphCarriers, graphSampleVariants, ...
    bool upper = true;
    for (char c : route.name) {
      if (c == '-') {
        upper = true;
        continue;
      }
      op_id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
    json op = oa::Operation(op_id, route.summary, "graph", "As `vcf-agent graph " + route.name + " --format json`.");
    std::vector<std::string_view> names;
    for (const auto& [name, schema, description, required] : route.params) {
      oa::AddQueryParameter(op, name, schema, description, required);
    }
    oa::AddResponse(op, 200, "The query result", results.at(route.name));
    auto param_names = std::make_shared<std::vector<std::string>>();
    for (const auto& param : route.params) param_names->push_back(std::get<0>(param));
    for (const auto& name : *param_names) names.emplace_back(name);
    Handler handler = GraphHandler(names, route.query);
    router.Add({"GET", "/api/v1/graph/" + route.name, Role::kRead, false, false, op},
               [param_names, handler](RequestContext& ctx) { handler(ctx); });
  }
}

// ---- sql, summary ----

void Sql(RequestContext& ctx) {
  const json body = ctx.JsonBody();
  RejectUnknownFields(body, {"query", "max_rows", "timeout_seconds"});
  store::SqlLimits limits;
  const std::string sql = RequiredString(body, "query");
  limits.max_rows = OptionalInt(body, "max_rows", 1000, 1, 100000);
  limits.timeout_seconds = OptionalNumber(body, "timeout_seconds", 10, 0.01, 60);
  // Each statement may use tens of MB (docs/store.md, sql limits): a few at a time bound the
  // service's memory whatever the number of clients.
  constexpr int kMaxConcurrentStatements = 4;
  static std::atomic<int> running{0};
  struct Slot {
    bool taken = running.fetch_add(1) < kMaxConcurrentStatements;
    ~Slot() { running.fetch_sub(1); }
  } slot;
  if (!slot.taken) {
    Problem p = MakeProblem(503, "busy", fmt::format("{} SQL statements are running; retry shortly",
                                                     kMaxConcurrentStatements));
    p.retry_after_seconds = 1;
    ThrowProblem(p);
  }
  auto store = OpenStoreForReading(ctx);
  auto result = store::RunReadOnlySql(*store, sql, limits);
  // The statement is the client's input: a refused write or a syntax error is a 422 with
  // SQLite's reason.
  if (!result.ok()) ThrowProblem(MakeProblem(422, "invalid-input", result.status().message()));
  ctx.SendJson(store::SqlResultToJson(*result));
}

void StoreSummary(RequestContext& ctx) {
  auto store = OpenStoreForReading(ctx);
  obs::TimedSpan timed("store.query summary", obs::Metrics().query_duration.With({"summary"}));
  auto counts = store->Counts();
  if (!counts.ok()) ThrowStatus(counts.status());
  auto generation = store->Generation();
  if (!generation.ok()) ThrowStatus(generation.status());
  ctx.SendJson({{"files", counts->files},         {"files_loading", counts->files_loading},
                {"samples", counts->samples},     {"variants", counts->variants},
                {"genotypes", counts->genotypes}, {"genes", counts->genes},
                {"generation", *generation}});
}

}  // namespace

void AddStoreRoutes(Router& router) {
  {
    json op = oa::Operation("ingest", "Load VCF/BCF files into the variant store (a job)", "jobs",
                            "Runs `vcf-agent ingest` as a job (role write); the result is the ingest summary. Reads keep "
                            "working while it runs. A cancelled ingest leaves a consistent store that a new ingest of the "
                            "same files completes.");
    oa::SetJsonBody(op, oa::IngestRequest());
    oa::AddResponse(op, 202, "The job was accepted", oa::Job());
    oa::AddOutsideDataDirsResponse(op);
    router.Add({"POST", "/api/v1/ingest", Role::kWrite, false, false, op}, Ingest);
  }
  {
    json op = oa::Operation("listVariants", "Query the variant store", "store",
                            "As `vcf-agent variants --format json`: by region, gene, carrier sample and a where filter, "
                            "sorted and paged.");
    oa::AddQueryParameter(op, "region", {{"type", "string"}}, "chr:beg-end[,...] (repeatable)");
    oa::AddQueryParameter(op, "gene", {{"type", "string"}}, "gene symbol (repeatable)");
    oa::AddQueryParameter(op, "sample", {{"type", "string"}}, "only variants this sample carries");
    oa::AddQueryParameter(op, "zygosity", {{"type", "string"}, {"enum", {"het", "hom-alt"}}}, "with sample");
    oa::AddQueryParameter(op, "where", {{"type", "string"}}, "filter, e.g. qual > 30 && impact >= MODERATE");
    oa::AddQueryParameter(op, "sort", {{"type", "string"}, {"enum", {"position", "qual", "af", "cohort_af", "impact", "carriers"}}},
                          "sort key (default position)");
    oa::AddQueryParameter(op, "desc", {{"type", "boolean"}}, "descending order");
    oa::AddQueryParameter(op, "limit", oa::Integer(1, kMaxPage, 100), "rows per page");
    oa::AddQueryParameter(op, "offset", {{"type", "integer"}, {"minimum", 0}, {"default", 0}}, "rows to skip");
    oa::AddResponse(op, 200, "A page of variants",
                    oa::Answer({{"variants", oa::ArrayOf(oa::Variant())},
                                {"returned", oa::Int()},
                                {"offset", oa::Int()},
                                {"limit", oa::Int()},
                                {"more", oa::Bool("another page follows")}}));
    router.Add({"GET", "/api/v1/variants", Role::kRead, false, false, op}, Variants);
  }
  {
    json op = oa::Operation("getVariant", "One variant by id or chrom:pos:ref:alt", "store");
    oa::AddPathParameter(op, "id", "variant id or chrom:pos:ref:alt (also chrom-pos-ref-alt)");
    oa::AddResponse(op, 200, "The variant", oa::Variant());
    router.Add({"GET", "/api/v1/variants/{id}", Role::kRead, false, false, op}, VariantById);
  }
  {
    json op = oa::Operation("similar", "Variants most like a stored variant", "store",
                            "As `vcf-agent similar --format json`: nearest neighbours with distances and reasons.");
    oa::SetJsonBody(op, oa::Object({{"variant", oa::String("variant id or chrom:pos:ref:alt")},
                                    {"k", oa::Integer(1, 1000, 10, "neighbours")},
                                    {"same_chrom", oa::Boolean(false, "only the same chromosome")},
                                    {"where", oa::String("filter on the candidates")},
                                    {"exact", oa::Boolean(false, "exact (brute-force) search")},
                                    {"space", oa::String("embedding space (default features)")}},
                                   {"variant"}));
    oa::AddResponse(op, 200, "The neighbours", SimilarSchema());
    router.Add({"POST", "/api/v1/similar", Role::kRead, false, false, op}, Similar);
  }
  AddGraphRoutes(router);
  {
    json op = oa::Operation("sql", "Read-only SQL over the store", "store",
                            "One statement that reads (schema in docs/store.md). A statement that would write is refused "
                            "with 422 and SQLite's reason; the store is never changed.");
    oa::SetJsonBody(op, oa::Object({{"query", oa::String("one SELECT statement")},
                                    {"max_rows", oa::Integer(1, 100000, 1000, "row limit")},
                                    {"timeout_seconds", {{"type", "number"}, {"minimum", 0.01}, {"maximum", 60}, {"default", 10}}}},
                                   {"query"}));
    oa::AddResponse(op, 200, "The rows",
                    oa::Answer({{"columns", oa::ArrayOf(oa::String())},
                                {"rows", oa::ArrayOf({{"type", "object"},
                                                      {"description", "column name -> value (SQLite's integer, real, "
                                                                      "text or null)"},
                                                      {"additionalProperties",
                                                       {{"anyOf", {oa::Nullable(oa::String()), oa::Num()}}}}})},
                                {"returned", oa::Int()},
                                {"truncated", oa::Bool()},
                                {"truncated_by", oa::Nullable(oa::Enum({"max_rows", "max_bytes"},
                                                                       "the limit that cut the rows; null when none"))}}));
    router.Add({"POST", "/api/v1/sql", Role::kRead, false, false, op}, Sql);
  }
  {
    json op = oa::Operation("storeSummary", "Counts of files, samples, variants, genotypes and genes", "store");
    oa::AddResponse(op, 200, "The counts",
                    oa::Answer({{"files", oa::Int()},
                                {"files_loading", oa::Int("files an ingest has started and not finished")},
                                {"samples", oa::Int()},
                                {"variants", oa::Int()},
                                {"genotypes", oa::Int()},
                                {"genes", oa::Int()},
                                {"generation", oa::Int("changes with every committed write")}}));
    router.Add({"GET", "/api/v1/store", Role::kRead, false, false, op}, StoreSummary);
  }
}

}  // namespace vcfagent::server
