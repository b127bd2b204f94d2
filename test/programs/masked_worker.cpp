// Known truth: a worker blocks every signal itself (pthread_sigmask) and reads its mask
// back: it must see SIGPROF blocked, as it asked, and still be sampled. A thread it makes
// inherits the blocked view, and sigprocmask tells the same. Exits 1 (printing what was
// wrong) when a mask read back differs from what the program set.
// Usage: masked_worker [units, default 150]
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "burn.h"

namespace {

long units = 150;
int wrong = 0;

void expect_sigprof_blocked(const char* who) {
    sigset_t current;
    pthread_sigmask(SIG_BLOCK, nullptr, &current);
    if (sigismember(&current, SIGPROF) != 1) {
        printf("%s: pthread_sigmask shows SIGPROF unblocked\n", who);
        ++wrong;
    }
    sigprocmask(SIG_SETMASK, nullptr, &current);
    if (sigismember(&current, SIGPROF) != 1 || sigismember(&current, SIGTERM) != 1) {
        printf("%s: sigprocmask shows a mask it did not set\n", who);
        ++wrong;
    }
}

__attribute__((noinline)) void masked_child_burn() { BURN_UNITS(units / 3); }

void* child(void*) {
    expect_sigprof_blocked("child");
    masked_child_burn();
    return nullptr;
}

__attribute__((noinline)) void masked_worker_burn() { BURN_UNITS(units); }

void* worker(void*) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    expect_sigprof_blocked("worker");
    pthread_t thread;
    pthread_create(&thread, nullptr, child, nullptr);
    masked_worker_burn();
    pthread_join(thread, nullptr);
    // Unblocking shows it unblocked again.
    sigset_t profiling, current;
    sigemptyset(&profiling);
    sigaddset(&profiling, SIGPROF);
    pthread_sigmask(SIG_UNBLOCK, &profiling, &current);
    if (sigismember(&current, SIGPROF) != 1) ++wrong;
    pthread_sigmask(SIG_BLOCK, nullptr, &current);
    if (sigismember(&current, SIGPROF) != 0) {
        printf("worker: SIGPROF still shown blocked after SIG_UNBLOCK\n");
        ++wrong;
    }
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) units = strtol(argv[1], nullptr, 10);
    pthread_t thread;
    pthread_create(&thread, nullptr, worker, nullptr);
    pthread_join(thread, nullptr);
    printf("wrong %d\n", wrong);
    return wrong == 0 ? 0 : 1;
}
