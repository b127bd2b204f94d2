// Whether the agent library (libsiagent-agent.so) is mapped in this process: under the
// default start delay the first stage loads it once the process has lived and worked a
// little (docs/architecture.md, "Two stages").
#pragma once

#include <chrono>
#include <fstream>
#include <string>

#include "burn.h"

inline bool agent_mapped() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find("libsiagent-agent.so") != std::string::npos) return true;
    return false;
}

// Burns CPU in the function that expands it (a macro: its samples name that function) until
// the agent library is mapped (at most a second), then `extra_ms` milliseconds more.
#define BURN_UNTIL_AGENT_MAPPED_THEN(extra_ms)                                      \
    do {                                                                           \
        auto burn_until = std::chrono::steady_clock::now() + std::chrono::seconds(1); \
        while (!agent_mapped() && std::chrono::steady_clock::now() < burn_until)   \
            BURN_UNITS(1);                                                         \
        burn_until = std::chrono::steady_clock::now() +                             \
                     std::chrono::milliseconds(extra_ms);                          \
        while (std::chrono::steady_clock::now() < burn_until) BURN_UNITS(1);       \
    } while (0)
