// Known truth for what a profiled process maps while it runs: burns CPU in steady_burn for
// about 1.5 s (the agent starts and drains its samples many times meanwhile), then says
// whether libdw, the symbolizer's DWARF reader, is mapped into it now:
// "libdw mapped: yes" or "libdw mapped: no". Exits 0.
#include <cstdio>
#include <cstring>

#include "burn.h"

namespace {

__attribute__((noinline)) void steady_burn() {
    const int64_t until = thread_cpu_ns() + 1'500'000'000;
    while (thread_cpu_ns() < until) BURN_UNITS(5);
}

bool libdw_mapped() {
    FILE* maps = fopen("/proc/self/maps", "r");
    if (maps == nullptr) return false;
    char line[4096];
    bool found = false;
    while (fgets(line, sizeof line, maps) != nullptr)
        if (strstr(line, "/libdw") != nullptr || strstr(line, "/libelf") != nullptr) found = true;
    fclose(maps);
    return found;
}

}  // namespace

int main() {
    steady_burn();
    printf("libdw mapped: %s\n", libdw_mapped() ? "yes" : "no");
    return 0;
}
