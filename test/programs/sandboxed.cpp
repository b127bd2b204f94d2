// Known truth: a process sandboxes itself with a seccomp filter that ends the process on any
// system call outside a short list (SECCOMP_RET_KILL_PROCESS), as OpenSSH's pre-auth child
// and systemd's SystemCallFilter= do, then works on. Without the agent it prints "sandboxed"
// and exits 0 (main returns: the exit handlers run under the filter too).
//
// Modes:
// - "after-load": burns in burn_before_sandbox until libsiagent-agent.so is mapped (at most a
//   second) and 300 ms more, installs the filter with prctl(PR_SET_SECCOMP), then burns
//   300 ms in burn_in_sandbox;
// - "tsync": the same, installing the filter for every thread with the seccomp system call
//   and SECCOMP_FILTER_FLAG_TSYNC;
// - "fork": the same burn, then a fork child installs the filter at once (before its own
//   agent could start) and burns; the parent prints "child exit N" or "child signal N";
// - "early": installs the filter first thing, then burns a second (past the default start
//   delay and its 20 ms of CPU time).
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "agent_mapped.h"
#include "burn.h"

namespace {

#if defined(__x86_64__)
constexpr unsigned kArchitecture = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kArchitecture = AUDIT_ARCH_AARCH64;
#endif

#define ALLOW(number) \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, number, 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

// What this program itself needs from here on (the allocator, stdio's last write, exit),
// and what a thread library's own waits use: everything else ends the process.
sock_filter kFilter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArchitecture, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    ALLOW(__NR_read), ALLOW(__NR_write), ALLOW(__NR_exit), ALLOW(__NR_exit_group),
    ALLOW(__NR_rt_sigreturn), ALLOW(__NR_rt_sigprocmask), ALLOW(__NR_clock_gettime),
    ALLOW(__NR_brk), ALLOW(__NR_mmap), ALLOW(__NR_munmap), ALLOW(__NR_madvise),
    ALLOW(__NR_futex), ALLOW(__NR_getpid), ALLOW(__NR_gettid),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

void sandbox(bool every_thread) {
    sock_fprog program{static_cast<unsigned short>(sizeof kFilter / sizeof kFilter[0]), kFilter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("PR_SET_NO_NEW_PRIVS");
        exit(3);
    }
    long installed = every_thread ? syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                            SECCOMP_FILTER_FLAG_TSYNC, &program)
                                  : prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
    if (installed != 0) {
        perror("seccomp");
        exit(3);
    }
}

// Each burns in its own loop (BURN_UNITS is a macro), so that its samples name it.
__attribute__((noinline)) void burn_before_sandbox() { BURN_UNTIL_AGENT_MAPPED_THEN(300); }

__attribute__((noinline)) void burn_in_sandbox(std::chrono::milliseconds span) {
    auto until = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < until) BURN_UNITS(1);
}

}  // namespace

int main(int argc, char** argv) {
    const char* mode = argc >= 2 ? argv[1] : "";
    printf("sandboxing (%s)\n", mode);  // stdout's buffer is made before the filter
    if (strcmp(mode, "early") == 0) {
        sandbox(false);
        burn_in_sandbox(std::chrono::seconds(1));
    } else if (strcmp(mode, "after-load") == 0 || strcmp(mode, "tsync") == 0) {
        burn_before_sandbox();
        sandbox(strcmp(mode, "tsync") == 0);
        burn_in_sandbox(std::chrono::milliseconds(300));
    } else if (strcmp(mode, "fork") == 0) {
        burn_before_sandbox();
        fflush(stdout);
        pid_t child = fork();
        if (child < 0) return 1;
        if (child == 0) {
            sandbox(false);
            burn_in_sandbox(std::chrono::milliseconds(300));
            printf("child sandboxed\n");
            return 0;
        }
        int status = 0;
        if (waitpid(child, &status, 0) != child) return 1;
        if (WIFEXITED(status)) printf("child exit %d\n", WEXITSTATUS(status));
        else printf("child signal %d\n", WTERMSIG(status));
    } else {
        fprintf(stderr, "usage: sandboxed after-load|tsync|fork|early\n");
        return 2;
    }
    printf("sandboxed\n");
    return 0;
}
