// Known truth: three processes burn CPU: this parent (parent_burn), a forked child that
// keeps running the same image (forked_child_burn), and a forked child that execs this
// program again with "exec-child" (exec_child_burn). Each must get its own profile file,
// named with its own pid. Prints `pid <role> <pid>` for each.
// Usage: fork_exec [units, default 30] | fork_exec exec-child [units]
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "burn.h"

namespace {

long units = 30;

__attribute__((noinline)) void parent_burn() { BURN_UNITS(units); }
__attribute__((noinline)) void forked_child_burn() { BURN_UNITS(units); }
__attribute__((noinline)) void exec_child_burn() { BURN_UNITS(units); }

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
        if (argc > 2) units = strtol(argv[2], nullptr, 10);
        exec_child_burn();
        return 0;
    }
    if (argc > 1) units = strtol(argv[1], nullptr, 10);
    printf("pid parent %d\n", getpid());
    fflush(stdout);

    pid_t forked = fork();
    if (forked == 0) {
        forked_child_burn();
        exit(0);
    }
    printf("pid forked %d\n", forked);
    fflush(stdout);

    pid_t execed = fork();
    if (execed == 0) {
        char units_text[32];
        snprintf(units_text, sizeof units_text, "%ld", units);
        execl("/proc/self/exe", argv[0], "exec-child", units_text, (char*)nullptr);
        _exit(127);
    }
    printf("pid execed %d\n", execed);
    fflush(stdout);

    parent_burn();
    int status = 0;
    bool children_ok = true;
    for (pid_t child : {forked, execed}) {
        waitpid(child, &status, 0);
        children_ok = children_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return children_ok ? 0 : 1;
}
