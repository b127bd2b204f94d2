// Known truth: a program that uses most of the memory its own limit allows (RLIMIT_AS or
// RLIMIT_DATA, set by whoever started it). Burns CPU for 300 ms first (past the default
// start delay and its 20 ms of CPU time), then allocates and touches the given number of
// MiB with malloc and prints "allocated N MiB"; exits 1 if the allocation fails.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "burn.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: memory_budget MIB\n");
        return 2;
    }
    const size_t mebibytes = strtoul(argv[1], nullptr, 10);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < until) BURN_UNITS(1);
    char* block = static_cast<char*>(malloc(mebibytes << 20));
    if (block == nullptr) {
        printf("cannot allocate %zu MiB\n", mebibytes);
        return 1;
    }
    memset(block, 1, mebibytes << 20);
    printf("allocated %zu MiB\n", mebibytes);
    free(block);
    return 0;
}
