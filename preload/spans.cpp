// The span API's entry points (the names siagent.h's shim looks up with dlsym): thin
// wrappers over core/span_table.h. signal-safe, malloc-safe; usable before the agent starts
// and after it stops (spans are then counted but not reported).
#include <cstdint>

#include "core/span_table.h"

extern "C" __attribute__((visibility("default"))) uint64_t siagent_span_begin(const char* name) {
    return siagent::begin_span(name, false);
}

extern "C" __attribute__((visibility("default"))) uint64_t siagent_span_begin_profiled(
    const char* name) {
    return siagent::begin_span(name, true);
}

extern "C" __attribute__((visibility("default"))) void siagent_span_end(uint64_t span) {
    siagent::end_span(span);
}
