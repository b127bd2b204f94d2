// Threads that are already running when the agent loads (SI_START_DELAY into the process's
// life), each spending nearly all its time with its allocator arena's lock held. libunwind
// comes with the agent library, so its thread-local data is allocated (malloc) on a
// thread's first use: a handler that did so there would deadlock on the lock it
// interrupted (core/stack_capture.cpp). The main thread walks every arena's bins
// (mallinfo2, under each arena's lock, over a heap fragmented into thousands of free
// chunks); the others churn blocks of 2 to 64 KiB (past the per-thread cache, below mmap's
// threshold, the heap trimmed at nearly every free). Each first drains its per-thread cache
// of the loader's block size. Prints "done" after the given time.
// Usage: arena_threads [seconds, default 2] [threads besides main, default 1]
#include <malloc.h>
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace {

constexpr int kBlocks = 64;
constexpr int kFragments = 4000;
double seconds = 2;

double now() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Small blocks kept for good: the thread's cache holds no block of the size the loader asks
// for, so its allocation would take the arena's lock.
void drain_small_cache() {
    static thread_local void* kept[32];
    for (void*& block : kept) block = malloc(16);
}

__attribute__((noinline)) unsigned long walk_arenas() {
    static void* fragments[kFragments];
    for (int i = 0; i < kFragments; ++i) fragments[i] = malloc(64 + (i * 37) % 2000);
    for (int i = 0; i < kFragments; i += 2) free(fragments[i]);
    drain_small_cache();
    unsigned long free_bytes = 0;
    const double end = now() + seconds;
    while (now() < end) free_bytes += mallinfo2().fordblks;
    return free_bytes;
}

__attribute__((noinline)) unsigned long churn_arena(unsigned seed) {
    drain_small_cache();
    void* blocks[kBlocks] = {};
    unsigned long requested = 0;
    const double end = now() + seconds;
    for (unsigned long round = 0;; ++round) {
        if (round % 1024 == 0 && now() >= end) break;
        seed = seed * 1103515245u + 12345u;
        int slot = static_cast<int>((seed >> 8) % kBlocks);
        free(blocks[slot]);
        size_t size = 2048 + (seed >> 4) % (62 * 1024);
        blocks[slot] = malloc(size);
        requested += size;
    }
    for (void* block : blocks) free(block);
    return requested;
}

void* churn_thread(void* seed) {
    churn_arena(static_cast<unsigned>(reinterpret_cast<unsigned long>(seed)));
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) seconds = atof(argv[1]);
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    mallopt(M_TRIM_THRESHOLD, 4096);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    pthread_t started[16];
    if (threads > 16) threads = 16;
    for (int i = 0; i < threads; ++i)
        pthread_create(&started[i], nullptr, churn_thread, reinterpret_cast<void*>(i + 7ul));
    walk_arenas();
    for (int i = 0; i < threads; ++i) pthread_join(started[i], nullptr);
    puts("done");
    return 0;
}
