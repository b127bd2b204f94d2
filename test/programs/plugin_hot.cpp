// A shared library that dlopen_plugin loads at run time: its function must be symbolized
// although the library did not exist in the process when the agent started.
#include "burn.h"

extern "C" __attribute__((noinline, visibility("default"))) void plugin_burn(long units) {
    BURN_UNITS(units);
}
