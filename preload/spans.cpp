// The span API's entry points (the names siagent.h's shim looks up with dlsym): thin
// wrappers over core/span_table.h. signal-safe, malloc-safe; usable before the agent starts
// and after it stops (spans are then counted but not reported).
#include <cstdint>

#include "core/span_table.h"
#include "preload/export.h"

SIAGENT_EXPORT uint64_t siagent_span_begin(const char* name) {
    return siagent::begin_span(name, false);
}

SIAGENT_EXPORT uint64_t siagent_span_begin_profiled(
    const char* name) {
    return siagent::begin_span(name, true);
}

SIAGENT_EXPORT void siagent_span_end(uint64_t span) {
    siagent::end_span(span);
}
