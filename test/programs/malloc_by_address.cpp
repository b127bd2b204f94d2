// Built without -fPIE, and takes the allocator's addresses, as Debian's node does: the
// program's dynamic symbol table then gives malloc and free the addresses of its own PLT
// stubs (their canonical addresses), and dlsym(RTLD_DEFAULT, "malloc") answers with the
// stub, whatever library the stub jumps to. Allocates through those pointers for about
// `seconds` (default 0.5) and prints "allocated some".
// With "fork-threads": once the agent has started (300 ms), forks a child that counts its
// threads at once and after 20 ms without using CPU, and prints "threads N M" (as
// fork_child_start's "threads" does: "threads 1 1" when the child's agent waits for CPU
// time, not in a thread of its own).
// Usage: malloc_by_address [seconds | fork-threads]
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "thread_count.h"

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

int fork_and_count_threads() {
    usleep(300 * 1000);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        int at_once = count_threads();
        usleep(20 * 1000);
        std::printf("threads %d %d\n", at_once, count_threads());
        std::fflush(stdout);
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    // Taken in code, not in a static initializer: an absolute address in non-PIE code is
    // what makes the linker give the program a canonical PLT stub for each.
    allocate = malloc;
    release = free;
    if (argc > 1 && strcmp(argv[1], "fork-threads") == 0) return fork_and_count_threads();
    const double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    std::printf("allocated %s\n", allocate_by_address(seconds) > 0 ? "some" : "none");
    return 0;
}
