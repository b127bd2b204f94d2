// Known truth: the main thread sleeps while one worker burns CPU, so the worker's function
// must receive (nearly) all CPU samples: a process-wide timer would credit whichever thread
// the kernel happened to interrupt.
// Usage: sleepy_main [units, default 150]
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "burn.h"

namespace {

long units = 150;
std::atomic<bool> done{false};

__attribute__((noinline)) void worker_burn() { BURN_UNITS(units); }

void* worker(void*) {
    worker_burn();
    done = true;
    return nullptr;
}

__attribute__((noinline)) void main_sleeps() {
    while (!done) usleep(2000);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) units = strtol(argv[1], nullptr, 10);
    pthread_t thread;
    pthread_create(&thread, nullptr, worker, nullptr);
    main_sleeps();
    pthread_join(thread, nullptr);
    return 0;
}
