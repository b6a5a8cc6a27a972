// process_* metrics from /proc, named and computed as the official Prometheus clients do.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "obs/metrics.h"

namespace vcfagent::obs {
namespace {

struct ProcStat {
  double cpu_seconds = 0;
  double start_ticks = 0;
  double virtual_bytes = 0;
  double resident_pages = 0;
  bool ok = false;
};

// /proc/self/stat: the command name (field 2) may contain spaces and ')', so fields are counted
// after its last ')'. utime 14, stime 15, starttime 22, vsize 23, rss 24 (1-based).
ProcStat ReadProcStat() {
  ProcStat stat;
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return stat;
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> values;  // values[0] is field 3 (state)
  for (std::string field; fields >> field;) values.push_back(field);
  auto field = [&](int number) { return std::stod(values.at(number - 3)); };
  try {
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    stat.cpu_seconds = (field(14) + field(15)) / ticks;
    stat.start_ticks = field(22);
    stat.virtual_bytes = field(23);
    stat.resident_pages = field(24);
    stat.ok = true;
  } catch (const std::exception&) {
  }
  return stat;
}

// Boot time (seconds since the epoch) from /proc/stat's btime line; it never changes.
double BootTime() {
  static const double btime = [] {
    std::ifstream in("/proc/stat");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
    }
    return 0.0;
  }();
  return btime;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  double count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the directory stream's own descriptor is not one of the process's files
}

}  // namespace

void RegisterProcessMetrics(Registry& registry) {
  static std::mutex mutex;  // scrapes may run concurrently; registration is once per registry
  std::lock_guard<std::mutex> registering(mutex);
  const std::vector<std::string> names = registry.FamilyNames();
  if (std::binary_search(names.begin(), names.end(), "process_start_time_seconds")) return;
  Gauge& resident = registry.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.").With({});
  Gauge& virtual_memory = registry.AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").With({});
  Counter& cpu = registry.AddCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.").With({});
  Gauge& open_fds = registry.AddGauge("process_open_fds", "Number of open file descriptors.").With({});
  Gauge& max_fds = registry.AddGauge("process_max_fds", "Maximum number of open file descriptors.").With({});
  Gauge& start_time = registry.AddGauge("process_start_time_seconds",
                                        "Start time of the process since unix epoch in seconds.").With({});
  registry.AddCollector([&resident, &virtual_memory, &cpu, &open_fds, &max_fds, &start_time] {
    std::lock_guard<std::mutex> lock(mutex);
    const ProcStat stat = ReadProcStat();
    if (stat.ok) {
      resident.Set(stat.resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE)));
      virtual_memory.Set(stat.virtual_bytes);
      cpu.AdvanceTo(stat.cpu_seconds);
      start_time.Set(BootTime() + stat.start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK)));
    }
    open_fds.Set(OpenFds());
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      max_fds.Set(limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(limit.rlim_cur));
    }
  });
}

}  // namespace vcfagent::obs
