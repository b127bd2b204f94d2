// Micro-benchmark of what the block profiler adds to an interposed call, without the
// system call (not a test): on this machine kind a 1-byte pipe read costs 300 to 1,300 ns
// and varies by ±100 ns between runs, which hides a few nanoseconds. The "real" function
// here returns at once; each variant calls it 20 million times:
//   plain_call_ns   a wrapper that calls the real function through a pointer (the floor
//                   of any interposer that regains control after the call);
//   agent_call_ns   the agent's read interposer path (preload/timed_call.h, retrying_call:
//                   agent-code check, the mark under way, the EINTR watch, the saved errno)
//                   with the block profiler running;
//   coarse_call_ns  the plain wrapper with two coarse-clock reads around the call (what
//                   the interposers paid before the looks, for comparison).
// Prints each figure (best of `repeats`, thread CPU time) and agent_added_ns.
// Usage: interposer_path_bench [repeats, default 5]
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/block/block_profiler.h"
#include "core/tick_clock.h"
#include "preload/timed_call.h"

namespace {

constexpr long kCalls = 20'000'000;

[[gnu::noinline]] ssize_t returning_read(int fd, void* buffer, size_t size) {
    asm volatile("" ::"r"(fd), "r"(buffer), "r"(size) : "memory");
    return 1;
}
ssize_t (*volatile real_read)(int, void*, size_t) = returning_read;

[[gnu::noinline]] ssize_t plain_read(int fd, void* buffer, size_t size) {
    ssize_t result = real_read(fd, buffer, size);
    asm volatile("" ::: "memory");  // regain control after the call
    return result;
}

[[gnu::noinline]] ssize_t agent_read(int fd, void* buffer, size_t size) {
    return siagent::retrying_call<siagent::BlockCall::read>(real_read, fd, buffer, size);
}

uint64_t coarse_total = 0;
[[gnu::noinline]] ssize_t coarse_read(int fd, void* buffer, size_t size) {
    const uint64_t start = siagent::coarse_ns();
    ssize_t result = real_read(fd, buffer, size);
    coarse_total += siagent::coarse_ns() - start;
    return result;
}

double cpu_ns() {
    timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return now.tv_sec * 1e9 + now.tv_nsec;
}

template <typename Read>
double ns_per_call(Read read) {
    char byte = 0;
    const double started = cpu_ns();
    for (long i = 0; i < kCalls; ++i)
        if (read(0, &byte, 1) != 1) std::abort();
    return (cpu_ns() - started) / kCalls;
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
    std::string error;
    if (!siagent::block_profiler().start(10'000'000, 64, error)) {
        std::fprintf(stderr, "interposer_path_bench: %s\n", error.c_str());
        return 2;
    }
    double plain = 1e18, agent = 1e18, coarse = 1e18;
    for (int i = 0; i < repeats; ++i) {
        plain = std::min(plain, ns_per_call(plain_read));
        agent = std::min(agent, ns_per_call(agent_read));
        coarse = std::min(coarse, ns_per_call(coarse_read));
    }
    std::printf("plain_call_ns %.2f\nagent_call_ns %.2f\ncoarse_call_ns %.2f\nagent_added_ns %.2f\n", plain,
                agent, coarse, agent - plain);
    return 0;
}
