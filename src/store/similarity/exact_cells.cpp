#include "store/similarity/exact_cells.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "fmt/format.h"

namespace vcfagent::store {

namespace {

constexpr char kMagic[8] = {'V', 'A', 'C', 'E', 'L', 'L', 'S', '1'};
constexpr uint8_t kZero = 128;  // offset-binary 0

size_t Stride(size_t dimension) { return (dimension + 15) / 16 * 16; }

// Over 8-byte words (the stride is a multiple of 16), each mixed by a multiply and a rotation:
// a sixth of the serial steps of a byte-wise FNV-1a. Only equality of hashes is used.
uint64_t HashBytes(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    h = (h ^ word) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  }
  return h;
}

#if defined(__SSE2__)
// Sum of squares of the 16-bit lanes of |d| (unsigned bytes), added into 32-bit lanes.
inline __m128i SquareSum(__m128i acc, __m128i d) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_unpacklo_epi8(d, zero), hi = _mm_unpackhi_epi8(d, zero);
  return _mm_add_epi32(acc, _mm_add_epi32(_mm_madd_epi16(lo, lo), _mm_madd_epi16(hi, hi)));
}
inline uint32_t Total(__m128i acc) {
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(1, 0, 3, 2)));
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(2, 3, 0, 1)));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(acc));
}
#endif

}  // namespace

struct ExactCells::Header {
  char magic[8];
  uint64_t dimension, stride, labels, distinct, cells, label_bytes;
};

ExactCells::ExactCells(size_t dimension) : dimension_(dimension), stride_(Stride(dimension)) {}

void ExactCells::Add(uint64_t label, const int8_t* vector) {
  uint8_t local[256];
  std::vector<uint8_t> heap;
  uint8_t* v = stride_ <= sizeof local ? local : (heap.resize(stride_), heap.data());
  std::fill(v, v + stride_, kZero);
  for (size_t i = 0; i < dimension_; ++i) v[i] = static_cast<uint8_t>(vector[i] + 128);
  std::lock_guard lock(pending_mutex_);
  if (built_) Unbuild();
  pending_labels_.push_back(label);
  pending_distinct_.push_back(PendingDistinct(v));
}

uint32_t ExactCells::PendingDistinct(const uint8_t* v) {
  const uint64_t h = HashBytes(v, stride_);
  const auto next = static_cast<uint32_t>(pending_collision_.size());
  auto [it, inserted] = pending_by_hash_.try_emplace(h, next);
  if (!inserted) {
    for (uint32_t u = it->second;; u = pending_collision_[u]) {
      if (std::memcmp(pending_vectors_.data() + static_cast<size_t>(u) * stride_, v, stride_) == 0) return u;
      if (pending_collision_[u] == UINT32_MAX) {
        pending_collision_[u] = next;
        break;
      }
    }
  }
  pending_vectors_.insert(pending_vectors_.end(), v, v + stride_);
  pending_collision_.push_back(UINT32_MAX);
  return next;
}

void ExactCells::Unbuild() {
  for (size_t u = 0; u + 1 < label_begin_.size(); ++u) {
    const uint32_t distinct_id = PendingDistinct(vectors_.data() + u * stride_);
    for (uint32_t j = label_begin_[u]; j < label_begin_[u + 1]; ++j) {
      pending_labels_.push_back(labels_[j]);
      pending_distinct_.push_back(distinct_id);
    }
  }
  vectors_.clear();
  label_begin_.clear();
  labels_.clear();
  cell_begin_.clear();
  cell_min_.clear();
  cell_max_.clear();
  built_ = false;
}

uint32_t ExactCells::Distance(const uint8_t* a, const uint8_t* b) const {
#if defined(__SSE2__)
  __m128i acc = _mm_setzero_si128();
  for (size_t i = 0; i < stride_; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    acc = SquareSum(acc, _mm_or_si128(_mm_subs_epu8(x, y), _mm_subs_epu8(y, x)));
  }
  return Total(acc);
#else
  uint32_t sum = 0;
  for (size_t i = 0; i < stride_; ++i) {
    const int32_t d = static_cast<int32_t>(a[i]) - static_cast<int32_t>(b[i]);
    sum += static_cast<uint32_t>(d * d);
  }
  return sum;
#endif
}

