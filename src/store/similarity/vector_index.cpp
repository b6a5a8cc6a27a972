#include "store/similarity/vector_index.h"

// hnswlib 0.6.2 prefetches one link past the end of each link list while inserting: harmless
// (the address is only a hint and the read stays inside the heap block's padding), but
// AddressSanitizer reports the read. Sanitizer builds compile hnswlib without its SSE code paths
// instead; our int8 distances never used them.
#if defined(VCFAGENT_SANITIZED) && !defined(NO_MANUAL_VECTORIZATION)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <queue>
#include <shared_mutex>

#include "fmt/format.h"
#include "store/similarity/exact_cells.h"
#include "util/output_file.h"
#include "util/json_text.h"

namespace vcfagent::store {
namespace {

using hnswlib::tableint;
using Graph = hnswlib::HierarchicalNSW<float>;

constexpr float kInt8Scale = 127.0f;
constexpr float kInt8Unit = 1.0f / (kInt8Scale * kInt8Scale);
constexpr const char* kSidecarFormat = "vcf-agent-vector-index";
// Version 2 added "structure"; version 1 sidecars (HNSW only) are still read.
constexpr int kSidecarVersion = 2;
constexpr size_t kMinCapacity = 16;
constexpr size_t kMaxM = 256;  // far above any useful degree; bounds what a corrupt file can ask

// Bytes stored per vector. int8 vectors are padded with zeros to a multiple of 8 so that the
// link lists hnswlib stores after each vector stay aligned (the padding adds 0 to distances).
size_t StoredVectorBytes(size_t dimension, Quantisation q) {
  return q == Quantisation::kInt8 ? (dimension + 7) / 8 * 8 : dimension * sizeof(float);
}

// Distances over int8 components; the integer sums vectorise well and are exact.
float Int8L2Sqr(const void* a, const void* b, const void* param) {
  const auto* x = static_cast<const int8_t*>(a);
  const auto* y = static_cast<const int8_t*>(b);
  const size_t n = *static_cast<const size_t*>(param);
  int32_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const int32_t d = static_cast<int32_t>(x[i]) - static_cast<int32_t>(y[i]);
    sum += d * d;
  }
  return static_cast<float>(sum) * kInt8Unit;
}

float Int8CosineDistance(const void* a, const void* b, const void* param) {
  const auto* x = static_cast<const int8_t*>(a);
  const auto* y = static_cast<const int8_t*>(b);
  const size_t n = *static_cast<const size_t*>(param);
  int32_t dot = 0;
  for (size_t i = 0; i < n; ++i) dot += static_cast<int32_t>(x[i]) * static_cast<int32_t>(y[i]);
  return 1.0f - static_cast<float>(dot) * kInt8Unit;
}

// hnswlib's space interface for one-byte components.
class Int8Space : public hnswlib::SpaceInterface<float> {
 public:
  Int8Space(size_t dimension, Metric metric)
      : dimension_(dimension), distance_(metric == Metric::kL2 ? Int8L2Sqr : Int8CosineDistance) {}
  size_t get_data_size() override { return StoredVectorBytes(dimension_, Quantisation::kInt8); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return distance_; }
  void* get_dist_func_param() override { return &dimension_; }

