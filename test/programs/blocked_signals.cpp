// Known truth: the main thread blocks every signal before it makes its worker (a common way
// to route signals to one thread), so the worker starts with SIGPROF blocked. The worker
// burns all the CPU and must still be sampled. Usage: blocked_signals [units, default 150]
#include <pthread.h>

#include <csignal>
#include <cstdlib>

#include "burn.h"

namespace {

long units = 150;

__attribute__((noinline)) void blocked_worker_burn() { BURN_UNITS(units); }

void* worker(void*) {
    blocked_worker_burn();
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) units = strtol(argv[1], nullptr, 10);
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    pthread_t thread;
    pthread_create(&thread, nullptr, worker, nullptr);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    pthread_join(thread, nullptr);
    return 0;
}
