// Known truth: like a daemon, this program changes its working directory to / after it
// started, then burns CPU. Its profiles must still go where SI_OUTPUT_DIR pointed when it
// started. Usage: daemon_chdir [units, default 30]
#include <unistd.h>

#include <cstdlib>

#include "burn.h"

namespace {

__attribute__((noinline)) void daemon_burn(long units) { BURN_UNITS(units); }

}  // namespace

int main(int argc, char** argv) {
    long units = argc > 1 ? strtol(argv[1], nullptr, 10) : 30;
    if (chdir("/") != 0) return 1;
    daemon_burn(units);
    return 0;
}