 private:
  size_t dimension_;
  hnswlib::DISTFUNC<float> distance_;
};

std::unique_ptr<hnswlib::SpaceInterface<float>> MakeSpace(size_t dimension, Metric metric,
                                                          Quantisation quantisation) {
  if (quantisation == Quantisation::kInt8) return std::make_unique<Int8Space>(dimension, metric);
  if (metric == Metric::kL2) return std::make_unique<hnswlib::L2Space>(dimension);
  return std::make_unique<hnswlib::InnerProductSpace>(dimension);
}


std::optional<Metric> ParseMetric(std::string_view text) {
  if (text == "l2") return Metric::kL2;
  if (text == "cosine") return Metric::kCosine;
  return std::nullopt;
}

std::optional<IndexStructure> ParseStructure(std::string_view text) {
  if (text == "hnsw") return IndexStructure::kHnsw;
  if (text == "exact-cells") return IndexStructure::kExactCells;
  return std::nullopt;
}

std::optional<Quantisation> ParseQuantisation(std::string_view text) {
  if (text == "int8") return Quantisation::kInt8;
  if (text == "float32") return Quantisation::kFloat32;
  return std::nullopt;
}

// The fixed header hnswlib's saveIndex writes, in its order.
struct GraphHeader {
  size_t offset_level0, max_elements, count, size_data_per_element, label_offset, offset_data;
  int max_level;
  tableint entry_point;
  size_t max_m, max_m0, m;
  double mult;
  size_t ef_construction;
};

template <typename T>
bool ReadPod(std::FILE* file, T& value) {
  return std::fread(&value, sizeof(T), 1, file) == 1;
}

// Checks hnswlib's header against the sidecar before hnswlib allocates anything from it.
Status CheckGraphHeader(std::FILE* file, const IndexInfo& info, uint64_t file_size, const std::string& path) {
  GraphHeader h{};
  const bool read = ReadPod(file, h.offset_level0) && ReadPod(file, h.max_elements) &&
                    ReadPod(file, h.count) && ReadPod(file, h.size_data_per_element) &&
                    ReadPod(file, h.label_offset) && ReadPod(file, h.offset_data) &&
                    ReadPod(file, h.max_level) && ReadPod(file, h.entry_point) &&
                    ReadPod(file, h.max_m) && ReadPod(file, h.max_m0) && ReadPod(file, h.m) &&
                    ReadPod(file, h.mult) && ReadPod(file, h.ef_construction);
  auto corrupt = [&](const std::string& what) {
    return Status::InvalidInput(fmt::format("{}: corrupt vector index: {}", path, what));
  };
  if (!read) return corrupt("the header is truncated");
  const size_t data_size = StoredVectorBytes(info.dimension, info.quantisation);
  const size_t links0 = h.max_m0 * sizeof(tableint) + sizeof(tableint);
  if (h.m < 2 || h.m > kMaxM || h.max_m != h.m || h.max_m0 != 2 * h.m || h.m != info.m) {
    return corrupt(fmt::format("graph degree M={} (sidecar says {})", h.m, info.m));
  }
  if (h.offset_level0 != 0 || h.offset_data != links0 || h.label_offset != links0 + data_size ||
      h.size_data_per_element != links0 + data_size + sizeof(hnswlib::labeltype)) {
    return corrupt(fmt::format("record layout does not match dimension {} ({})", info.dimension,
                               ToString(info.quantisation)));
  }
  if (h.count != info.count) {
    return corrupt(fmt::format("{} vectors, the sidecar says {}", h.count, info.count));
  }
  if (h.count > file_size / h.size_data_per_element) return corrupt("more vectors than the file holds");
  if (std::abs(h.mult - 1.0 / std::log(static_cast<double>(h.m))) > 1e-9) return corrupt("level multiplier");
  if (h.count > 0 && (h.entry_point >= h.count || h.max_level < 0 || h.max_level > 64)) {
    return corrupt("entry point or top level out of range");
  }
  return Status::Ok();
}

// After hnswlib has loaded the graph: every link must name an existing node that lives on that
// level, so that searches never read outside the graph.
Status CheckGraphLinks(const Graph& g, const std::string& path) {
  const size_t count = g.cur_element_count;
  auto corrupt = [&](size_t node, int level) {
    return Status::InvalidInput(
        fmt::format("{}: corrupt vector index: bad links of node {} on level {}", path, node, level));
  };
  if (count > 0 && g.element_levels_[g.enterpoint_node_] != g.maxlevel_) return corrupt(g.enterpoint_node_, 0);
  for (size_t i = 0; i < count; ++i) {
    const int levels = g.element_levels_[i];
    if (levels < 0 || levels > g.maxlevel_) return corrupt(i, levels);
    if (g.isMarkedDeleted(static_cast<tableint>(i))) return corrupt(i, 0);
    for (int level = 0; level <= levels; ++level) {
      hnswlib::linklistsizeint* list =
          level == 0 ? g.get_linklist0(static_cast<tableint>(i)) : g.get_linklist(static_cast<tableint>(i), level);
      const size_t size = g.getListCount(list);
      if (size > (level == 0 ? g.maxM0_ : g.maxM_)) return corrupt(i, level);
      const auto* links = reinterpret_cast<const tableint*>(list + 1);
      for (size_t j = 0; j < size; ++j) {
        if (links[j] >= count || g.element_levels_[links[j]] < level) return corrupt(i, level);
      }
    }
  }
  return Status::Ok();
}

// hnswlib's fixed header: ten size_t fields, the top level (int), the entry point and the level
// multiplier (double).
constexpr uint64_t kGraphHeaderBytes = 10 * sizeof(size_t) + sizeof(int) + sizeof(tableint) + sizeof(double);

// Bytes of vectors, labels and links: what saveIndex writes after its header.
uint64_t GraphBodyBytes(const Graph& g) {
  uint64_t bytes = g.cur_element_count * (g.size_data_per_element_ + sizeof(unsigned int));
  for (size_t i = 0; i < g.cur_element_count; ++i) {
    bytes += static_cast<uint64_t>(g.element_levels_[i]) * g.size_links_per_element_;
  }
  return bytes;
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return Status::IoError(fmt::format("{}: cannot open the vector index: {}", path, std::strerror(errno)));
  }
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

std::string_view ToString(Metric metric) { return metric == Metric::kL2 ? "l2" : "cosine"; }
std::string_view ToString(Quantisation q) { return q == Quantisation::kInt8 ? "int8" : "float32"; }
std::string_view ToString(IndexStructure s) { return s == IndexStructure::kHnsw ? "hnsw" : "exact-cells"; }

struct VectorIndex::Impl {
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::unique_ptr<Graph> graph;        // kHnsw
  std::unique_ptr<ExactCells> cells;   // kExactCells
  // Adds hold it shared; growing the graph holds it exclusively (hnswlib cannot grow under adds).
  mutable std::shared_mutex grow_mutex;
  std::atomic<size_t> reserved{0};  // slots claimed by adds in progress or done
};

VectorIndex::VectorIndex(std::string space, size_t dimension, const IndexParams& params)
    : space_(std::move(space)), dimension_(dimension), params_(params), impl_(std::make_unique<Impl>()) {}

VectorIndex::~VectorIndex() = default;

Result<std::unique_ptr<VectorIndex>> VectorIndex::Create(const std::string& space, size_t dimension,
                                                         size_t capacity, const IndexParams& params) {
  if (space.empty()) return Status::Usage("a vector index needs a space name");
  if (dimension == 0 || dimension > 65536) {
    return Status::Usage(fmt::format("vector dimension {} is out of range (1 to 65536)", dimension));
  }
  if (params.m < 2 || params.m > kMaxM) return Status::Usage(fmt::format("HNSW M={} is out of range (2 to {})", params.m, kMaxM));
  std::unique_ptr<VectorIndex> index(new VectorIndex(space, dimension, params));
  if (params.structure == IndexStructure::kExactCells) {
    if (params.metric != Metric::kL2 || params.quantisation != Quantisation::kInt8) {
      return Status::Usage("an exact-cells index holds int8 vectors under the l2 metric only");
    }
    index->impl_->cells = std::make_unique<ExactCells>(dimension);
    return index;
  }
  index->impl_->space = MakeSpace(dimension, params.metric, params.quantisation);
  try {
    index->impl_->graph = std::make_unique<Graph>(index->impl_->space.get(), std::max(capacity, kMinCapacity),
                                                  params.m, params.ef_construction, params.seed);
  } catch (const std::exception& e) {
    return Status::IoError(fmt::format("cannot allocate a vector index for {} vectors: {}", capacity, e.what()));
  }
  return index;
}

Status VectorIndex::Encode(std::span<const float> vector, std::vector<char>& out) const {
  if (vector.size() != dimension_) {
    return Status::InvalidInput(fmt::format("dimension mismatch: space '{}' has dimension {}, the vector has {}",
                                            space_, dimension_, vector.size()));
  }
  double norm = 1.0;
  if (params_.metric == Metric::kCosine) {
    double sum = 0;
    for (float x : vector) sum += static_cast<double>(x) * x;
    norm = std::sqrt(sum);
    if (!(norm > 0) || !std::isfinite(norm)) {
      return Status::InvalidInput("a zero or non-finite vector has no direction for cosine distance");
    }
  }
  out.assign(StoredVectorBytes(dimension_, params_.quantisation), 0);
  for (size_t i = 0; i < dimension_; ++i) {
    const double x = vector[i] / norm;
    if (!std::isfinite(x)) return Status::InvalidInput(fmt::format("component {} is not a finite number", i));
    if (params_.quantisation == Quantisation::kFloat32) {
      const float f = static_cast<float>(x);
      std::memcpy(out.data() + i * sizeof(float), &f, sizeof f);
      continue;
    }
    if (x < -1.000001 || x > 1.000001) {
      return Status::InvalidInput(
          fmt::format("component {} = {} is outside [-1, 1], which int8 quantisation requires", i, x));
    }
    out[i] = static_cast<char>(static_cast<int8_t>(std::lround(std::clamp(x, -1.0, 1.0) * kInt8Scale)));
  }
  return Status::Ok();
}

Status VectorIndex::Add(uint64_t label, std::span<const float> vector) {
  std::vector<char> data;
  VCFAGENT_RETURN_IF_ERROR(Encode(vector, data));
  if (impl_->cells) {
    std::shared_lock lock(impl_->grow_mutex);  // not while Finish() partitions
    impl_->cells->Add(label, reinterpret_cast<const int8_t*>(data.data()));
    return Status::Ok();
  }
  Graph& graph = *impl_->graph;
  auto add = [&]() -> Status {
    try {
      graph.addPoint(data.data(), label);
    } catch (const std::exception& e) {
      return Status::Internal(fmt::format("vector index add failed: {}", e.what()));
    }
    return Status::Ok();
  };
  for (;;) {
    {
      std::shared_lock lock(impl_->grow_mutex);
      bool present;
      {
        std::lock_guard guard(graph.cur_element_count_guard_);
        present = graph.label_lookup_.count(label) > 0;
      }
      if (present) return add();  // a replacement takes no new slot
      // Two threads adding the same new label both reserve a slot: the count errs high by at
      // most the number of threads, which only makes the index grow a little early.
      if (impl_->reserved.fetch_add(1) < graph.max_elements_) return add();
      impl_->reserved.fetch_sub(1);
    }
    std::unique_lock lock(impl_->grow_mutex);
    if (impl_->reserved.load() >= graph.max_elements_) {
      try {
        graph.resizeIndex(graph.max_elements_ * 2);
      } catch (const std::exception& e) {
        return Status::IoError(fmt::format("cannot grow the vector index past {} vectors: {}", graph.max_elements_,
                                           e.what()));
      }
    }
  }
}

Result<std::vector<Neighbour>> VectorIndex::Search(std::span<const float> query, size_t k,
                                                   const LabelFilter& filter, size_t ef) const {
  std::vector<char> data;
  VCFAGENT_RETURN_IF_ERROR(Encode(query, data));
  if (impl_->cells) return CellsSearch(query, data, k, filter, /*prune=*/true);
  std::shared_lock lock(impl_->grow_mutex);
  const Graph& g = *impl_->graph;
  if (k == 0 || g.cur_element_count == 0) return std::vector<Neighbour>{};
  const void* q = data.data();
  auto distance = [&](tableint id) { return g.fstdistfunc_(q, g.getDataByInternalId(id), g.dist_func_param_); };

  // Greedy descent through the upper layers (no filter: they only find a starting point).
  tableint current = g.enterpoint_node_;
  float current_distance = distance(current);
  for (int level = g.maxlevel_; level > 0; --level) {
    for (bool changed = true; changed;) {
      changed = false;
      auto* list = g.get_linklist(current, level);
      const auto* links = reinterpret_cast<const tableint*>(list + 1);
      for (size_t j = 0, n = g.getListCount(list); j < n; ++j) {
        const float d = distance(links[j]);
        if (d < current_distance) {
          current_distance = d;
          current = links[j];
          changed = true;
        }
      }
    }
  }

  // Beam search of the base layer. Filtered-out nodes are still walked through, only not kept,
  // so a selective filter widens the search instead of stranding it.
  using Entry = std::pair<float, tableint>;
  const size_t breadth = std::max(ef == 0 ? params_.ef_search : ef, k);
  std::priority_queue<Entry> kept;  // worst kept on top
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> frontier;  // nearest first
  auto passes = [&](tableint id) { return !filter || filter(g.getExternalLabel(id)); };
  hnswlib::VisitedList* visited = g.visited_list_pool_->getFreeVisitedList();
  const hnswlib::vl_type tag = visited->curV;
  visited->mass[current] = tag;
  frontier.emplace(current_distance, current);
  if (passes(current)) kept.emplace(current_distance, current);
  while (!frontier.empty()) {
    const auto [d, id] = frontier.top();
    if (kept.size() >= breadth && d > kept.top().first) break;
    frontier.pop();
    auto* list = g.get_linklist0(id);
    const auto* links = reinterpret_cast<const tableint*>(list + 1);
    for (size_t j = 0, n = g.getListCount(list); j < n; ++j) {
      const tableint next = links[j];
      if (visited->mass[next] == tag) continue;
      visited->mass[next] = tag;
      const float dn = distance(next);
      if (kept.size() < breadth || dn < kept.top().first) {
        frontier.emplace(dn, next);
        if (passes(next)) {
          kept.emplace(dn, next);
          if (kept.size() > breadth) kept.pop();
        }
      }
    }
  }
  g.visited_list_pool_->releaseVisitedList(visited);

  std::vector<Neighbour> result;
  result.reserve(kept.size());
  for (; !kept.empty(); kept.pop()) result.push_back({g.getExternalLabel(kept.top().second), kept.top().first});
  std::sort(result.begin(), result.end(), [](const Neighbour& a, const Neighbour& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.label < b.label;
  });
  if (result.size() > k) result.resize(k);
  return result;
}

Result<std::vector<Neighbour>> VectorIndex::ExactSearch(std::span<const float> query, size_t k,
                                                        const LabelFilter& filter) const {
  std::vector<char> data;
  VCFAGENT_RETURN_IF_ERROR(Encode(query, data));
  if (impl_->cells) return CellsSearch(query, data, k, filter, /*prune=*/false);
  std::shared_lock lock(impl_->grow_mutex);
  const Graph& g = *impl_->graph;
  auto worse = [](const Neighbour& a, const Neighbour& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.label < b.label;
  };
  std::vector<Neighbour> heap;  // max-heap under `worse`: the worst kept is at the front
  if (k == 0) return heap;
  for (size_t i = 0; i < g.cur_element_count; ++i) {
    const auto id = static_cast<tableint>(i);
    const Neighbour candidate{g.getExternalLabel(id),
                              g.fstdistfunc_(data.data(), g.getDataByInternalId(id), g.dist_func_param_)};
    if (heap.size() == k && !worse(candidate, heap.front())) continue;
    if (filter && !filter(candidate.label)) continue;
    heap.push_back(candidate);
    std::push_heap(heap.begin(), heap.end(), worse);
    if (heap.size() > k) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      heap.pop_back();
    }
  }
  std::sort_heap(heap.begin(), heap.end(), worse);
  return heap;
}

