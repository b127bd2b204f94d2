// Known truth: a single-threaded program moves itself into a new user namespace (which the
// kernel allows only to a single-threaded process), then burns CPU. Under the agent the call
// must succeed exactly as without it, and the work after it must still be profiled.
// Exits 0 when unshare succeeded. Usage: enter_namespace [units, default 60]
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "burn.h"

namespace {

__attribute__((noinline)) void burn_after_unshare(long units) { BURN_UNITS(units); }

}  // namespace

int main(int argc, char** argv) {
    long units = argc > 1 ? strtol(argv[1], nullptr, 10) : 60;
    if (unshare(CLONE_NEWUSER) != 0) {
        fprintf(stderr, "unshare(CLONE_NEWUSER): %s\n", strerror(errno));
        return 1;
    }
    burn_after_unshare(units);
    return 0;
}
