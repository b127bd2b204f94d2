#include "core/metrics_reader.h"

#include "core/agent_descriptors.h"

#include <dirent.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

namespace siagent {
namespace {

int64_t clock_ns(clockid_t clock) {
    timespec now;
    clock_gettime(clock, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// The whole of a small /proc file ("" when unreadable).
std::string read_small_file(const char* path) {
    std::string text;
    FILE* file = fopen(path, "re");
    if (file == nullptr) return text;
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, got);
    fclose(file);
    return text;
}

// The number after "<key>:" in a "key: value" file such as /proc/self/status.
std::optional<uint64_t> field(const std::string& text, const char* key) {
    std::string wanted = std::string("\n") + key + ":";
    size_t at = ("\n" + text).find(wanted);  // also matches on the first line
    if (at == std::string::npos) return std::nullopt;
    const char* value = text.c_str() + at + wanted.size() - 1;
    return strtoull(value, nullptr, 10);
}

// /proc/self/stat fields (1-based numbering of proc(5)); the command name may hold spaces
// and parentheses, so counting starts after its last ')'.
std::optional<uint64_t> stat_field(const std::string& stat, int number) {
    size_t close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    const char* cursor = stat.c_str() + close + 1;
    for (int index = 3; index <= number; ++index) {
        while (*cursor == ' ') ++cursor;
        if (*cursor == '\0') return std::nullopt;
        if (index == number) return strtoull(cursor, nullptr, 10);
        while (*cursor != ' ' && *cursor != '\0') ++cursor;
    }
    return std::nullopt;
}

// The application's descriptors: the agent's own (registered in agent_descriptors) and the
// directory's are not the application's, and counting them made the figure move with what
// the agent happened to have open (an upload's socket, a profile being written).
uint64_t count_open_fds() {
    DIR* directory = opendir("/proc/self/fd");
    if (directory == nullptr) return 0;
    const int own = dirfd(directory);
    uint64_t count = 0;
    while (dirent* entry = readdir(directory)) {
        if (entry->d_name[0] == '.') continue;
        int fd = atoi(entry->d_name);
        if (fd != own && !agent_still_holds(fd)) ++count;
    }
    closedir(directory);
    return count;
}

double seconds(const timeval& value) { return value.tv_sec + value.tv_usec / 1e6; }

void read_usage(MetricsSnapshot& out) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    out.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    out.max_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
    out.voluntary_context_switches = static_cast<uint64_t>(usage.ru_nvcsw);
    out.involuntary_context_switches = static_cast<uint64_t>(usage.ru_nivcsw);
    out.minor_page_faults = static_cast<uint64_t>(usage.ru_minflt);
    out.major_page_faults = static_cast<uint64_t>(usage.ru_majflt);
}

void read_proc(MetricsSnapshot& out) {
    std::string stat = read_small_file("/proc/self/stat");
    long page = sysconf(_SC_PAGESIZE);
    out.threads = stat_field(stat, 20).value_or(0);
    out.vm_size_bytes = stat_field(stat, 23).value_or(0);
    out.rss_bytes = stat_field(stat, 24).value_or(0) * static_cast<uint64_t>(page > 0 ? page : 4096);
    std::string status = read_small_file("/proc/self/status");
    if (auto hwm = field(status, "VmHWM")) out.max_rss_bytes = *hwm * 1024;
    // The kernel's high-water mark is brought up to date lazily (per-CPU counters), so it can
    // trail the resident set read a moment earlier: the peak is at least the present.
    if (out.max_rss_bytes < out.rss_bytes) out.max_rss_bytes = out.rss_bytes;
    out.open_fds = count_open_fds();
    std::string io = read_small_file("/proc/self/io");  // absent without CONFIG_TASK_IO_ACCOUNTING
    if (!io.empty()) {
        out.read_bytes = field(io, "rchar");
        out.written_bytes = field(io, "wchar");
        out.storage_read_bytes = field(io, "read_bytes");
        out.storage_written_bytes = field(io, "write_bytes");
    }
}

void read_heap(MetricsSnapshot& out) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 heap = mallinfo2();
    out.heap_in_use_bytes = heap.uordblks + heap.hblkhd;
    out.heap_allocated_bytes = heap.arena + heap.hblkhd;
#else
    (void)out;
#endif
}

}  // namespace

MetricsReader::MetricsReader(AllocationCountersSource allocations)
    : allocations_(std::move(allocations)) {
    last_time_ns_ = clock_ns(CLOCK_MONOTONIC);
    MetricsSnapshot baseline;
    read_usage(baseline);
    last_cpu_seconds_ = baseline.cpu_seconds;
    if (allocations_) last_allocations_ = allocations_();
}

MetricsSnapshot MetricsReader::read(const AgentHealth& agent) {
    MetricsSnapshot out;
    out.time_ns = clock_ns(CLOCK_REALTIME);
    int64_t now = clock_ns(CLOCK_MONOTONIC);
    out.interval_seconds = static_cast<double>(now - last_time_ns_) / 1e9;
    read_usage(out);
    read_proc(out);
    read_heap(out);
    if (out.interval_seconds > 0) {
        double busy = out.cpu_seconds - last_cpu_seconds_;
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        out.cpu_percent_of_one_core = 100.0 * busy / out.interval_seconds;
        out.cpu_percent_of_all_cores = out.cpu_percent_of_one_core / (cores > 0 ? cores : 1);
    }
    if (allocations_) {
        AllocationCounters counters = allocations_();
        if (counters.available && last_allocations_.available && out.interval_seconds > 0) {
            out.allocated_bytes_per_second =
                static_cast<double>(counters.bytes - last_allocations_.bytes) / out.interval_seconds;
            out.allocations_per_second =
                static_cast<double>(counters.calls - last_allocations_.calls) / out.interval_seconds;
        }
        last_allocations_ = counters;
    }
    out.agent = agent;
    last_time_ns_ = now;
    last_cpu_seconds_ = out.cpu_seconds;
    return out;
}

}  // namespace siagent
