// The view of `siagent leaks`: the call stacks that heap-in-use profiles flag as suspected
// leaks (samples labelled leak=suspected by the agent's leak detector), newest first.
//
// Pure functions of their inputs (no I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/top_table.h"

namespace siagent {

struct LeakRow {
    std::string function;  // the allocating function: the innermost frame of the program
    std::string location;  // file:line of the allocation call, or the module
    int64_t inuse_bytes = 0;
    int64_t growth_bytes_per_second = 0;
    std::string source;    // the file it was read from
};

struct LeakTable {
    size_t files = 0;
    std::vector<LeakRow> rows;  // by growth, fastest first; one per stack (newest file wins)
};

// Errors when a file is not a heap-in-use profile.
std::optional<LeakTable> compute_leaks(const std::vector<NamedProfile>& inputs, std::string& error);
std::string render_leaks(const LeakTable& table);

}  // namespace siagent
