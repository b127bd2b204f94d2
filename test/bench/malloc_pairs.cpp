// Benchmark subject: each thread times `pairs` malloc(64) + free pairs (after a warm-up)
// on its own CPU clock, and the program prints the mean over threads as
// `ns_per_pair <value>`. Timed inside the program, so library loading and the agent's
// start and last report are not counted; CPU time, so other processes on the machine
// (preemption) do not count either.
// Usage: malloc_pairs [threads, default 1] [pairs per thread, default 20000000]
#include <pthread.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>

namespace {

long pairs = 20'000'000;

inline void keep(void* block) { asm volatile("" : : "r"(block) : "memory"); }

double now_ns() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

void* time_pairs(void* result) {
    for (long i = 0; i < pairs / 10; ++i) {
        void* block = malloc(64);
        keep(block);
        free(block);
    }
    double start = now_ns();
    for (long i = 0; i < pairs; ++i) {
        void* block = malloc(64);
        keep(block);
        free(block);
    }
    *static_cast<double*>(result) = (now_ns() - start) / static_cast<double>(pairs);
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (argc > 2) pairs = atol(argv[2]);
    if (threads < 1 || threads > 64 || pairs < 1) return 64;
    pthread_t ids[64];
    double results[64];
    for (int i = 0; i < threads; ++i) pthread_create(&ids[i], nullptr, time_pairs, &results[i]);
    double sum = 0;
    for (int i = 0; i < threads; ++i) {
        pthread_join(ids[i], nullptr);
        sum += results[i];
    }
    printf("ns_per_pair %.3f\n", sum / threads);
    return 0;
}
