// Known truth for the interposers' table of non-blocking descriptors
// (core/block/nonblocking_descriptors.h): descriptors that were non-blocking once and are
// blocking now must be profiled as blocking again. Each case makes a blocking read wait
// about 300 ms for a writer thread, on a descriptor whose number or file was non-blocking
// before; and one non-blocking read loop (EAGAIN until the data comes) stands beside them,
// which must not count as blocked. Prints "truth <function> <ns>" per blocking case.
// Usage: descriptor_modes
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <initializer_list>

namespace {

int64_t now_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void* write_later(void* opaque) {
    const int fd = static_cast<int>(reinterpret_cast<intptr_t>(opaque));
    timespec pause{0, 300'000'000};
    nanosleep(&pause, nullptr);
    if (write(fd, "x", 1) != 1) std::abort();
    return nullptr;
}

// Reads one byte from `fd`, written 300 ms later into `write_end`; the time read blocked.
__attribute__((noinline)) int64_t read_when_written(int fd, int write_end) {
    pthread_t writer;
    pthread_create(&writer, nullptr, write_later, reinterpret_cast<void*>(static_cast<intptr_t>(write_end)));
    char byte;
    const int64_t started = now_ns();
    if (read(fd, &byte, 1) != 1) std::abort();
    const int64_t blocked = now_ns() - started;
    pthread_join(writer, nullptr);
    return blocked;
}

__attribute__((noinline)) int64_t read_after_fcntl() {
    int ends[2];
    if (pipe2(ends, O_NONBLOCK) != 0) std::abort();
    if (fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) & ~O_NONBLOCK) != 0) std::abort();
    const int64_t blocked = read_when_written(ends[0], ends[1]);
    close(ends[0]);
    close(ends[1]);
    return blocked;
}

__attribute__((noinline)) int64_t read_after_reuse() {
    int ends[2];
    if (pipe2(ends, O_NONBLOCK) != 0) std::abort();
    close(ends[0]);
    close(ends[1]);
    if (pipe(ends) != 0) std::abort();  // the same numbers, blocking now
    const int64_t blocked = read_when_written(ends[0], ends[1]);
    close(ends[0]);
    close(ends[1]);
    return blocked;
}

__attribute__((noinline)) int64_t read_after_dup2() {
    int nonblocking[2], blocking[2];
    if (pipe2(nonblocking, O_NONBLOCK) != 0 || pipe(blocking) != 0) std::abort();
    const int target = 100;
    if (dup2(nonblocking[0], target) != target) std::abort();
    if (dup2(blocking[0], target) != target) std::abort();  // the number, blocking now
    const int64_t blocked = read_when_written(target, blocking[1]);
    for (int fd : {nonblocking[0], nonblocking[1], blocking[0], blocking[1], target}) close(fd);
    return blocked;
}

// Polls a non-blocking read for 300 ms: never blocked, however long it runs.
__attribute__((noinline)) void spin_on_nonblocking_read() {
    int ends[2];
    if (pipe2(ends, O_NONBLOCK) != 0) std::abort();
    char byte;
    const int64_t until = now_ns() + 300'000'000;
    while (now_ns() < until)
        if (read(ends[0], &byte, 1) != -1 || errno != EAGAIN) std::abort();
    close(ends[0]);
    close(ends[1]);
}

}  // namespace

int main() {
    spin_on_nonblocking_read();
    const int64_t fcntl_ns = read_after_fcntl();
    const int64_t reuse_ns = read_after_reuse();
    const int64_t dup2_ns = read_after_dup2();
    std::printf("truth read_after_fcntl %lld\ntruth read_after_reuse %lld\ntruth read_after_dup2 %lld\n",
                static_cast<long long>(fcntl_ns), static_cast<long long>(reuse_ns), static_cast<long long>(dup2_ns));
    return 0;
}
