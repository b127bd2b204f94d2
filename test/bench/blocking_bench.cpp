// Micro-benchmark of the blocking-call interposers' fast paths (not a test): the time per
// uncontended pthread_mutex_lock/unlock pair and per 1-byte read from a pipe that already
// holds data. Run it with and without the agent (scripts/bench blocking) and compare.
// Prints "mutex_pair_ns X" and "pipe_read_ns Y": the best of `repeats` timed runs each, in
// the thread's CPU time (the machine may be shared: time spent preempted is not counted).
//
// The program always has a second, idle thread: the kernel makes every read of a
// multi-threaded process count references on the file (about 45 ns here), and the agent's
// own thread would otherwise add that to a single-threaded program, hiding the
// interposer's cost behind a cost every multi-threaded application pays already.
// Usage: blocking_bench [repeats, default 5]
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace {

double now_ns() {
    timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return now.tv_sec * 1e9 + now.tv_nsec;
}

double mutex_pair_ns() {
    static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    constexpr long kPairs = 20'000'000;
    double started = now_ns();
    for (long i = 0; i < kPairs; ++i) {
        pthread_mutex_lock(&mutex);
        pthread_mutex_unlock(&mutex);
    }
    return (now_ns() - started) / kPairs;
}

// Reads byte by byte from a pipe filled beforehand (the filling is not timed).
double pipe_read_ns(int read_end, int write_end) {
    static char block[65536];
    constexpr int kRounds = 16;
    double spent = 0;
    for (int round = 0; round < kRounds; ++round) {
        if (write(write_end, block, sizeof block) != sizeof block) exit(2);
        char byte;
        double started = now_ns();
        for (size_t i = 0; i < sizeof block; ++i)
            if (read(read_end, &byte, 1) != 1) exit(2);
        spent += now_ns() - started;
    }
    return spent / (kRounds * sizeof block);
}

}  // namespace

void* idle(void*) {
    pause();
    return nullptr;
}

int main(int argc, char** argv) {
    pthread_t idle_thread;
    if (pthread_create(&idle_thread, nullptr, idle, nullptr) != 0) return 2;
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    int fds[2];
    if (pipe(fds) != 0) return 2;
    double best_mutex = 1e18, best_read = 1e18;
    for (int i = 0; i < repeats; ++i) {
        double mutex = mutex_pair_ns(), read = pipe_read_ns(fds[0], fds[1]);
        if (mutex < best_mutex) best_mutex = mutex;
        if (read < best_read) best_read = read;
    }
    printf("mutex_pair_ns %.2f\npipe_read_ns %.1f\n", best_mutex, best_read);
    return 0;
}