uint32_t ExactCells::LowerBound(const uint8_t* query, size_t cell) const {
  const uint8_t* lo = cell_min_.data() + cell * stride_;
  const uint8_t* hi = cell_max_.data() + cell * stride_;
#if defined(__SSE2__)
  __m128i acc = _mm_setzero_si128();
  for (size_t i = 0; i < stride_; i += 16) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(query + i));
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(lo + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hi + i));
    // Below the box: lo - q; above: q - hi; inside: both saturate to 0.
    acc = SquareSum(acc, _mm_or_si128(_mm_subs_epu8(a, q), _mm_subs_epu8(q, b)));
  }
  return Total(acc);
#else
  uint32_t sum = 0;
  for (size_t i = 0; i < stride_; ++i) {
    const int32_t d = query[i] < lo[i] ? lo[i] - query[i] : query[i] > hi[i] ? query[i] - hi[i] : 0;
    sum += static_cast<uint32_t>(d * d);
  }
  return sum;
#endif
}

void ExactCells::Partition(std::vector<uint32_t>& order, size_t begin, size_t end,
                           std::vector<std::pair<uint32_t, uint32_t>>& cells) const {
  auto vector_of = [&](uint32_t u) { return pending_vectors_.data() + static_cast<size_t>(u) * stride_; };
  while (end - begin > kCellSize) {
    // The widest component of the box.
    std::vector<uint8_t> lo(stride_, 255), hi(stride_, 0);
    for (size_t i = begin; i < end; ++i) {
      const uint8_t* v = vector_of(order[i]);
      for (size_t d = 0; d < dimension_; ++d) {
        lo[d] = std::min(lo[d], v[d]);
        hi[d] = std::max(hi[d], v[d]);
      }
    }
    size_t axis = 0;
    for (size_t d = 1; d < dimension_; ++d) {
      if (hi[d] - lo[d] > hi[axis] - lo[axis]) axis = d;
    }
    if (hi[axis] == lo[axis]) break;  // identical vectors (not after deduplication): one cell
    auto value = [&](uint32_t u) { return vector_of(u)[axis]; };
    const size_t mid = begin + (end - begin) / 2;
    std::nth_element(order.begin() + begin, order.begin() + mid, order.begin() + end,
                     [&](uint32_t a, uint32_t b) { return value(a) < value(b); });
    const uint8_t pivot = value(order[mid]);
    // Split at a boundary of the median's value (whichever is nearer the middle and leaves both
    // sides non-empty), so that a category never straddles two cells.
    const size_t below = static_cast<size_t>(
        std::partition(order.begin() + begin, order.begin() + end, [&](uint32_t u) { return value(u) < pivot; }) -
        order.begin());
    const size_t through = static_cast<size_t>(
        std::partition(order.begin() + below, order.begin() + end, [&](uint32_t u) { return value(u) == pivot; }) -
        order.begin());
    size_t split;
    if (below == begin) {
      split = through;
    } else if (through == end) {
      split = below;
    } else {
      split = (mid - below <= through - mid) ? below : through;
    }
    // Recurse into the smaller side and loop on the larger: the stack stays logarithmic.
    if (split - begin <= end - split) {
      Partition(order, begin, split, cells);
      begin = split;
    } else {
      Partition(order, split, end, cells);
      end = split;
    }
  }
  cells.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(end));
}

