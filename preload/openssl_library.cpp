#include "preload/openssl_library.h"

#include <dlfcn.h>

#include <cstddef>
#include <mutex>
#include <string>

#include "core/log.h"
#include "core/sibling_library.h"
#include "preload/openssl_functions.h"

#define SIAGENT_OPENSSL_SLOT(name) extern "C" const void* siagent_openssl_slot_##name;
SIAGENT_OPENSSL_FUNCTIONS(SIAGENT_OPENSSL_SLOT)
#undef SIAGENT_OPENSSL_SLOT

namespace {

constexpr char kTlsLibrary[] = "libsiagent-tls.so";

// The library's one export (preload/openssl_exports.cpp): its functions, in the order of
// SIAGENT_OPENSSL_FUNCTIONS, and how many.
using FunctionTable = const void* const* (*)(size_t* count);

const void** const kSlots[] = {
#define SIAGENT_OPENSSL_SLOT(name) &siagent_openssl_slot_##name,
    SIAGENT_OPENSSL_FUNCTIONS(SIAGENT_OPENSSL_SLOT)
#undef SIAGENT_OPENSSL_SLOT
};

bool load() {
    std::lock_guard<std::mutex> lock(siagent::sibling_library_mutex());
    std::string path = siagent::sibling_library_path(kTlsLibrary);
    void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    auto table = library != nullptr
                     ? reinterpret_cast<FunctionTable>(dlsym(library, "siagent_openssl_functions"))
                     : nullptr;
    size_t count = 0;
    const void* const* functions = table != nullptr ? table(&count) : nullptr;
    if (functions == nullptr || count != sizeof kSlots / sizeof kSlots[0]) {
        const char* reason = dlerror();
        siagent::log_warning("cannot load %s (%s): nothing is sent to the dashboard", path.c_str(),
                             reason != nullptr ? reason : "not this agent's OpenSSL library");
        return false;
    }
    for (size_t i = 0; i < count; ++i) *kSlots[i] = functions[i];
    return true;
}

}  // namespace

extern "C" bool siagent_load_openssl() {
    static const bool loaded = load();
    return loaded;
}
