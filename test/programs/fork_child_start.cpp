// Known truth for how a fork child's agent starts (core/cpu/start_alarm.h): the parent lets
// its agent start, then forks one child that spends its life in one state:
//   threads    counts its threads at once and after 20 ms, then exits: "threads 1 1"
//   early      (the parent forks at once, before its agent loads: preload/loader/
//              agent_loader.h) counts its threads at once, after 100 ms without allocating,
//              and after 64 allocations of its own: "threads 1 1 2"
//   early-allocate  forks at once, then as allocate
//   burn       burns CPU in burn_with_signals_blocked with every signal blocked
//   wait       waits 300 ms in sigtimedwait (a call no handled signal may cut short: it
//              prints "waited fully" or "interrupted"), then burns in burn_after_waiting
//   allocate   allocates, touches and frees blocks for 1.5 s (most of its time inside the
//              allocator and libc)
// Prints "pid child <pid>" and exits 0 when the child exited 0.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "burn.h"
#include "thread_count.h"

namespace {

__attribute__((noinline)) void burn_with_signals_blocked() {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, nullptr);
    BURN_UNITS(150);
}

__attribute__((noinline)) void burn_after_waiting() { BURN_UNITS(100); }

void wait_then_burn() {
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, nullptr);
    timespec timeout{0, 300'000'000};
    int result = sigtimedwait(&usr1, nullptr, &timeout);
    printf("%s\n", result < 0 && errno == EAGAIN ? "waited fully" : "interrupted");
    burn_after_waiting();
}

__attribute__((noinline)) void allocate_for_a_while() {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    size_t size = 16;
    while (std::chrono::steady_clock::now() < until) {
        for (int i = 0; i < 1000; ++i) {
            char* block = static_cast<char*>(malloc(size));
            for (size_t line = 0; line < size; line += 4096) block[line] = static_cast<char>(line);
            void* volatile touched = block;
            free(touched);
            size = size * 7 % 65521 + 16;
        }
    }
}

int child(const char* mode) {
    if (strcmp(mode, "early") == 0) {
        int at_once = count_threads();
        usleep(100 * 1000);
        int after_waiting = count_threads();
        for (int i = 0; i < 64; ++i) {
            void* volatile block = malloc(64);
            free(block);
        }
        int after_allocating = count_threads();
        printf("threads %d %d %d\n", at_once, after_waiting, after_allocating);
    } else if (strcmp(mode, "early-allocate") == 0) {
        allocate_for_a_while();
    } else if (strcmp(mode, "threads") == 0) {
        int at_once = count_threads();
        usleep(20 * 1000);
        printf("threads %d %d\n", at_once, count_threads());
    } else if (strcmp(mode, "burn") == 0) {
        burn_with_signals_blocked();
    } else if (strcmp(mode, "wait") == 0) {
        wait_then_burn();
    } else if (strcmp(mode, "allocate") == 0) {
        allocate_for_a_while();
    } else {
        return 64;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fork_child_start threads|burn|wait|allocate|early|early-allocate\n");
        return 64;
    }
    if (strncmp(argv[1], "early", 5) != 0) usleep(300 * 1000);  // the parent's agent starts
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        int code = child(argv[1]);
        fflush(stdout);
        exit(code);
    }
    printf("pid child %d\n", pid);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
