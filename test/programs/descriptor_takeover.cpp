// Known truth: a daemon-like program that does to its descriptors what daemons do, while the
// agent runs: it closes every descriptor from 3 up (one close() per number, then
// close_range, then closefrom), opens its log at the lowest free number, and then dup2()s
// its log onto every number that was still open after the close loop (the agent's own, if
// any: the application explicitly wants those numbers). It burns CPU in `takeover_burn`
// while writing lines, so that the agent keeps sampling and reporting.
//
// Prints "log fd N" (N must be 3: nothing of the agent's sits at a low number), "taken K"
// (numbers it dup2'd onto), and "truth lines L". The log must then hold exactly L lines
// "line <i>" and every taken number exactly the same content (they share the log's file
// description): nothing else (no eventfd counter, no pipe byte) may ever be written there.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "burn.h"

extern "C" int close_range(unsigned int first, unsigned int last, int flags);
extern "C" void closefrom(int lowest);

__attribute__((noinline)) void takeover_burn(int fd, int lines) {
    for (int i = 0; i < lines; ++i) {
        BURN_UNITS(1);
        char line[32];
        int length = snprintf(line, sizeof line, "line %d\n", i);
        if (write(fd, line, static_cast<size_t>(length)) != length) exit(2);
    }
}

int main(int argc, char** argv) {
    if (argc < 3) return 1;
    const char* log_path = argv[1];
    int lines = atoi(argv[2]);
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    int limit = files.rlim_cur > 4096 ? 4096 : static_cast<int>(files.rlim_cur);
    for (int fd = 3; fd < limit; ++fd) close(fd);
    close_range(3, ~0u, 0);
    closefrom(3);
    std::vector<int> still_open;
    for (int fd = 3; fd < limit; ++fd)
        if (fcntl(fd, F_GETFD) != -1) still_open.push_back(fd);
    int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    printf("log fd %d\n", log);
    for (int fd : still_open)
        if (dup2(log, fd) != fd) return 3;
    printf("taken %zu\n", still_open.size());
    fflush(stdout);
    takeover_burn(log, lines);
    printf("truth lines %d\n", lines);
    return 0;
}
