// Known truth for spans. Built with siagent.hpp (the inline shim), so it also runs, and
// exits 0, without the agent. Prints "truth ..." lines the integration test compares with
// the agent's spans-*.json and profiles:
// - "fast": 400 spans spinning 1.00..1.99 ms (uniform, 10 us steps): p50 1.5, p95 1.95,
//   p99 1.99 ms; "slow": 200 spans, 90 % spin 5 ms, 10 % 20 ms: p50 5, p95 20, p99 20 ms.
//   The program measures each duration itself and prints the exact percentiles.
// - span "A" burns CPU in burn_in_a and allocates 64 blocks of 1 MiB; span "B" burns in
//   burn_in_b and sleeps 5 x 20 ms (blocking). Samples in burn_in_a carry span=A only.
// - "outer" contains "inner": burn_in_inner runs under inner, burn_in_outer under outer.
// - 8 threads x 50 "worker" spans; one thread leaves "left_open" open when it ends.
// - "focused" (si_span_begin_profiled) burns in burn_focused: its CPU estimate stays right
//   while many more samples are taken.
// Usage: span_demo [units, default 40]
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "burn.h"
#include "siagent.hpp"

namespace {

long units = 40;

int64_t monotonic_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void spin_for(int64_t ns) {
    int64_t until = monotonic_ns() + ns;
    while (monotonic_ns() < until) {
    }
}

double percentile(std::vector<int64_t> values, double fraction) {
    std::sort(values.begin(), values.end());
    size_t rank = static_cast<size_t>(fraction * static_cast<double>(values.size()) + 0.5);
    rank = std::clamp<size_t>(rank, 1, values.size());
    return static_cast<double>(values[rank - 1]) / 1e6;
}

void print_truth(const char* name, const std::vector<int64_t>& durations) {
    printf("truth %s count %zu p50 %.4f p95 %.4f p99 %.4f max %.4f\n", name, durations.size(),
           percentile(durations, 0.50), percentile(durations, 0.95), percentile(durations, 0.99),
           percentile(durations, 1.0));
}

void latencies() {
    std::vector<int64_t> fast, slow;
    for (int i = 0; i < 400; ++i) {
        int64_t start = monotonic_ns();
        siagent::Span span("fast");
        spin_for(1'000'000 + (i % 100) * 10'000);
        span.end();
        fast.push_back(monotonic_ns() - start);
    }
    for (int i = 0; i < 200; ++i) {
        int64_t start = monotonic_ns();
        si_span_t span = si_span_begin("slow");
        spin_for(i % 10 == 9 ? 20'000'000 : 5'000'000);
        si_span_end(span);
        slow.push_back(monotonic_ns() - start);
    }
    print_truth("fast", fast);
    print_truth("slow", slow);
}

__attribute__((noinline)) void burn_in_a() { BURN_UNITS(units * 3); }
__attribute__((noinline)) void burn_in_b() { BURN_UNITS(units); }
__attribute__((noinline)) void burn_in_inner() { BURN_UNITS(units); }
__attribute__((noinline)) void burn_in_outer() { BURN_UNITS(units); }
__attribute__((noinline)) void burn_focused() { BURN_UNITS(units * 4); }

__attribute__((noinline)) void allocate_in_a() {
    for (int i = 0; i < 64; ++i) {
        char* block = static_cast<char*>(malloc(1 << 20));
        block[0] = 1;
        asm volatile("" : : "r"(block) : "memory");
        free(block);
    }
}

void labelled() {
    {
        siagent::Span a("A");
        burn_in_a();
        allocate_in_a();
    }
    {
        siagent::Span b("B");
        burn_in_b();
        for (int i = 0; i < 5; ++i) {
            timespec pause{0, 20'000'000};
            nanosleep(&pause, nullptr);
        }
    }
    {
        siagent::Span outer("outer");
        {
            siagent::Span inner("inner");
            burn_in_inner();
        }
        burn_in_outer();
    }
    int64_t cpu = thread_cpu_ns();
    {
        siagent::Span focused("focused", siagent::Span::Profiled{});
        burn_focused();
    }
    printf("truth focused cpu_ns %lld\n", static_cast<long long>(thread_cpu_ns() - cpu));
}

void* worker(void*) {
    for (int i = 0; i < 50; ++i) {
        siagent::Span span("worker");
        spin_for(100'000);
    }
    return nullptr;
}

void* leaves_span_open(void*) {
    si_span_begin("left_open");
    return nullptr;
}

void threads() {
    std::vector<pthread_t> workers(8);
    for (auto& thread : workers) pthread_create(&thread, nullptr, worker, nullptr);
    for (auto& thread : workers) pthread_join(thread, nullptr);
    pthread_t leaver;
    pthread_create(&leaver, nullptr, leaves_span_open, nullptr);
    pthread_join(leaver, nullptr);
    printf("truth worker count 400\ntruth left_open abandoned 1\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) units = atol(argv[1]);
    latencies();
    labelled();
    threads();
    return 0;
}
