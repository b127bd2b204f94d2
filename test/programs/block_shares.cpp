// Known truth for the block profiler: threads that spend known shares of wall time in
// nanosleep, in read on a pipe waiting for a slow writer, in a contended
// pthread_mutex_lock, and in poll timeouts. Every blocking call is timed by the program
// itself; at exit it prints one line per function and category:
//   truth <function> <category> <nanoseconds>
// Usage: block_shares [milliseconds each thread runs, default 2000]
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace {

long run_ms = 2000;
pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
int pipe_fds[2];
std::atomic<bool> stop{false};

int64_t now_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// Blocked time per function and category, written by one thread each, read after join.
struct Truth {
    const char* function;
    const char* category;
    std::atomic<int64_t> ns{0};
};
Truth truths[] = {
    {"sleep_in_nanosleep", "sleep"}, {"read_slow_pipe", "io"},      {"slow_writer", "sleep"},
    {"slow_writer", "io"},           {"wait_for_mutex", "lock"},    {"wait_for_mutex", "sleep"},
    {"hold_mutex", "lock"},          {"hold_mutex", "sleep"},       {"poll_timeouts", "network"},
    {"main_waits", "sleep"},         {"main_joins", "wait"},
};
enum Index { kSleep, kRead, kWriterSleep, kWriterWrite, kWaitLock, kWaitSleep, kHoldLock,
             kHoldSleep, kPoll, kMainSleep, kJoin };

// Times one call into truths[index].
#define TIMED(index, call)                          \
    do {                                            \
        int64_t started_ = now_ns();                \
        call;                                       \
        truths[index].ns += now_ns() - started_;    \
    } while (0)

void sleep_ms(Index index, double ms) {
    timespec duration = {0, static_cast<long>(ms * 1e6)};
    TIMED(index, nanosleep(&duration, nullptr));
}

__attribute__((noinline)) void sleep_in_nanosleep() {
    while (!stop) sleep_ms(kSleep, 2);
}

__attribute__((noinline)) void read_slow_pipe() {
    char byte;
    for (;;) {
        ssize_t got;
        TIMED(kRead, got = read(pipe_fds[0], &byte, 1));
        if (got != 1 || byte == 'q') return;
    }
}

__attribute__((noinline)) void slow_writer() {
    while (!stop) {
        sleep_ms(kWriterSleep, 4);
        TIMED(kWriterWrite, (void)!write(pipe_fds[1], "x", 1));
    }
    TIMED(kWriterWrite, (void)!write(pipe_fds[1], "q", 1));
}

__attribute__((noinline)) void wait_for_mutex() {
    while (!stop) {
        TIMED(kWaitLock, pthread_mutex_lock(&mutex));
        pthread_mutex_unlock(&mutex);
        sleep_ms(kWaitSleep, 0.5);
    }
}

__attribute__((noinline)) void hold_mutex() {
    while (!stop) {
        TIMED(kHoldLock, pthread_mutex_lock(&mutex));
        sleep_ms(kHoldSleep, 3);
        pthread_mutex_unlock(&mutex);
        sleep_ms(kHoldSleep, 1);
    }
}

__attribute__((noinline)) void poll_timeouts() {
    pollfd never_ready = {pipe_fds[1], 0, 0};  // no events asked: only the timeout ends it
    while (!stop) TIMED(kPoll, poll(&never_ready, 1, 5));
}

// The main thread's own waits are part of the truth too.
__attribute__((noinline)) void main_waits() {
    timespec run_time = {run_ms / 1000, (run_ms % 1000) * 1'000'000};
    TIMED(kMainSleep, clock_nanosleep(CLOCK_MONOTONIC, 0, &run_time, nullptr));
}

template <void (*function)()>
void* run(void*) {
    function();
    return nullptr;
}

__attribute__((noinline)) void main_joins(pthread_t* threads, int count) {
    for (int i = 0; i < count; ++i) TIMED(kJoin, pthread_join(threads[i], nullptr));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) run_ms = strtol(argv[1], nullptr, 10);
    if (pipe(pipe_fds) != 0) return 2;
    void* (*bodies[])(void*) = {run<sleep_in_nanosleep>, run<read_slow_pipe>, run<slow_writer>,
                                run<wait_for_mutex>,     run<hold_mutex>,     run<poll_timeouts>};
    constexpr int kThreads = sizeof bodies / sizeof bodies[0];
    pthread_t threads[kThreads];
    for (int i = 0; i < kThreads; ++i) pthread_create(&threads[i], nullptr, bodies[i], nullptr);
    main_waits();
    stop = true;
    main_joins(threads, kThreads);
    for (const Truth& truth : truths)
        printf("truth %s %s %lld\n", truth.function, truth.category,
               static_cast<long long>(truth.ns.load()));
    return 0;
}
