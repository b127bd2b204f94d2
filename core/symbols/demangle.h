// C++ symbol names made readable.
#pragma once

#include <string>

namespace siagent {

// Demangles a C++ symbol; returns it unchanged when it is not a mangled name. A symbol
// table's version suffix ("@@GLIBC_2.34") is dropped.
std::string demangle(const char* symbol);

}  // namespace siagent
