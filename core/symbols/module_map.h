// Address ranges of loaded objects, for telling the agent's own code from the program's.
#pragma once

#include <array>
#include <cstdint>

struct dl_phdr_info;

namespace siagent {

struct AddressRange {
    uint64_t start = 0;
    uint64_t end = 0;  // exclusive
    bool contains(uint64_t address) const { return address >= start && address < end; }
};

// A few objects' code, e.g. the agent's own whose frames profiles leave out: the agent
// library, the first stage and the libunwind it unwinds with (its frames show on the
// application's threads while a sample is captured there). Empty ranges contain nothing.
struct CodeRanges {
    std::array<AddressRange, 4> ranges{};
    bool contains(uint64_t address) const {
        for (const AddressRange& range : ranges)
            if (range.contains(address)) return true;
        return false;
    }
};

// The span of the loadable segments of the object (executable or shared library) that
// contains `address`; empty when no loaded object does.
AddressRange loaded_object_range(const void* address);

// The span of the loadable segments of one object dl_iterate_phdr reports.
AddressRange loaded_segments_span(const dl_phdr_info& object);

}  // namespace siagent