void VectorIndex::EnsureFinished() const {
  if (!impl_->cells) return;
  {
    std::shared_lock lock(impl_->grow_mutex);
    if (impl_->cells->built()) return;
  }
  std::unique_lock lock(impl_->grow_mutex);
  impl_->cells->Build();
}

Status VectorIndex::Finish() {
  EnsureFinished();
  return Status::Ok();
}

Result<std::vector<Neighbour>> VectorIndex::CellsSearch(std::span<const float>, const std::vector<char>& data,
                                                        size_t k, const LabelFilter& filter, bool prune) const {
  EnsureFinished();
  std::shared_lock lock(impl_->grow_mutex);
  const auto hits = impl_->cells->Search(reinterpret_cast<const int8_t*>(data.data()), k, filter, prune);
  std::vector<Neighbour> result;
  result.reserve(hits.size());
  // The same scaling as Int8L2Sqr, so distances equal the graph's for the same vectors.
  for (const auto& [sum, label] : hits) result.push_back({label, static_cast<float>(sum) * kInt8Unit});
  return result;
}

Result<std::vector<float>> VectorIndex::StoredVector(uint64_t label) const {
  if (impl_->cells) {
    EnsureFinished();
    std::shared_lock lock(impl_->grow_mutex);
    std::vector<int8_t> stored(dimension_);
    if (!impl_->cells->StoredVector(label, stored.data())) {
      return Status::InvalidInput(fmt::format("label {} is not in the '{}' index", label, space_));
    }
    std::vector<float> vector(dimension_);
    for (size_t i = 0; i < dimension_; ++i) vector[i] = static_cast<float>(stored[i]) / kInt8Scale;
    return vector;
  }
  std::shared_lock lock(impl_->grow_mutex);
  const Graph& g = *impl_->graph;
  const char* data = nullptr;
  {
    std::lock_guard guard(impl_->graph->cur_element_count_guard_);
    auto it = g.label_lookup_.find(label);
    if (it == g.label_lookup_.end()) {
      return Status::InvalidInput(fmt::format("label {} is not in the '{}' index", label, space_));
    }
    data = g.getDataByInternalId(it->second);
  }
  std::vector<float> vector(dimension_);
  for (size_t i = 0; i < dimension_; ++i) {
    if (params_.quantisation == Quantisation::kFloat32) {
      std::memcpy(&vector[i], data + i * sizeof(float), sizeof(float));
    } else {
      vector[i] = static_cast<float>(static_cast<int8_t>(data[i])) / static_cast<float>(kInt8Scale);
    }
  }
  return vector;
}