void ExactCells::Build() {
  std::lock_guard lock(pending_mutex_);
  if (built_) return;
  const size_t n = pending_labels_.size();
  // Items in label order; the last vector added for a label wins. Adds usually come in ascending
  // label order (the store's ids): then there is nothing to sort.
  std::vector<uint32_t> kept;
  kept.reserve(n);
  if (std::adjacent_find(pending_labels_.begin(), pending_labels_.end(), std::greater_equal<>()) ==
      pending_labels_.end()) {
    for (size_t i = 0; i < n; ++i) kept.push_back(static_cast<uint32_t>(i));
  } else {
    std::vector<uint32_t> items(n);
    std::iota(items.begin(), items.end(), 0u);
    std::stable_sort(items.begin(), items.end(),
                     [&](uint32_t a, uint32_t b) { return pending_labels_[a] < pending_labels_[b]; });
    for (size_t i = 0; i < n; ++i) {
      if (i + 1 < n && pending_labels_[items[i + 1]] == pending_labels_[items[i]]) continue;
      kept.push_back(items[i]);
    }
  }

  // Labels per distinct vector; a vector whose every label was added again with another vector
  // has none left and is dropped.
  const size_t pending = pending_collision_.size();
  std::vector<uint32_t> group_size(pending, 0);
  for (uint32_t item : kept) ++group_size[pending_distinct_[item]];
  std::vector<uint32_t> order;
  order.reserve(pending);
  for (uint32_t u = 0; u < pending; ++u) {
    if (group_size[u] > 0) order.push_back(u);
  }
  const size_t distinct = order.size();

  // Cells over the distinct vectors; `order` lists them cell by cell.
  std::vector<std::pair<uint32_t, uint32_t>> cells;
  if (distinct > 0) Partition(order, 0, distinct, cells);
  std::sort(cells.begin(), cells.end());
  std::vector<uint32_t> position(pending, 0);  // pending distinct id -> its place in cell order
  for (size_t p = 0; p < distinct; ++p) position[order[p]] = static_cast<uint32_t>(p);

  vectors_.assign(distinct * stride_, kZero);
  label_begin_.assign(distinct + 1, 0);
  for (size_t p = 0; p < distinct; ++p) {
    std::memcpy(vectors_.data() + p * stride_, pending_vectors_.data() + static_cast<size_t>(order[p]) * stride_,
                stride_);
    label_begin_[p + 1] = label_begin_[p] + group_size[order[p]];
  }
  // Labels grouped by vector, ascending within a group (items are in label order).
  labels_.assign(kept.size(), 0);
  std::vector<uint32_t> fill(label_begin_.begin(), label_begin_.end() - 1);
  for (uint32_t item : kept) labels_[fill[position[pending_distinct_[item]]]++] = pending_labels_[item];

  cell_begin_.assign(1, 0);
  cell_min_.assign(cells.size() * stride_, kZero);
  cell_max_.assign(cells.size() * stride_, kZero);
  for (size_t c = 0; c < cells.size(); ++c) {
    uint8_t* lo = cell_min_.data() + c * stride_;
    uint8_t* hi = cell_max_.data() + c * stride_;
    std::fill(lo, lo + dimension_, 255);
    std::fill(hi, hi + dimension_, 0);
    for (uint32_t p = cells[c].first; p < cells[c].second; ++p) {
      const uint8_t* v = vectors_.data() + static_cast<size_t>(p) * stride_;
      for (size_t d = 0; d < dimension_; ++d) {
        lo[d] = std::min(lo[d], v[d]);
        hi[d] = std::max(hi[d], v[d]);
      }
    }
    cell_begin_.push_back(cells[c].second);
  }
  pending_labels_ = {};
  pending_distinct_ = {};
  pending_vectors_ = {};
  pending_collision_ = {};
  pending_by_hash_ = {};
  built_ = true;
}

std::vector<std::pair<uint32_t, uint64_t>> ExactCells::Search(const int8_t* query, size_t k,
                                                               const std::function<bool(uint64_t)>& filter,
                                                               bool prune) const {
  using Hit = std::pair<uint32_t, uint64_t>;  // ordered by distance, then label
  std::vector<Hit> heap;                      // max-heap: the worst kept is at the front
  if (k == 0 || labels_.empty()) return heap;
  std::vector<uint8_t> q(stride_, kZero);
  for (size_t i = 0; i < dimension_; ++i) q[i] = static_cast<uint8_t>(query[i] + 128);

  auto scan = [&](size_t u) {
    const uint32_t d = Distance(q.data(), vectors_.data() + u * stride_);
    if (heap.size() == k && d > heap.front().first) return;
    for (uint32_t j = label_begin_[u]; j < label_begin_[u + 1]; ++j) {
      const Hit hit{d, labels_[j]};
      if (heap.size() == k && !(hit < heap.front())) break;  // labels ascend: the rest are worse
      if (filter && !filter(hit.second)) continue;
      heap.push_back(hit);
      std::push_heap(heap.begin(), heap.end());
      if (heap.size() > k) {
        std::pop_heap(heap.begin(), heap.end());
        heap.pop_back();
      }
    }
  };

  if (!prune) {
    for (size_t u = 0, n = distinct(); u < n; ++u) scan(u);
  } else {
    std::vector<std::pair<uint32_t, uint32_t>> bounds(cells());  // (lower bound, cell)
    for (size_t c = 0; c < bounds.size(); ++c) bounds[c] = {LowerBound(q.data(), c), static_cast<uint32_t>(c)};
    auto nearer = [](const auto& a, const auto& b) { return a > b; };  // min-heap
    std::make_heap(bounds.begin(), bounds.end(), nearer);
    while (!bounds.empty()) {
      std::pop_heap(bounds.begin(), bounds.end(), nearer);
      const auto [bound, cell] = bounds.back();
      bounds.pop_back();
      // Equal bounds may still hold an equally near, smaller label: only a larger bound stops.
      if (heap.size() == k && bound > heap.front().first) break;
      for (uint32_t u = cell_begin_[cell]; u < cell_begin_[cell + 1]; ++u) scan(u);
    }
  }
  std::sort_heap(heap.begin(), heap.end());
  return heap;
}

