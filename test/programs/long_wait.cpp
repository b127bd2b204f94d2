// Known truth: one blocking call far longer than a report period. The main thread joins a
// worker that sleeps SECONDS in a single nanosleep, so both threads are blocked for the
// whole run, each in one call.
// Usage: long_wait [seconds, default 5]
// Prints "truth join_worker <ns>" and "truth sleep_whole_run <ns>" (measured by the program).
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace {

long seconds = 5;
long long slept_ns = 0;

long long now_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<long long>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

__attribute__((noinline)) void* sleep_whole_run(void*) {
    const long long start = now_ns();
    timespec pause{seconds, 0};
    nanosleep(&pause, nullptr);
    slept_ns = now_ns() - start;
    return nullptr;
}

__attribute__((noinline)) long long join_worker(pthread_t worker) {
    const long long start = now_ns();
    pthread_join(worker, nullptr);
    return now_ns() - start;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) seconds = std::atol(argv[1]);
    pthread_t worker;
    if (pthread_create(&worker, nullptr, sleep_whole_run, nullptr) != 0) return 1;
    const long long joined_ns = join_worker(worker);
    std::printf("truth join_worker %lld\ntruth sleep_whole_run %lld\n", joined_ns, slept_ns);
    return 0;
}
