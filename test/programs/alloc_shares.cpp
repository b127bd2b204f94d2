// Known truth: two threads allocate bytes in three functions in the proportion 50 / 30 / 20,
// with mixed sizes from 16 B to 64 KiB (each block is touched and freed at once).
// Thread "fifty" runs allocate_fifty; thread "thirty-twenty" alternates allocate_thirty and
// allocate_twenty. Each function counts what it asked for and the program prints
// `truth <function> <bytes> <objects>`.
// Usage: alloc_shares [MiB in all, default 1024]
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "alloc_sizes.h"

namespace {

struct Tally {
    uint64_t bytes = 0;
    uint64_t objects = 0;
};

uint64_t total_bytes = 1024ull << 20;
Tally fifty, thirty, twenty;

// Allocates until `budget` more bytes were asked for; returns a checksum so nothing is
// optimized away.
__attribute__((noinline)) uint64_t allocate_fifty(SizeGenerator& sizes, uint64_t budget) {
    uint64_t sum = 0;
    for (uint64_t goal = fifty.bytes + budget; fifty.bytes < goal;) {
        size_t size = sizes.next_size();
        auto* block = static_cast<unsigned char*>(malloc(size));
        block[0] = 1;
        keep(block);
        sum += block[0];
        free(block);
        fifty.bytes += size;
        ++fifty.objects;
    }
    return sum;
}

__attribute__((noinline)) uint64_t allocate_thirty(SizeGenerator& sizes, uint64_t budget) {
    uint64_t sum = 0;
    for (uint64_t goal = thirty.bytes + budget; thirty.bytes < goal;) {
        size_t size = sizes.next_size();
        auto* block = static_cast<unsigned char*>(calloc(1, size));
        keep(block);
        sum += block[size - 1];
        free(block);
        thirty.bytes += size;
        ++thirty.objects;
    }
    return sum;
}

__attribute__((noinline)) uint64_t allocate_twenty(SizeGenerator& sizes, uint64_t budget) {
    uint64_t sum = 0;
    for (uint64_t goal = twenty.bytes + budget; twenty.bytes < goal;) {
        size_t size = sizes.next_size();
        auto* block = new unsigned char[size];
        block[0] = 2;
        keep(block);
        sum += block[0];
        delete[] block;
        twenty.bytes += size;
        ++twenty.objects;
    }
    return sum;
}

constexpr int kRounds = 100;

void* fifty_thread(void*) {
    pthread_setname_np(pthread_self(), "fifty");
    SizeGenerator sizes(1);
    uint64_t sum = 0;
    for (int round = 0; round < kRounds; ++round) sum += allocate_fifty(sizes, total_bytes / 2 / kRounds);
    return reinterpret_cast<void*>(sum);
}

void* thirty_twenty_thread(void*) {
    pthread_setname_np(pthread_self(), "thirty-twenty");
    SizeGenerator sizes(2);
    uint64_t sum = 0;
    for (int round = 0; round < kRounds; ++round) {
        sum += allocate_thirty(sizes, total_bytes * 3 / 10 / kRounds);
        sum += allocate_twenty(sizes, total_bytes * 2 / 10 / kRounds);
    }
    return reinterpret_cast<void*>(sum);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) total_bytes = strtoull(argv[1], nullptr, 10) << 20;
    pthread_t first, second;
    pthread_create(&first, nullptr, fifty_thread, nullptr);
    pthread_create(&second, nullptr, thirty_twenty_thread, nullptr);
    pthread_join(first, nullptr);
    pthread_join(second, nullptr);
    printf("truth allocate_fifty %llu %llu\n", (unsigned long long)fifty.bytes,
           (unsigned long long)fifty.objects);
    printf("truth allocate_thirty %llu %llu\n", (unsigned long long)thirty.bytes,
           (unsigned long long)thirty.objects);
    printf("truth allocate_twenty %llu %llu\n", (unsigned long long)twenty.bytes,
           (unsigned long long)twenty.objects);
    return 0;
}
