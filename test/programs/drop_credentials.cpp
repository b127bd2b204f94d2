// Known truth: a process (or, with "fork", a fork child at once, before its agent could
// start) drops root to nobody with setgroups, setresgid and setresuid, as daemons and
// su-like tools do. Prints "uid <uid> gid <gid>" and exits 0 on success; exits 2 when not
// run as root, 1 when a call fails.
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

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

}  // namespace

int main(int argc, char** argv) {
    if (geteuid() != 0) return 2;
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
