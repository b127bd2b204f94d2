// Known truth: threads made with small stacks (as worker pools and some runtimes make them)
// that work deep in them. Two threads of `stack KiB` each go `depth` frames of 1 KiB down,
// then burn CPU for a second in burn_at_the_bottom, allocating a small block at each step.
// Prints "ok" and exits 0 when both came back.
#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "burn.h"

namespace {

int depth = 0;
volatile long sink = 0;

__attribute__((noinline)) void burn_at_the_bottom() {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (std::chrono::steady_clock::now() < until) {
        BURN_UNITS(0.05);
        char* block = static_cast<char*>(malloc(64));
        block[0] = 1;
        sink += block[0];
        free(block);
    }
}

__attribute__((noinline)) void go_down(int left) {
    volatile char frame[1024];
    memset(const_cast<char*>(frame), 1, sizeof frame);
    if (left > 1) go_down(left - 1);
    else burn_at_the_bottom();
    sink += frame[7];
}

void* run(void*) {
    go_down(depth);
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: small_stacks STACK_KIB DEPTH\n");
        return 2;
    }
    depth = atoi(argv[2]);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, static_cast<size_t>(atoi(argv[1])) * 1024);
    pthread_t threads[2];
    for (pthread_t& thread : threads)
        if (pthread_create(&thread, &attributes, run, nullptr) != 0) return 1;
    for (pthread_t thread : threads) pthread_join(thread, nullptr);
    printf("ok\n");
    return 0;
}
