// Whether the agent library (libsiagent-agent.so) is mapped in this process: under the
// default start delay the first stage loads it once the process has lived and worked a
// little (docs/architecture.md, "Two stages").
#pragma once

#include <fstream>
#include <string>

inline bool agent_mapped() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find("libsiagent-agent.so") != std::string::npos) return true;
    return false;
}
