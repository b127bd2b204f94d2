#include "dashboard/server/model/memory_metrics.h"

#include <algorithm>

namespace siagent::dashboard {

bool is_resident_memory(std::string_view category, std::string_view name) {
    return category == kMemoryCategory &&
           std::find(kResidentMemoryNames.begin(), kResidentMemoryNames.end(), name) != kResidentMemoryNames.end();
}

bool is_heap_in_use(std::string_view category, std::string_view name) {
    return category == kMemoryCategory &&
           std::find(kHeapInUseNames.begin(), kHeapInUseNames.end(), name) != kHeapInUseNames.end();
}

double bytes_per_unit(std::string_view unit) {
    if (unit == "byte") return 1;
    if (unit == "kilobyte") return 1024;
    return 0;
}

}  // namespace siagent::dashboard
