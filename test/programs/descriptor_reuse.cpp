// A server-like program that holds many descriptors, so that the agent's own land above them
// (its floor is 112), while the agent starts and reports: the agent's code may close one of
// its files where no interposer sees it (closedir), and the application's next descriptor can
// then get that number. The program then opens and closes descriptors in rounds and counts
// every close that failed: a correct agent refuses none of them (Chromium aborts on such an
// EBADF; a server would leak the connection).
//
// Usage: descriptor_reuse SECONDS. Prints "failed closes N" and exits 0 if N is 0.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    std::vector<int> held;
    for (int i = 0; i < 150; ++i) held.push_back(open("/dev/null", O_RDONLY));
    int failed = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        // Closing a few of the held ones and opening sockets in their place walks the numbers
        // just above them, where the agent's descriptors go.
        std::vector<int> round;
        for (int i = 0; i < 40; ++i) round.push_back(socket(AF_UNIX, SOCK_STREAM, 0));
        for (int fd : round) {
            if (fd >= 0 && close(fd) != 0) {
                std::fprintf(stderr, "close(%d): %s\n", fd, std::strerror(errno));
                ++failed;
            }
        }
        volatile unsigned spin = 0;
        for (unsigned i = 0; i < 2'000'000; ++i) spin = spin + i;
    }
    for (int fd : held)
        if (fd >= 0 && close(fd) != 0) ++failed;
    std::printf("failed closes %d\n", failed);
    return failed == 0 ? 0 : 1;
}
