// Benchmark subject: cost of one si_span_begin + si_span_end pair, through the public
// header's inline shim, timed on the thread's CPU clock after a warm-up. Prints
// `ns_per_pair <value>` for a plain span and `ns_per_nested_pair` for a span opened inside
// another. Run with and without LD_PRELOAD (scripts/bench-spans).
// Usage: span_pairs [pairs, default 20000000]
#include <time.h>

#include <cstdio>
#include <cstdlib>

#include "siagent.h"

namespace {

double cpu_ns() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

__attribute__((noinline)) double time_pairs(long pairs) {
    double start = cpu_ns();
    for (long i = 0; i < pairs; ++i) {
        si_span_t span = si_span_begin("handle_request");
        asm volatile("" : : "r"(span) : "memory");
        si_span_end(span);
    }
    return (cpu_ns() - start) / static_cast<double>(pairs);
}

}  // namespace

int main(int argc, char** argv) {
    long pairs = argc > 1 ? atol(argv[1]) : 20'000'000;
    time_pairs(pairs / 10);  // warm-up: the shim's lookup, the name's interning
    printf("ns_per_pair %.2f\n", time_pairs(pairs));
    si_span_t outer = si_span_begin("outer");
    printf("ns_per_nested_pair %.2f\n", time_pairs(pairs));
    si_span_end(outer);
    return 0;
}
