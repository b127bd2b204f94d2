// Known truth: a program that ends abruptly while worker threads are still burning CPU
// must end exactly as it would without the agent, promptly.
// Usage: exit_paths _exit | sigterm | exit | return
//   _exit   : calls _exit(3) (no destructors run)
//   sigterm : raises SIGTERM (default action: killed by signal 15)
//   exit    : calls exit(4) while other threads still run (destructors run)
//   return  : returns 0 from main after joining
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

#include "burn.h"

namespace {

__attribute__((noinline)) void* spin_forever(void*) {
    for (;;) BURN_UNITS(1);
    return nullptr;
}

__attribute__((noinline)) void main_burn() { BURN_UNITS(20); }

}  // namespace

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "return";
    pthread_t threads[2];
    bool join = strcmp(mode, "return") == 0;
    if (!join) {
        for (pthread_t& thread : threads) pthread_create(&thread, nullptr, spin_forever, nullptr);
    }
    main_burn();
    if (strcmp(mode, "_exit") == 0) _exit(3);
    if (strcmp(mode, "sigterm") == 0) raise(SIGTERM);
    if (strcmp(mode, "exit") == 0) exit(4);
    return 0;
}
