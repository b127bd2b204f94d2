// The memory metrics that mean the same thing across agents, by the names each sends
// (category "memory"; recorded from the released agents):
//   resident memory  "Current RSS" (siagent, Python, Go; kilobyte), "RSS" (Node.js; byte)
//   heap in use      "Heap in use" (siagent; byte), "Used heap size" (Node.js: V8's used
//                    heap; byte), "Allocated memory" (Go: bytes of live heap objects)
// The apps list reads the resident ones; the leak rule watches both kinds.
#pragma once

#include <array>
#include <string_view>

namespace siagent::dashboard {

inline constexpr std::string_view kMemoryCategory = "memory";
inline constexpr std::array<std::string_view, 2> kResidentMemoryNames = {"Current RSS", "RSS"};
inline constexpr std::array<std::string_view, 3> kHeapInUseNames = {"Heap in use", "Used heap size",
                                                                    "Allocated memory"};

bool is_resident_memory(std::string_view category, std::string_view name);
bool is_heap_in_use(std::string_view category, std::string_view name);

// Bytes in one unit of a memory metric ("byte" 1, "kilobyte" 1024); 0 for any other unit.
double bytes_per_unit(std::string_view unit);

}  // namespace siagent::dashboard
