// Torture for the allocation hooks: threads make millions of mixed calls to every
// interposed function (malloc, calloc, realloc, reallocarray, posix_memalign,
// aligned_alloc, memalign, valloc, pvalloc, malloc_usable_size, new/delete in their
// forms), check every result (alignment, zeroing, preserved contents, usable size, errno
// on overflow), hand some blocks to another thread to free, and free memory allocated in
// .preinit_array, before any library constructor (the agent's included) ran.
// The output depends only on the arguments, so runs with and without the agent compare.
// Usage: alloc_torture [threads, default 8] [calls per thread, default 1000000]
#include <malloc.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "alloc_sizes.h"

namespace {

constexpr int kSlots = 512;
constexpr int kHandOff = 64;

void* before_constructors[16];
void allocate_before_constructors() {
    for (int i = 0; i < 16; ++i) {
        before_constructors[i] = malloc(100 + i);
        memset(before_constructors[i], i, 100 + i);
    }
}
__attribute__((section(".preinit_array"), used)) void (*preinit_entry)() = allocate_before_constructors;

std::atomic<long> failures{0};
void fail(const char* what) {
    if (failures.fetch_add(1) < 10) fprintf(stderr, "FAIL: %s\n", what);
}

struct Block {
    void* pointer = nullptr;
    size_t size = 0;
    unsigned char fill = 0;
    int kind = 0;  // 0 free(), 1 delete, 2 delete[], 3 aligned delete
};

// Blocks made by one thread and freed by the next.
struct HandOff {
    std::atomic<void*> slots[kHandOff];
};
HandOff hand_offs[64];
int thread_count = 8;

bool aligned(void* p, size_t alignment) { return reinterpret_cast<uintptr_t>(p) % alignment == 0; }

void check_fill(const Block& block) {
    auto* bytes = static_cast<unsigned char*>(block.pointer);
    if (block.size > 0 && (bytes[0] != block.fill || bytes[block.size - 1] != block.fill))
        fail("contents changed");
}

void release(Block& block) {
    if (block.pointer == nullptr) return;
    check_fill(block);
    switch (block.kind) {
        case 1: ::operator delete(block.pointer); break;
        case 2: ::operator delete[](block.pointer); break;
        case 3: ::operator delete(block.pointer, std::align_val_t(64)); break;
        default: free(block.pointer);
    }
    block.pointer = nullptr;
}

Block make(SizeGenerator& random, size_t size) {
    Block block;
    block.size = size;
    block.fill = static_cast<unsigned char>(random.next_random() | 1);
    switch (random.next_random() % 10) {
        case 0: {
            block.pointer = calloc(1, size);
            auto* bytes = static_cast<unsigned char*>(block.pointer);
            if (bytes[0] != 0 || bytes[size - 1] != 0) fail("calloc not zeroed");
            break;
        }
        case 1:
            if (posix_memalign(&block.pointer, 256, size) != 0 || !aligned(block.pointer, 256))
                fail("posix_memalign");
            break;
        case 2:
            block.pointer = aligned_alloc(128, (size + 127) & ~size_t(127));
            if (!aligned(block.pointer, 128)) fail("aligned_alloc");
            break;
        case 3:
            block.pointer = memalign(4096, size);
            if (!aligned(block.pointer, 4096)) fail("memalign");
            break;
        case 4:
            block.pointer = (random.next_random() & 1) ? valloc(size) : pvalloc(size);
            if (!aligned(block.pointer, 4096)) fail("valloc/pvalloc");
            break;
        case 5: block.pointer = ::operator new(size); block.kind = 1; break;
        case 6: block.pointer = ::operator new[](size); block.kind = 2; break;
        case 7:
            block.pointer = ::operator new(size, std::align_val_t(64));
            block.kind = 3;
            if (!aligned(block.pointer, 64)) fail("aligned new");
            break;
        default: block.pointer = malloc(size);
    }
    if (block.pointer == nullptr) {
        fail("allocation returned null");
        block.size = 0;
        return block;
    }
    if (malloc_usable_size(block.pointer) < size) fail("usable size too small");
    memset(block.pointer, block.fill, size);
    return block;
}

void resize(SizeGenerator& random, Block& block) {
    if (block.kind != 0 || block.pointer == nullptr) return;
    size_t size = random.next_size();
    void* moved = (random.next_random() & 1) ? realloc(block.pointer, size)
                                             : reallocarray(block.pointer, 1, size);
    if (moved == nullptr) return fail("realloc returned null");
    auto* bytes = static_cast<unsigned char*>(moved);
    size_t kept = size < block.size ? size : block.size;
    if (kept > 0 && (bytes[0] != block.fill || bytes[kept - 1] != block.fill)) fail("realloc lost contents");
    memset(moved, block.fill, size);
    block.pointer = moved;
    block.size = size;
}

void hand_off(int thread, SizeGenerator& random) {
    // Take what the previous thread left, free it here; leave one for the next thread.
    HandOff& mine = hand_offs[thread];
    int slot = static_cast<int>(random.next_random() % kHandOff);
    free(mine.slots[slot].exchange(nullptr));
    HandOff& next = hand_offs[(thread + 1) % thread_count];
    void* block = malloc(random.next_size());
    free(next.slots[slot].exchange(block));
}

// Opaque to the compiler, so it cannot warn about (or fold) the overflowing calls.
volatile size_t half_of_everything = SIZE_MAX / 2;

void edge_cases() {
    size_t half = half_of_everything;
    errno = 0;
    if (calloc(half, 4) != nullptr || errno != ENOMEM) fail("calloc overflow");
    errno = 0;
    if (reallocarray(nullptr, half, 4) != nullptr || errno != ENOMEM) fail("reallocarray overflow");
    free(nullptr);
    void* zero = malloc(0);
    if (zero == nullptr) fail("malloc(0)");
    free(zero);
    void* shrink = malloc(10);
    if (realloc(shrink, 0) != nullptr) fail("realloc(p, 0) should free and return null");
    void* grow = realloc(nullptr, 10);
    if (grow == nullptr) fail("realloc(NULL, n)");
    free(grow);
    void* p = nullptr;
    if (posix_memalign(&p, 3, 10) != EINVAL) fail("posix_memalign bad alignment");
    if (malloc_usable_size(nullptr) != 0) fail("malloc_usable_size(NULL)");
    auto* nothrow = new (std::nothrow) char[16];
    delete[] nothrow;
    try {
        void* huge = ::operator new(half);
        ::operator delete(huge);
        fail("operator new of SIZE_MAX/2 did not throw");
    } catch (const std::bad_alloc&) {
    }
    if (::operator new(half, std::nothrow) != nullptr) fail("nothrow new of SIZE_MAX/2");
}

long calls_per_thread = 1'000'000;

void* torture(void* argument) {
    int thread = static_cast<int>(reinterpret_cast<intptr_t>(argument));
    SizeGenerator random(100 + thread);
    Block blocks[kSlots];
    for (long call = 0; call < calls_per_thread; ++call) {
        Block& block = blocks[random.next_random() % kSlots];
        uint64_t action = random.next_random() % 16;
        if (action == 0) {
            resize(random, block);
        } else if (action == 1) {
            hand_off(thread, random);
        } else {
            release(block);
            block = make(random, random.next_size());
        }
    }
    for (Block& block : blocks) release(block);
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) thread_count = atoi(argv[1]);
    if (argc > 2) calls_per_thread = atol(argv[2]);
    if (thread_count < 1 || thread_count > 64) return 64;
    for (int i = 0; i < 16; ++i) {
        auto* bytes = static_cast<unsigned char*>(before_constructors[i]);
        if (bytes == nullptr || bytes[0] != i || bytes[99 + i] != i) fail("preinit block");
        free(before_constructors[i]);
    }
    edge_cases();
    pthread_t threads[64];
    for (int i = 0; i < thread_count; ++i)
        pthread_create(&threads[i], nullptr, torture, reinterpret_cast<void*>(static_cast<intptr_t>(i)));
    for (int i = 0; i < thread_count; ++i) pthread_join(threads[i], nullptr);
    for (int t = 0; t < thread_count; ++t)
        for (auto& slot : hand_offs[t].slots) free(slot.exchange(nullptr));
    printf("%d threads x %ld calls: %ld failures\n", thread_count, calls_per_thread, failures.load());
    return failures.load() == 0 ? 0 : 1;
}
