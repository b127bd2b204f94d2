// What a single-threaded program carries once the agent has loaded in it: its threads and
// its allocator arenas. Each helper thread, and each arena (one per thread that allocated),
// costs every later fork of the program page faults in the parent and in the child
// (docs/performance.md, "Fork").
// Burns CPU until libsiagent-agent.so is mapped (at most 5 s; the default start delay loads
// it after 20 ms of CPU time), waits 300 ms more for its start, then prints
//   agent 1|0 threads N arenas M
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "agent_mapped.h"
#include "burn.h"
#include "thread_count.h"

namespace {

// malloc_info lists one <heap nr="..."> per arena.
int arenas() {
    char* text = nullptr;
    size_t size = 0;
    FILE* stream = open_memstream(&text, &size);
    if (stream == nullptr || malloc_info(0, stream) != 0) return -1;
    fclose(stream);
    int count = 0;
    for (const char* at = text; (at = strstr(at, "<heap nr=")) != nullptr; ++at) ++count;
    free(text);
    return count;
}

}  // namespace

int main() {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool loaded = false;
    while (!(loaded = agent_mapped()) && std::chrono::steady_clock::now() < until) BURN_UNITS(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    printf("agent %d threads %d arenas %d\n", loaded ? 1 : 0, count_threads(), arenas());
    return 0;
}
