#include "core/symbols/debug_info_library.h"

#include <dlfcn.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

#include "core/log.h"
#include "core/sibling_library.h"

// Defined where the reader is linked in; null in the agent library (libsiagent-dwarf.so
// defines it, and is asked with dlsym).
#pragma weak siagent_make_debug_info

namespace siagent {
namespace {

constexpr char kReaderLibrary[] = "libsiagent-dwarf.so";

// The library state below is guarded by sibling_library_mutex().
void* library_handle = nullptr;
DebugInfoMaker library_maker = nullptr;
int live_readers = 0;
std::atomic<bool> load_failure_said{false};

// Called with sibling_library_mutex() held.
DebugInfoMaker acquire_library_locked() {
    if (library_handle == nullptr) {
        std::string path = sibling_library_path(kReaderLibrary);
        library_handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (library_handle != nullptr)
            library_maker = reinterpret_cast<DebugInfoMaker>(dlsym(library_handle, "siagent_make_debug_info"));
        if (library_maker == nullptr) {
            const char* reason = dlerror();
            if (!load_failure_said.exchange(true))
                log_warning("cannot load %s (%s): profiles name no functions", path.c_str(),
                            reason != nullptr ? reason : "no reader in it");
            if (library_handle != nullptr) dlclose(library_handle);
            library_handle = nullptr;
            return nullptr;
        }
    }
    ++live_readers;
    return library_maker;
}

void release_library() {
    std::lock_guard<std::mutex> lock(sibling_library_mutex());
    if (--live_readers > 0 || library_handle == nullptr) return;
    dlclose(library_handle);
    library_handle = nullptr;
    library_maker = nullptr;
}

// A reader made by the library, which stays loaded until the reader is gone.
class LibraryReader final : public DebugInfo {
public:
    explicit LibraryReader(DebugInfo* reader) : reader_(reader) {}
    ~LibraryReader() override {
        reader_.reset();  // its code is in the library: destroyed before the unload
        release_library();
    }
    AddressFacts describe(uint64_t address) override { return reader_->describe(address); }

private:
    std::unique_ptr<DebugInfo> reader_;
};

// Whether the reader is the one linked into this program (no library to load).
bool debug_info_linked_in() { return &siagent_make_debug_info != nullptr; }

}  // namespace

std::unique_ptr<DebugInfo> open_debug_info(const std::vector<LoadedModule>* offline_modules) {
    if (debug_info_linked_in()) return std::unique_ptr<DebugInfo>(siagent_make_debug_info(offline_modules));
    DebugInfoMaker make;
    {
        std::lock_guard<std::mutex> lock(sibling_library_mutex());
        make = acquire_library_locked();
    }
    if (make == nullptr) return nullptr;
    DebugInfo* reader = make(offline_modules);
    if (reader == nullptr) {
        release_library();
        return nullptr;
    }
    return std::make_unique<LibraryReader>(reader);
}

}  // namespace siagent
