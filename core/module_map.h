// Address ranges of loaded objects, for telling the agent's own code from the program's.
#pragma once

#include <cstdint>

namespace siagent {

struct AddressRange {
    uint64_t start = 0;
    uint64_t end = 0;  // exclusive
    bool contains(uint64_t address) const { return address >= start && address < end; }
};

// The span of the loadable segments of the object (executable or shared library) that
// contains `address`; empty when no loaded object does.
AddressRange loaded_object_range(const void* address);

}  // namespace siagent
