#include "core/sibling_library.h"

#include <dlfcn.h>

#include <cstring>

#include "core/fork_child_code.h"

namespace siagent {
namespace {

SIAGENT_FORK_CHILD_DATA std::mutex loading;  // never destroyed before the last load: a plain global, as fork needs

}  // namespace

std::mutex& sibling_library_mutex() { return loading; }

std::string sibling_library_path(const char* file_name) {
    Dl_info self{};
    if (dladdr(reinterpret_cast<void*>(&sibling_library_path), &self) == 0 || self.dli_fname == nullptr)
        return file_name;
    const char* slash = strrchr(self.dli_fname, '/');
    if (slash == nullptr) return file_name;
    return std::string(self.dli_fname, static_cast<size_t>(slash - self.dli_fname + 1)) + file_name;
}

void lock_sibling_libraries() { loading.lock(); }

SIAGENT_FORK_CHILD_CODE void unlock_sibling_libraries() { loading.unlock(); }

}  // namespace siagent
