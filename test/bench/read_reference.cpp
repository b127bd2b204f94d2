// Reference interposers of read(), the floor any blocking-call profiler pays on this machine
// (scripts/bench-blocking runs blocking_bench under each, beside the agent). Built three
// times, READ_REFERENCE selecting one:
//   tail   returns real_read's result by a tail call: the price of the extra symbol lookup
//          and indirect jump alone;
//   plain  calls real_read and returns: one more return after the system call;
//   timed  plain, with two TSC reads around the call summed into a thread-local total:
//          the least a wrapper that measures every call's duration with the TSC can do;
//   coarse plain, with two CLOCK_MONOTONIC_COARSE reads instead: the floor of the
//          agent's interposers before they marked calls for the agent thread's looks.
// Not part of the agent; resolution in a constructor, as the agent does.
#include <dlfcn.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <cstdint>

namespace {

using ReadFunction = ssize_t (*)(int, void*, size_t);
ReadFunction real_read = nullptr;

__attribute__((constructor)) void resolve_real_read() {
    real_read = reinterpret_cast<ReadFunction>(dlsym(RTLD_NEXT, "read"));
}

}  // namespace

#if READ_REFERENCE_TIMED || READ_REFERENCE_COARSE
thread_local uint64_t read_ticks __attribute__((tls_model("initial-exec")));
#endif

#if READ_REFERENCE_COARSE
static inline uint64_t coarse_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}
#endif

extern "C" __attribute__((visibility("default"))) ssize_t read(int fd, void* buffer, size_t size) {
#if READ_REFERENCE_TAIL
    return real_read(fd, buffer, size);
#elif READ_REFERENCE_PLAIN
    ssize_t result = real_read(fd, buffer, size);
    asm volatile("" ::: "memory");  // keeps the call from becoming a tail call
    return result;
#elif READ_REFERENCE_TIMED
    uint64_t started = __rdtsc();
    ssize_t result = real_read(fd, buffer, size);
    read_ticks += __rdtsc() - started;
    return result;
#elif READ_REFERENCE_COARSE
    uint64_t started = coarse_ns();
    ssize_t result = real_read(fd, buffer, size);
    read_ticks += coarse_ns() - started;
    return result;
#else
#error "define one of READ_REFERENCE_TAIL, READ_REFERENCE_PLAIN, READ_REFERENCE_TIMED, READ_REFERENCE_COARSE"
#endif
}
