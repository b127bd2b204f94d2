#include "core/symbols/demangle.h"

#include <cxxabi.h>

#include <cstdlib>

namespace siagent {

std::string demangle(const char* symbol) {
    if (symbol == nullptr) return "";
    // Symbol tables may carry a version ("__libc_start_main@@GLIBC_2.34"): not part of the name.
    std::string name(symbol);
    size_t version = name.find('@');
    if (version != std::string::npos && version > 0) name.resize(version);
    if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return name;
    int status = 0;
    char* readable = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
    if (status != 0 || readable == nullptr) return name;
    std::string result(readable);
    free(readable);
    return result;
}

}  // namespace siagent
