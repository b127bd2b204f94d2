// Known truth: leak_memory leaks 4 MiB in 4 KiB blocks, spread evenly over the run, while
// churn allocates and frees 1 GiB in mixed sizes (keeping a turning-over working set of
// 256 blocks live). Nothing else grows. The run lasts `seconds` (default 6), one
// slice per 250 ms, so a 1 s report interval sees the leak grow in every report.
// Usage: leaky [seconds]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "alloc_sizes.h"

namespace {

constexpr size_t kLeakBlock = 4096;
constexpr size_t kLeakTotal = 4u << 20;
constexpr uint64_t kChurnTotal = 1ull << 30;
constexpr int kWorkingSet = 256;

std::vector<void*> leaked;  // reachable, but never freed: a leak in every sense but GC's
void* working_set[kWorkingSet];

__attribute__((noinline)) void leak_memory(size_t bytes) {
    for (size_t done = 0; done < bytes; done += kLeakBlock) {
        void* block = malloc(kLeakBlock);
        memset(block, 0x5a, kLeakBlock);
        keep(block);
        leaked.push_back(block);
    }
}

__attribute__((noinline)) uint64_t churn(SizeGenerator& sizes, uint64_t bytes) {
    uint64_t sum = 0;
    for (uint64_t done = 0; done < bytes;) {
        size_t size = sizes.next_size();
        int slot = static_cast<int>(sizes.next_random() % kWorkingSet);
        free(working_set[slot]);
        auto* block = static_cast<unsigned char*>(malloc(size));
        block[0] = static_cast<unsigned char>(size);
        keep(block);
        sum += block[0];
        working_set[slot] = block;
        done += size;
    }
    return sum;
}

void sleep_until(const timespec& start, double seconds) {
    timespec until = start;
    until.tv_sec += static_cast<time_t>(seconds);
    until.tv_nsec += static_cast<long>((seconds - static_cast<double>(static_cast<time_t>(seconds))) * 1e9);
    if (until.tv_nsec >= 1'000'000'000) {
        until.tv_sec += 1;
        until.tv_nsec -= 1'000'000'000;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 6.0;
    int slices = static_cast<int>(seconds * 4);
    leaked.reserve(kLeakTotal / kLeakBlock);
    SizeGenerator sizes(3);
    timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint64_t sum = 0;
    for (int slice = 0; slice < slices; ++slice) {
        leak_memory(kLeakTotal / slices);
        sum += churn(sizes, kChurnTotal / slices);
        sleep_until(start, 0.25 * (slice + 1));
    }
    for (void* block : working_set) free(block);
    printf("leaked %zu blocks, churn checksum %llu\n", leaked.size(), (unsigned long long)sum);
    return 0;
}
