// Turns code addresses of this process into functions, files and lines (libdw), off the
// hot path: only the agent thread uses a Symbolizer.
//
// Debug information is read from the loaded file itself, or from a separate debug file on
// local disk (build-id under /usr/lib/debug, or .gnu_debuglink next to the file or under
// /usr/lib/debug). It never asks a debuginfod server: a profiler must not make network
// requests the user did not configure.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/symbols/debug_info.h"
#include "core/symbols/demangle.h"
#include "core/profile.h"

namespace siagent {

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

    // An address first seen in a period's samples, to be resolved before the period's
    // report: at once while the debug-information reader is loaded, else queued (loading
    // the reader for every new address would keep libdw in the process for good).
    void note(uint64_t address);
    // Addresses noted but not resolved yet.
    size_t pending() const { return pending_.size(); }
    // Resolves the queue (loading the reader if needed).
    void resolve_pending();

    // Every module seen so far (1-based indices in Frame::mapping_index).
    const std::vector<Mapping>& mappings() const { return mappings_; }

    // Lets the debug-information reader go (and with it libdw, in the agent) when no
    // address has missed the cache for `idle`; the next miss makes a new one. Answers
    // already given stay cached. Returns whether it let one go.
    bool release_debug_info_if_idle(std::chrono::steady_clock::time_point now,
                                    std::chrono::milliseconds idle);
    bool holds_debug_info() const { return reader_ != nullptr; }

private:
    Frame describe(uint64_t address);
    uint32_t mapping_for(const CodeModule& module);

    std::unique_ptr<std::vector<LoadedModule>> offline_modules_;  // null: this process
    std::unique_ptr<DebugInfo> reader_;  // made on a cache miss
    bool reader_failed_ = false;         // said once; the process's names stay unknown
    std::chrono::steady_clock::time_point last_read_{};
    std::unordered_map<uint64_t, Frame> cache_;
    std::vector<uint64_t> pending_;  // noted, not in cache_ (may repeat)
    // Keyed by (path, start) so modules found again after a re-read keep their index.
    std::map<std::pair<std::string, uint64_t>, uint32_t> mapping_indices_;
    std::vector<Mapping> mappings_;
};

}  // namespace siagent
