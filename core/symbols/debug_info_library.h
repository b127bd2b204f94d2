// Makes the debug-information readers the Symbolizer uses (core/symbols/debug_info.h).
//
// Where the reader is linked in (the tools, the tests) it is called directly. In the agent
// it lives in libsiagent-dwarf.so, next to the agent library: loaded (dlopen) when the
// first reader is made and unloaded (dlclose) when the last is destroyed, so a process
// maps libdw, libelf, libz and libbz2 only while it names new addresses. Agent thread
// (or a tool's thread) only; loads and unloads hold the sibling-library lock
// (core/sibling_library.h).
#pragma once

#include <memory>
#include <vector>

#include "core/symbols/debug_info.h"

namespace siagent {

// Null when no reader can be made (the library is missing: said once on stderr).
std::unique_ptr<DebugInfo> open_debug_info(const std::vector<LoadedModule>* offline_modules);

}  // namespace siagent