bool ExactCells::Contains(uint64_t label) const {
  if (!built_) return std::find(pending_labels_.begin(), pending_labels_.end(), label) != pending_labels_.end();
  return std::find(labels_.begin(), labels_.end(), label) != labels_.end();
}

bool ExactCells::StoredVector(uint64_t label, int8_t* out) const {
  if (!built_) return false;
  const auto it = std::find(labels_.begin(), labels_.end(), label);
  if (it == labels_.end()) return false;
  const auto j = static_cast<uint32_t>(it - labels_.begin());
  const size_t u = static_cast<size_t>(std::upper_bound(label_begin_.begin(), label_begin_.end(), j) -
                                       label_begin_.begin()) - 1;
  for (size_t i = 0; i < dimension_; ++i) out[i] = static_cast<int8_t>(vectors_[u * stride_ + i] - 128);
  return true;
}

namespace {

size_t LabelBytes(const std::vector<uint64_t>& labels) {
  for (uint64_t label : labels) {
    if (label > std::numeric_limits<uint32_t>::max()) return 8;
  }
  return 4;
}

}  // namespace

uint64_t ExactCells::FileBytes() const {
  const uint64_t distinct_count = distinct(), cell_count = cells();
  return sizeof(Header) + vectors_.size() + (distinct_count + 1) * 4 + labels_.size() * LabelBytes(labels_) +
         (cell_count + 1) * 4 + 2 * cell_count * stride_;
}

bool ExactCells::Write(std::FILE* file) const {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.dimension = dimension_;
  h.stride = stride_;
  h.labels = labels_.size();
  h.distinct = distinct();
  h.cells = cells();
  h.label_bytes = LabelBytes(labels_);
  auto put = [&](const void* data, size_t size) { return size == 0 || std::fwrite(data, 1, size, file) == size; };
  bool ok = put(&h, sizeof h) && put(vectors_.data(), vectors_.size()) &&
            put(label_begin_.data(), label_begin_.size() * 4);
  if (h.label_bytes == 4) {
    std::vector<uint32_t> narrow(labels_.begin(), labels_.end());
    ok = ok && put(narrow.data(), narrow.size() * 4);
  } else {
    ok = ok && put(labels_.data(), labels_.size() * 8);
  }
  return ok && put(cell_begin_.data(), cell_begin_.size() * 4) && put(cell_min_.data(), cell_min_.size()) &&
         put(cell_max_.data(), cell_max_.size());
}

