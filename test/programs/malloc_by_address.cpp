// Built without -fPIE, and takes the allocator's addresses, as Debian's node does: the
// program's dynamic symbol table then gives malloc and free the addresses of its own PLT
// stubs (their canonical addresses), and dlsym(RTLD_DEFAULT, "malloc") answers with the
// stub, whatever library the stub jumps to. Allocates through those pointers for about
// `seconds` (default 0.5) and prints "allocated N".
// Usage: malloc_by_address [seconds]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void* (*volatile allocate)(size_t) = nullptr;
void (*volatile release)(void*) = nullptr;

double now() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

__attribute__((noinline)) unsigned long allocate_by_address(double seconds) {
    unsigned long count = 0;
    const double end = now() + seconds;
    while (now() < end) {
        for (int i = 0; i < 1000; ++i, ++count) {
            char* block = static_cast<char*>(allocate(16 + count % 4000));
            memset(block, 1, 16);
            release(block);
        }
    }
    return count;
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    // Taken in code, not in a static initializer: an absolute address in non-PIE code is
    // what makes the linker give the program a canonical PLT stub for each.
    allocate = malloc;
    release = free;
    std::printf("allocated %s\n", allocate_by_address(seconds) > 0 ? "some" : "none");
    return 0;
}
