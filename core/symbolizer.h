// Turns code addresses of this process into functions, files and lines (libdw), off the
// hot path: only the agent thread uses a Symbolizer.
//
// Debug information is read from the loaded file itself, or from a separate debug file on
// local disk (build-id under /usr/lib/debug, or .gnu_debuglink next to the file or under
// /usr/lib/debug). It never asks a debuginfod server: a profiler must not make network
// requests the user did not configure.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/profile.h"

namespace siagent {

// An object loaded in another (usually dead) process, for offline symbolization.
struct LoadedModule {
    std::string path;
    uint64_t bias = 0;      // load bias: runtime address = file address + bias (dlpi_addr)
    std::string build_id;   // lower-case hex; when not empty, a file with another id is skipped
};

class Symbolizer {
public:
    // This process's modules (read from /proc/self/maps, again on a miss after dlopen).
    Symbolizer();
    // Modules of another process (a crash record's module map), read from their files.
    explicit Symbolizer(const std::vector<LoadedModule>& modules);
    ~Symbolizer();
    Symbolizer(const Symbolizer&) = delete;
    Symbolizer& operator=(const Symbolizer&) = delete;

    // `address` is the address to look up: the PC itself for an interrupted frame, the
    // call instruction (return address - 1) for callers. Libraries loaded since the last
    // call (dlopen) are found by re-reading the process's module list on a miss.
    // The result's mapping_index refers to mappings().
    const Frame& resolve(uint64_t address);

    // Every module seen so far (1-based indices in Frame::mapping_index).
    const std::vector<Mapping>& mappings() const { return mappings_; }

private:
    struct Modules;
    Frame describe(uint64_t address);
    uint32_t mapping_for(void* module);

    std::unique_ptr<Modules> modules_;
    std::unordered_map<uint64_t, Frame> cache_;
    // Keyed by (path, start) so modules found again after a re-read keep their index.
    std::map<std::pair<std::string, uint64_t>, uint32_t> mapping_indices_;
    std::vector<Mapping> mappings_;
};

// Demangles a C++ symbol; returns it unchanged when it is not a mangled name.
std::string demangle(const char* symbol);

}  // namespace siagent
