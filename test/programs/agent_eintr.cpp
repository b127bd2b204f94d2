// Known truth: no blocking call of this program is ever interrupted, because nothing in it
// sends a signal; the agent's own profiling signals (run it at 1000 Hz) must never make
// one fail with EINTR or end early. Threads loop on a blocking read from a pipe fed by a
// writer, on short nanosleeps, on sem_wait fed by a poster, and on poll, epoll_pwait2 and usleep
// timeouts, and check every
// return value. The loops are
// mostly system calls, so that a timer expiring on a tick often finds the thread inside a
// blocking call: without the agent's resumption, some of them fail with EINTR. Prints "failures N" and exits 1 when N > 0.
// Usage: agent_eintr [milliseconds, default 2000]
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "burn.h"

namespace {

long run_ms = 2000;
std::atomic<bool> stop{false};
std::atomic<int> failures{0};
int pipe_fds[2];
sem_t semaphore;

int64_t now_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void fail(const char* what) {
    if (failures++ < 5) fprintf(stderr, "%s: %s\n", what, strerror(errno));
}

void* reader(void*) {
    char byte;
    for (;;) {
        ssize_t got = read(pipe_fds[0], &byte, 1);
        if (got != 1) fail("read");
        if (got != 1 || byte == 'q') return nullptr;
    }
}

void* writer(void*) {
    while (!stop) {
        BURN_UNITS(0.01);
        if (write(pipe_fds[1], "x", 1) != 1) fail("write");
    }
    if (write(pipe_fds[1], "q", 1) != 1) fail("write");
    return nullptr;
}

void* sleeper(void*) {
    while (!stop) {
        timespec short_sleep = {0, 1'000};
        if (nanosleep(&short_sleep, nullptr) != 0) fail("nanosleep");
        int64_t started = now_ns();
        if (usleep(20) != 0) fail("usleep");
        if (now_ns() - started < 20'000) fail("usleep ended early");
    }
    return nullptr;
}

void* waiter(void*) {
    for (;;) {
        if (sem_wait(&semaphore) != 0) fail("sem_wait");
        if (stop) return nullptr;
    }
}

void* poster(void*) {
    while (!stop) {
        BURN_UNITS(0.01);
        sem_post(&semaphore);
    }
    sem_post(&semaphore);
    return nullptr;
}

void* poller(void*) {
    pollfd never_ready = {pipe_fds[1], 0, 0};
    int empty_epoll = epoll_create1(EPOLL_CLOEXEC);
    const timespec one_ms = {0, 1'000'000};
    epoll_event event;
    while (!stop) {
        int64_t started = now_ns();
        if (poll(&never_ready, 1, 1) != 0) fail("poll");
        if (now_ns() - started < 1'000'000) fail("poll ended early");
        started = now_ns();
        if (epoll_pwait2(empty_epoll, &event, 1, &one_ms, nullptr) != 0) fail("epoll_pwait2");
        if (now_ns() - started < 1'000'000) fail("epoll_pwait2 ended early");
    }
    close(empty_epoll);
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) run_ms = strtol(argv[1], nullptr, 10);
    if (pipe(pipe_fds) != 0 || sem_init(&semaphore, 0, 0) != 0) return 2;
    void* (*bodies[])(void*) = {reader, writer, sleeper, waiter, poster, poller};
    pthread_t threads[6];
    for (int i = 0; i < 6; ++i) pthread_create(&threads[i], nullptr, bodies[i], nullptr);
    usleep(run_ms * 1000);
    stop = true;
    for (pthread_t thread : threads) pthread_join(thread, nullptr);
    printf("failures %d\n", failures.load());
    return failures == 0 ? 0 : 1;
}
