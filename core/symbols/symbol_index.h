// A module's function symbols sorted by address, for lookups in O(log n).
//
// libdwfl's dwfl_module_addrinfo scans the whole symbol table on every call: a process
// with a big stripped-but-exported binary (gcc's cc1) spent 100 ms of agent CPU naming a
// few hundred addresses. The table is read once per module instead. Agent thread only.
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <vector>

namespace siagent {

class SymbolIndex {
public:
    // Reads `module`'s symbol table (the best libdwfl finds: .symtab, a separate debug
    // file's, or .dynsym). Names point into libelf's data, valid while the Dwfl lives.
    explicit SymbolIndex(Dwfl_Module* module);

    // The function containing `address` (a runtime address), or nullptr. A symbol without
    // a size covers the addresses up to the next symbol. Among symbols at one address a
    // global one is preferred to a weak one, and either to a local one.
    const char* name_of(uint64_t address) const;

    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        uint64_t start;
        uint64_t size;
        const char* name;
        int rank;  // binding preference: lower is better
    };
    std::vector<Entry> entries_;  // by start, then rank
};

}  // namespace siagent