bool VectorIndex::Contains(uint64_t label) const {
  std::shared_lock lock(impl_->grow_mutex);
  if (impl_->cells) return impl_->cells->Contains(label);
  const Graph& g = *impl_->graph;
  std::lock_guard guard(impl_->graph->cur_element_count_guard_);
  return g.label_lookup_.count(label) > 0;
}

size_t VectorIndex::size() const {
  EnsureFinished();  // exact cells: a label added twice counts once
  std::shared_lock lock(impl_->grow_mutex);
  if (impl_->cells) return impl_->cells->size();
  return impl_->graph->cur_element_count;
}

size_t VectorIndex::capacity() const {
  std::shared_lock lock(impl_->grow_mutex);
  if (impl_->cells) return impl_->cells->size();
  return impl_->graph->max_elements_;
}

size_t VectorIndex::StorageBytes() const {
  EnsureFinished();
  std::shared_lock lock(impl_->grow_mutex);
  if (impl_->cells) return impl_->cells->FileBytes();
  return GraphBodyBytes(*impl_->graph);
}

Status VectorIndex::Save(const std::string& path, uint64_t generation) {
  EnsureFinished();
  // Exclusive: no add may change the graph while it is written.
  std::unique_lock lock(impl_->grow_mutex);
  auto index_out = OutputFile::Open(path);
  if (!index_out.ok()) return index_out.status();
  auto sidecar_out = OutputFile::Open(SidecarPath(path));
  if (!sidecar_out.ok()) return sidecar_out.status();
  if ((*index_out)->is_stdout()) return Status::Usage("a vector index cannot be written to standard output");

  const std::string& temp = (*index_out)->temp_path();
  uint64_t expected = 0, count = 0;
  if (impl_->cells) {
    expected = impl_->cells->FileBytes();
    count = impl_->cells->size();
    std::FILE* file = std::fopen(temp.c_str(), "wb");
    const bool written = file && impl_->cells->Write(file);
    if (file && std::fclose(file) != 0) file = nullptr;
    if (!file || !written) return Status::IoError(fmt::format("{}: cannot write the vector index: {}", path, std::strerror(errno)));
  } else {
    const Graph& g = *impl_->graph;
    count = g.cur_element_count;
    impl_->graph->saveIndex(temp);
    expected = kGraphHeaderBytes + GraphBodyBytes(g);
  }
  // hnswlib does not report write errors (a full disk): the file must have exactly this size.
  auto written = FileSize(temp);
  if (!written.ok() || *written != expected) {
    return Status::IoError(fmt::format("{}: cannot write the vector index (disk full?)", path));
  }

  const bool hnsw = !impl_->cells;
  nlohmann::json sidecar = {
      {"format", kSidecarFormat}, {"version", kSidecarVersion},   {"structure", ToString(params_.structure)},
      {"space", space_},          {"dimension", dimension_},      {"metric", ToString(params_.metric)},
      {"quantisation", ToString(params_.quantisation)},           {"count", count},
      {"generation", generation}, {"m", hnsw ? params_.m : 0},    {"ef_construction", hnsw ? params_.ef_construction : 0},
      {"ef_search", hnsw ? params_.ef_search : 0},                {"index_bytes", expected}};
  VCFAGENT_RETURN_IF_ERROR((*sidecar_out)->Write(DumpJson(sidecar, 2) + "\n"));
  // The index first, then the sidecar that vouches for it: a crash between the two leaves a
  // sidecar whose size and count do not match, which Load() reports instead of using.
  VCFAGENT_RETURN_IF_ERROR((*index_out)->Commit());
  VCFAGENT_RETURN_IF_ERROR((*sidecar_out)->Commit());
  generation_ = generation;
  return Status::Ok();
}

