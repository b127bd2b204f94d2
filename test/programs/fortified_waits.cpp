// Known truth for the fortified entry points: built with -D_FORTIFY_SOURCE=2 and sizes that
// are not compile-time constants, so glibc's headers call __read_chk, __recv_chk,
// __poll_chk and __open_2 instead of read, recv, poll and open. Each wait is timed by the
// program itself; at exit it prints one line per function:
//   truth <function> <nanoseconds>
// Usage: fortified_waits [milliseconds, default 1500] [bytes per read, default 1]
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

namespace {

std::atomic<bool> stop{false};
// Read through a volatile so the compiler cannot prove the count fits (it would call
// plain poll then).
volatile nfds_t poll_count = 1;

int64_t now_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void pause_ms(long ms) {
    timespec duration = {ms / 1000, ms % 1000 * 1'000'000L};
    nanosleep(&duration, nullptr);
}

// A writer that feeds a descriptor a byte every 3 ms until stopped, then closes it.
void trickle(int fd) {
    while (!stop) {
        pause_ms(3);
        if (write(fd, "x", 1) != 1) break;
    }
    close(fd);
}

__attribute__((noinline)) int64_t read_fortified(int fd, size_t size) {
    char buffer[64];
    int64_t blocked = 0;
    for (;;) {
        int64_t started = now_ns();
        ssize_t got = read(fd, buffer, size);  // __read_chk: size is not a constant
        blocked += now_ns() - started;
        if (got <= 0) return blocked;
    }
}

__attribute__((noinline)) int64_t recv_fortified(int fd, size_t size) {
    char buffer[64];
    int64_t blocked = 0;
    for (;;) {
        int64_t started = now_ns();
        ssize_t got = recv(fd, buffer, size, 0);  // __recv_chk
        blocked += now_ns() - started;
        if (got <= 0) return blocked;
    }
}

__attribute__((noinline)) int64_t poll_fortified() {
    pollfd never_ready[4] = {};
    nfds_t count = poll_count;
    int fds[2];
    if (pipe(fds) != 0) return 0;
    for (pollfd& entry : never_ready) entry = {fds[1], 0, 0};  // no events asked
    int64_t blocked = 0;
    while (!stop) {
        int64_t started = now_ns();
        poll(never_ready, count, 5);  // __poll_chk: count is not a constant
        blocked += now_ns() - started;
    }
    close(fds[0]);
    close(fds[1]);
    return blocked;
}

}  // namespace

int main(int argc, char** argv) {
    long run_ms = argc > 1 ? std::atol(argv[1]) : 1500;
    size_t size = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
    int flags = argc > 3 ? O_RDONLY | O_CLOEXEC : O_RDONLY;  // not a constant: __open_2
    int self = open("/proc/self/stat", flags);
    if (self < 0) return 1;
    close(self);

    int pipe_fds[2], socket_fds[2];
    if (pipe(pipe_fds) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, socket_fds) != 0) return 1;
    int64_t read_ns = 0, recv_ns = 0, poll_ns = 0;
    std::thread pipe_writer(trickle, pipe_fds[1]);
    std::thread socket_writer(trickle, socket_fds[1]);
    std::thread reader([&] { read_ns = read_fortified(pipe_fds[0], size); });
    std::thread receiver([&] { recv_ns = recv_fortified(socket_fds[0], size); });
    std::thread poller([&] { poll_ns = poll_fortified(); });
    pause_ms(run_ms);
    stop = true;
    for (std::thread* thread : {&pipe_writer, &socket_writer, &reader, &receiver, &poller}) thread->join();
    std::printf("truth read_fortified %lld\ntruth recv_fortified %lld\ntruth poll_fortified %lld\n",
                static_cast<long long>(read_ns), static_cast<long long>(recv_ns),
                static_cast<long long>(poll_ns));
    return 0;
}
