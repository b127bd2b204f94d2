// What the debug information of a process's code says about an address: the module that
// holds it and its source lines. The reader is libdw's (core/symbols/debug_info_libdw.cpp).
//
// The agent keeps libdw out of the process until it has an address to name: its reader
// lives in libsiagent-dwarf.so, loaded while the agent symbolizes and unloaded when it
// has been idle a while (core/symbols/debug_info_library.h), so that libdw, libelf, libz and libbz2
// are not mapped, relocated and finalized in every process and every fork child. Programs
// that link core (tools, tests) link the reader in, and no library is loaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/profile.h"

namespace siagent {

// An object loaded in another (usually dead) process, for offline symbolization.
struct LoadedModule {
    std::string path;
    uint64_t bias = 0;      // load bias: runtime address = file address + bias (dlpi_addr)
    std::string build_id;   // lower-case hex; when not empty, a file with another id is skipped
};

// A loaded object as the reader knows it.
struct CodeModule {
    std::string path;
    uint64_t start = 0;
    uint64_t limit = 0;
    std::string build_id;  // lower-case hex, empty when unknown
};

struct AddressFacts {
    bool in_module = false;  // false: no module holds the address
    CodeModule module;
    // Innermost first, as Frame::lines; empty when the module's file is not the recorded
    // one (offline) or nothing names the address.
    std::vector<SourceLine> lines;
};

// One reader per process view; agent thread (or a tool's one thread) only.
class DebugInfo {
public:
    virtual ~DebugInfo() = default;
    // Libraries loaded since the reader was made (dlopen) are found by reading the
    // process's module list again on a miss.
    virtual AddressFacts describe(uint64_t address) = 0;
};

// How a reader is made: of this process's modules (`modules` null) or of another
// process's. Null on failure. Defined by the reader (core/symbols/debug_info_libdw.cpp).
using DebugInfoMaker = DebugInfo* (*)(const std::vector<LoadedModule>* modules);

}  // namespace siagent

// The reader's entry point, exported by libsiagent-dwarf.so.
extern "C" siagent::DebugInfo* siagent_make_debug_info(const std::vector<siagent::LoadedModule>* modules) noexcept;
