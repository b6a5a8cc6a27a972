// process_* metrics against what the kernel reports directly.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "obs/metrics.h"
#include "obs/service_metrics.h"

namespace vcfagent::obs {
namespace {

// The value of an unlabelled sample `name` in an exposition.
double Sample(const std::string& exposition, const std::string& name) {
  const std::string text = "\n" + exposition;
  const std::string prefix = "\n" + name + " ";
  const size_t at = text.find(prefix);
  EXPECT_NE(at, std::string::npos) << name;
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + prefix.size()));
}

TEST(ProcessMetrics, ResidentMemoryMatchesStatm) {
  Registry registry;
  RegisterProcessMetrics(registry);
  std::vector<char> touched(32 << 20, 1);  // make RSS clearly non-trivial
  const double rss = Sample(registry.Exposition(), "process_resident_memory_bytes");
  std::ifstream statm("/proc/self/statm");
  double size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  const double expected = resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE));
  EXPECT_NEAR(rss, expected, expected * 0.2);
  EXPECT_GT(rss, 32 << 20);
  EXPECT_GE(Sample(registry.Exposition(), "process_virtual_memory_bytes"), rss);
  EXPECT_EQ(touched[12345], 1);
}

TEST(ProcessMetrics, OpenFdsGrowByOneWithAnOpenedFile) {
  Registry registry;
  RegisterProcessMetrics(registry);
  const double before = Sample(registry.Exposition(), "process_open_fds");
  const int fd = open("/proc/self/stat", O_RDONLY);
  ASSERT_GE(fd, 0);
  const double during = Sample(registry.Exposition(), "process_open_fds");
  close(fd);
  EXPECT_EQ(during, before + 1);
  EXPECT_EQ(Sample(registry.Exposition(), "process_open_fds"), before);
  EXPECT_GE(Sample(registry.Exposition(), "process_max_fds"), during);
}

TEST(ProcessMetrics, StartTimeIsNowMinusUptime) {
  Registry registry;
  RegisterProcessMetrics(registry);
  const double start = Sample(registry.Exposition(), "process_start_time_seconds");
  // The process is the test binary: started moments ago.
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 120);
}

TEST(ProcessMetrics, CpuSecondsGrowWithWork) {
  Registry registry;
  RegisterProcessMetrics(registry);
  const double before = Sample(registry.Exposition(), "process_cpu_seconds_total");
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  volatile uint64_t spin = 0;
  while (std::chrono::steady_clock::now() < until) spin = spin + 1;
  const double after = Sample(registry.Exposition(), "process_cpu_seconds_total");
  EXPECT_GT(after, before + 0.1);
}

TEST(ProcessMetrics, RegisteringTwiceAddsOneCollector) {
  Registry registry;
  RegisterProcessMetrics(registry);
  RegisterProcessMetrics(registry);
  const std::string text = registry.Exposition();
  EXPECT_EQ(text.find("# TYPE process_open_fds"), text.rfind("# TYPE process_open_fds"));
}

// The heap gauges follow what the process allocates and frees (glibc's malloc; a sanitizer's
// allocator replaces it, and mallinfo2 then knows nothing).
TEST(ProcessMetrics, HeapAllocatedFollowsMallocAndFree) {
#if defined(VCFAGENT_SANITIZED)
  GTEST_SKIP() << "AddressSanitizer replaces malloc";
#else
  Metrics();
  Registry& registry = Registry::Global();
  const double before = Sample(registry.Exposition(), "vcfagent_heap_allocated_bytes");
  auto* block = static_cast<char*>(std::malloc(64 << 20));
  ASSERT_NE(block, nullptr);
  block[12345] = 1;
  const double during = Sample(registry.Exposition(), "vcfagent_heap_allocated_bytes");
  std::free(block);
  const double after = Sample(registry.Exposition(), "vcfagent_heap_allocated_bytes");
  EXPECT_GT(before, 0);
  EXPECT_NEAR(during - before, 64 << 20, 1 << 20);
  EXPECT_NEAR(after, before, 1 << 20);
  EXPECT_GE(Sample(registry.Exposition(), "vcfagent_heap_free_bytes"), 0);
#endif
}

}  // namespace
}  // namespace vcfagent::obs
