#include "core/tick_clock.h"

#include <fcntl.h>
#include <cerrno>
#include <sys/syscall.h>
#include <unistd.h>

namespace siagent {
namespace tick_detail {

constinit std::atomic<int> mode{kUndecided};

namespace {

constinit std::atomic<uint64_t> origin_ticks{0};
constinit std::atomic<uint64_t> origin_ns{0};
constexpr uint64_t kMinimumBaselineNs = 10'000'000;

// malloc-safe: raw system calls (the library's own open/read are interposed).
bool kernel_keeps_time_with_tsc() {
#if defined(__x86_64__)
    int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD,
                                      "/sys/devices/system/clocksource/clocksource0/current_clocksource",
                                      O_RDONLY | O_CLOEXEC));
    if (fd < 0) return false;
    char text[16] = {};
    long length = syscall(SYS_read, fd, text, sizeof text - 1);
    syscall(SYS_close, fd);
    return length >= 3 && text[0] == 't' && text[1] == 's' && text[2] == 'c' &&
           (length == 3 || text[3] == '\n');
#else
    return false;
#endif
}

}  // namespace

// Threads racing here decide the same; the origin is written before the mode is published.
// Keeps errno: the system calls above may set it.
__attribute__((noinline)) int decide() {
    int saved_errno = errno;
    int chosen = kernel_keeps_time_with_tsc() ? kTsc : kMonotonic;
    errno = saved_errno;
#if defined(__x86_64__)
    if (chosen == kTsc) {
        origin_ticks.store(__rdtsc(), std::memory_order_relaxed);
        origin_ns.store(monotonic_ns(), std::memory_order_relaxed);
    }
#endif
    int expected = kUndecided;
    mode.compare_exchange_strong(expected, chosen, std::memory_order_release, std::memory_order_acquire);
    return expected == kUndecided ? chosen : expected;
}

}  // namespace tick_detail

double nanoseconds_per_tick(bool wait) {
#if defined(__x86_64__)
    using namespace tick_detail;
    if (!ticks_are_tsc()) return 1.0;
    uint64_t ticks0 = origin_ticks.load(std::memory_order_relaxed);
    uint64_t ns0 = origin_ns.load(std::memory_order_relaxed);
    uint64_t ns = monotonic_ns();
    if (!wait && ns < ns0 + kMinimumBaselineNs) return 0.0;
    while (ns < ns0 + kMinimumBaselineNs) ns = monotonic_ns();
    uint64_t ticks = __rdtsc();
    return ticks > ticks0 ? static_cast<double>(ns - ns0) / static_cast<double>(ticks - ticks0) : 1.0;
#else
    (void)wait;
    return 1.0;
#endif
}

}  // namespace siagent
