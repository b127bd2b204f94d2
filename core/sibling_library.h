// Libraries the agent loads at run time from its own directory, next to the agent library:
// libsiagent-dwarf.so while it names new addresses (core/symbols/debug_info_library.h) and
// libsiagent-tls.so for its first exchange with the dashboard (preload/openssl_library.h).
//
// Each dlopen and dlclose of one runs with the sibling-library lock held, and a fork holds
// it from its prepare handler to its parent and child handlers (preload/agent_main.cpp):
// no fork child inherits the dynamic linker's own lock held by a load in progress.
#pragma once

#include <mutex>
#include <string>

namespace siagent {

// Held across every dlopen and dlclose of a sibling library, and across fork.
std::mutex& sibling_library_mutex();

// The path of `file_name` in the directory of the library this code is linked into.
std::string sibling_library_path(const char* file_name);

// The fork handlers' side of the lock.
void lock_sibling_libraries();
void unlock_sibling_libraries();

}  // namespace siagent