Result<std::unique_ptr<ExactCells>> ExactCells::Read(const std::string& path, size_t dimension, size_t count,
                                                     uint64_t file_size) {
  auto corrupt = [&](const std::string& what) {
    return Status::InvalidInput(fmt::format("{}: corrupt vector index: {}", path, what));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return Status::IoError(fmt::format("{}: cannot open the vector index: {}", path, std::strerror(errno)));
  Header h{};
  if (std::fread(&h, sizeof h, 1, file.get()) != 1) return corrupt("the header is truncated");
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return corrupt("not an exact-cells index");
  auto cells = std::make_unique<ExactCells>(dimension);
  if (h.dimension != dimension || h.stride != cells->stride_) {
    return corrupt(fmt::format("dimension {} (the sidecar says {})", h.dimension, dimension));
  }
  if (h.labels != count) return corrupt(fmt::format("{} vectors, the sidecar says {}", h.labels, count));
  if (h.label_bytes != 4 && h.label_bytes != 8) return corrupt("label width");
  // Every count is bounded by the file's size before anything is allocated from it.
  const uint64_t limit = file_size;
  if (h.labels > limit / h.label_bytes || h.distinct > limit / (h.stride + 4) || h.cells > limit / (2 * h.stride + 4) ||
      h.labels > std::numeric_limits<uint32_t>::max() || h.distinct > h.labels || h.cells > h.distinct ||
      (h.labels > 0) != (h.cells > 0)) {
    return corrupt("counts out of range");
  }
  const uint64_t expected = sizeof(Header) + h.distinct * h.stride + (h.distinct + 1) * 4 + h.labels * h.label_bytes +
                            (h.cells + 1) * 4 + 2 * h.cells * h.stride;
  if (expected != file_size) return corrupt(fmt::format("{} bytes, its header describes {}", file_size, expected));
  auto get = [&](void* data, size_t size) { return size == 0 || std::fread(data, 1, size, file.get()) == size; };
  cells->vectors_.resize(h.distinct * h.stride);
  cells->label_begin_.resize(h.distinct + 1);
  cells->labels_.resize(h.labels);
  cells->cell_begin_.resize(h.cells + 1);
  cells->cell_min_.resize(h.cells * h.stride);
  cells->cell_max_.resize(h.cells * h.stride);
  bool ok = get(cells->vectors_.data(), cells->vectors_.size()) &&
            get(cells->label_begin_.data(), cells->label_begin_.size() * 4);
  if (h.label_bytes == 4) {
    std::vector<uint32_t> narrow(h.labels);
    ok = ok && get(narrow.data(), narrow.size() * 4);
    std::copy(narrow.begin(), narrow.end(), cells->labels_.begin());
  } else {
    ok = ok && get(cells->labels_.data(), cells->labels_.size() * 8);
  }
  ok = ok && get(cells->cell_begin_.data(), cells->cell_begin_.size() * 4) &&
       get(cells->cell_min_.data(), cells->cell_min_.size()) && get(cells->cell_max_.data(), cells->cell_max_.size());
  if (!ok) return corrupt("the file is truncated");

  const auto& lb = cells->label_begin_;
  if (lb.front() != 0 || lb.back() != h.labels) return corrupt("label offsets");
  for (size_t u = 0; u < h.distinct; ++u) {
    if (lb[u + 1] <= lb[u]) return corrupt(fmt::format("label offsets of vector {}", u));
    for (uint32_t j = lb[u] + 1; j < lb[u + 1]; ++j) {
      if (cells->labels_[j] <= cells->labels_[j - 1]) return corrupt(fmt::format("labels of vector {} out of order", u));
    }
  }
  const auto& cb = cells->cell_begin_;
  if (cb.front() != 0 || cb.back() != h.distinct) return corrupt("cell offsets");
  for (size_t c = 0; c < h.cells; ++c) {
    if (cb[c + 1] <= cb[c]) return corrupt(fmt::format("cell offsets of cell {}", c));
    const uint8_t* lo = cells->cell_min_.data() + c * h.stride;
    const uint8_t* hi = cells->cell_max_.data() + c * h.stride;
    for (uint32_t u = cb[c]; u < cb[c + 1]; ++u) {
      const uint8_t* v = cells->vectors_.data() + static_cast<size_t>(u) * h.stride;
      for (size_t d = 0; d < h.stride; ++d) {
        // The box must hold its vectors (or the search would not be exact); padding must be 0.
        if (v[d] < lo[d] || v[d] > hi[d] || (d >= dimension && (v[d] != kZero || lo[d] != kZero || hi[d] != kZero))) {
          return corrupt(fmt::format("vector {} lies outside the bounds of cell {}", u, c));
        }
      }
    }
  }
  cells->built_ = true;
  return cells;
}

}  // namespace vcfagent::store