Result<IndexInfo> VectorIndex::ReadInfo(const std::string& path) {
  const std::string sidecar_path = SidecarPath(path);
  std::ifstream in(sidecar_path);
  if (!in) {
    return Status::IoError(fmt::format("{}: cannot open the vector index sidecar: {}", sidecar_path,
                                       std::strerror(errno)));
  }
  auto corrupt = [&](const std::string& what) {
    return Status::InvalidInput(fmt::format("{}: not a valid vector index sidecar: {}", sidecar_path, what));
  };
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");
  if (j.value("format", "") != kSidecarFormat) return corrupt(fmt::format("\"format\" is not \"{}\"", kSidecarFormat));
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] < 1 ||
      j["version"] > kSidecarVersion) {
    return corrupt(fmt::format("unsupported \"version\" (expected 1 to {}; a newer vcf-agent wrote it?)",
                               kSidecarVersion));
  }
  IndexInfo info;
  if (j["version"] == 1) {
    info.structure = IndexStructure::kHnsw;
  } else {
    const auto structure = ParseStructure(j.value("structure", ""));
    if (!structure) return corrupt("\"structure\" must be \"hnsw\" or \"exact-cells\"");
    info.structure = *structure;
  }
  for (const char* key : {"dimension", "count", "generation", "m", "ef_construction", "ef_search", "index_bytes"}) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) return corrupt(fmt::format("\"{}\" must be a non-negative integer", key));
  }
  if (!j.contains("space") || !j["space"].is_string() || j["space"].get<std::string>().empty()) {
    return corrupt("\"space\" must be a non-empty string");
  }
  info.space = j["space"].get<std::string>();
  info.dimension = j["dimension"].get<size_t>();
  info.count = j["count"].get<size_t>();
  info.generation = j["generation"].get<uint64_t>();
  info.m = j["m"].get<size_t>();
  info.ef_construction = j["ef_construction"].get<size_t>();
  info.ef_search = j["ef_search"].get<size_t>();
  info.index_bytes = j["index_bytes"].get<uint64_t>();
  const auto metric = ParseMetric(j.value("metric", ""));
  if (!metric) return corrupt("\"metric\" must be \"l2\" or \"cosine\"");
  const auto quantisation = ParseQuantisation(j.value("quantisation", ""));
  if (!quantisation) return corrupt("\"quantisation\" must be \"int8\" or \"float32\"");
  info.metric = *metric;
  info.quantisation = *quantisation;
  if (info.dimension == 0 || info.dimension > 65536) return corrupt("\"dimension\" out of range");
  if (info.structure == IndexStructure::kExactCells &&
      (info.metric != Metric::kL2 || info.quantisation != Quantisation::kInt8)) {
    return corrupt("an exact-cells index must be l2 and int8");
  }
  return info;
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path, const IndexExpectation& expect) {
  auto size = FileSize(path);  // a missing index is reported as such, before its sidecar
  if (!size.ok()) return size.status();
  auto info = ReadInfo(path);
  if (!info.ok()) return info.status();
  if (!expect.space.empty() && info->space != expect.space) {
    return Status::InvalidInput(
        fmt::format("{}: the index holds space '{}', expected '{}'", path, info->space, expect.space));
  }
  if (expect.dimension != 0 && info->dimension != expect.dimension) {
    return Status::InvalidInput(fmt::format("{}: dimension mismatch: space '{}' has dimension {}, expected {}",
                                            path, info->space, info->dimension, expect.dimension));
  }
  if (*size != info->index_bytes) {
    return Status::InvalidInput(fmt::format(
        "{}: corrupt vector index: {} bytes, the sidecar says {} (truncated, or not the file it describes)", path,
        *size, info->index_bytes));
  }
  if (info->structure == IndexStructure::kExactCells) {
    auto cells = ExactCells::Read(path, info->dimension, info->count, *size);
    if (!cells.ok()) return cells.status();
    IndexParams params;
    params.structure = IndexStructure::kExactCells;
    std::unique_ptr<VectorIndex> index(new VectorIndex(info->space, info->dimension, params));
    index->generation_ = info->generation;
    index->impl_->cells = std::move(cells).value();
    return index;
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return Status::IoError(fmt::format("{}: cannot open the vector index: {}", path, std::strerror(errno)));
  const Status header = CheckGraphHeader(file, *info, *size, path);
  std::fclose(file);
  VCFAGENT_RETURN_IF_ERROR(header);

  IndexParams params;
  params.metric = info->metric;
  params.quantisation = info->quantisation;
  params.m = info->m;
  params.ef_construction = info->ef_construction;
  params.ef_search = info->ef_search == 0 ? IndexParams{}.ef_search : info->ef_search;
  std::unique_ptr<VectorIndex> index(new VectorIndex(info->space, info->dimension, params));
  index->generation_ = info->generation;
  index->impl_->space = MakeSpace(info->dimension, info->metric, info->quantisation);
  try {
    index->impl_->graph = std::make_unique<Graph>(index->impl_->space.get(), path, false,
                                                  std::max(info->count, kMinCapacity));
  } catch (const std::exception& e) {
    return Status::InvalidInput(fmt::format("{}: corrupt vector index: {}", path, e.what()));
  }
  Graph& g = *index->impl_->graph;
  g.num_deleted_ = 0;  // hnswlib's loading constructor leaves it uninitialised
  g.ef_construction_ = std::max(info->ef_construction, g.M_);
  VCFAGENT_RETURN_IF_ERROR(CheckGraphLinks(g, path));
  index->impl_->reserved = g.cur_element_count;
  return index;
}

}  // namespace vcfagent::store
