// Known truth: a process (a daemon dropping into a jail, a build tool entering its build
// root) chroots into a directory after its agent started, then works on there. Burns in
// burn_before_jail until libsiagent-agent.so is mapped (at most a second) and 200 ms more,
// chroots into argv[1] and changes to its root, burns 300 ms in burn_in_jail, prints
// "jailed" and exits 0. Exits 2 when not run as root (chroot needs CAP_SYS_CHROOT).
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "agent_mapped.h"
#include "burn.h"

namespace {

__attribute__((noinline)) void burn_before_jail() { BURN_UNTIL_AGENT_MAPPED_THEN(200); }

__attribute__((noinline)) void burn_in_jail() {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < until) BURN_UNITS(1);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: chroot_jail DIRECTORY\n");
        return 1;
    }
    if (geteuid() != 0) return 2;
    burn_before_jail();
    if (chroot(argv[1]) != 0 || chdir("/") != 0) {
        perror("chroot");
        return 1;
    }
    burn_in_jail();
    printf("jailed\n");
    return 0;
}
