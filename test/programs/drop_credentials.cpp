// Known truth: a process (or, with "fork", a fork child at once, before its agent could
// start) drops root to nobody with setgroups, setresgid and setresuid, as daemons and
// su-like tools do. Prints "uid <uid> gid <gid>" and exits 0 on success; exits 2 when not
// run as root, 1 when a call fails.
// With "capabilities" it keeps its capabilities across the drop (PR_SET_KEEPCAPS), then
// keeps only CAP_NET_BIND_SERVICE with a raw capset, as a server that binds port 80 does,
// and also prints the capability sets capget reads back.
// With "after-load" it first burns CPU until libsiagent-agent.so is mapped (at most a second:
// under the default start delay the agent loads after 20 ms of CPU time) and 100 ms more,
// so that the drop finds the agent running on the thread that loaded it.
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "agent_mapped.h"
#include "burn.h"

namespace {

constexpr uid_t kNobody = 65534;

int drop() {
    if (setgroups(0, nullptr) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
        setresuid(kNobody, kNobody, kNobody) != 0) {
        fprintf(stderr, "dropping credentials: %s\n", strerror(errno));
        return 1;
    }
    printf("uid %d gid %d\n", static_cast<int>(getuid()), static_cast<int>(getgid()));
    return 0;
}

int drop_keeping_one_capability() {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || drop() != 0) return 1;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct sets[2] = {};
    sets[0].effective = sets[0].permitted = 1u << CAP_NET_BIND_SERVICE;
    if (syscall(SYS_capset, &header, sets) != 0) {
        fprintf(stderr, "capset: %s\n", strerror(errno));
        return 1;
    }
    __user_cap_data_struct read_back[2] = {};
    if (syscall(SYS_capget, &header, read_back) != 0) return 1;
    printf("effective %x permitted %x inheritable %x\n", read_back[0].effective,
           read_back[0].permitted, read_back[0].inheritable);
    return 0;
}

void burn_until(std::chrono::steady_clock::time_point until, bool (*done)()) {
    while (!done() && std::chrono::steady_clock::now() < until) BURN_UNITS(1);
}

void burn_until_agent_loaded() {
    auto now = std::chrono::steady_clock::now;
    burn_until(now() + std::chrono::seconds(1), agent_mapped);
    if (agent_mapped()) burn_until(now() + std::chrono::milliseconds(100), [] { return false; });
}

}  // namespace

int main(int argc, char** argv) {
    if (geteuid() != 0) return 2;
    if (argc >= 2 && strcmp(argv[1], "after-load") == 0) {
        burn_until_agent_loaded();
        return drop();
    }
    if (argc >= 2 && strcmp(argv[1], "capabilities") == 0) return drop_keeping_one_capability();
    if (argc < 2 || strcmp(argv[1], "fork") != 0) return drop();
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        int status = drop();
        fflush(stdout);
        _exit(status);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
    return WEXITSTATUS(status);
}
