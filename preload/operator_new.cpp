// The interposed C++ allocation operators, every form: plain, array, nothrow, aligned,
// sized. Defining them here (rather than letting libstdc++'s operator new call malloc)
// puts the code that called `new` directly below the agent's frames, so allocations are
// attributed to it, not to libstdc++. Semantics are the standard library's: a failed
// allocation calls the new-handler and retries, or throws std::bad_alloc (nothrow forms
// return nullptr); aligned forms honour the alignment; delete of nullptr does nothing.
#include <cstdlib>
#include <new>

#include "preload/export.h"

namespace {

void* allocate(std::size_t size, std::size_t alignment) {
    if (size == 0) size = 1;
    for (;;) {
        void* block;
        if (alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
            block = malloc(size);
        } else {
            // aligned_alloc wants a multiple of the alignment.
            std::size_t rounded = (size + alignment - 1) & ~(alignment - 1);
            block = rounded < size ? nullptr : aligned_alloc(alignment, rounded);
        }
        if (block != nullptr) return block;
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc();
        handler();
    }
}

void* allocate_nothrow(std::size_t size, std::size_t alignment) noexcept {
    try {
        return allocate(size, alignment);
    } catch (...) {
        return nullptr;
    }
}

constexpr std::size_t kDefault = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

}  // namespace

SIAGENT_EXPORT_CXX void* operator new(std::size_t size) { return allocate(size, kDefault); }
SIAGENT_EXPORT_CXX void* operator new[](std::size_t size) { return allocate(size, kDefault); }
SIAGENT_EXPORT_CXX void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return allocate_nothrow(size, kDefault);
}
SIAGENT_EXPORT_CXX void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return allocate_nothrow(size, kDefault);
}
SIAGENT_EXPORT_CXX void* operator new(std::size_t size, std::align_val_t alignment) {
    return allocate(size, static_cast<std::size_t>(alignment));
}
SIAGENT_EXPORT_CXX void* operator new[](std::size_t size, std::align_val_t alignment) {
    return allocate(size, static_cast<std::size_t>(alignment));
}
SIAGENT_EXPORT_CXX void* operator new(std::size_t size, std::align_val_t alignment,
                                  const std::nothrow_t&) noexcept {
    return allocate_nothrow(size, static_cast<std::size_t>(alignment));
}
SIAGENT_EXPORT_CXX void* operator new[](std::size_t size, std::align_val_t alignment,
                                    const std::nothrow_t&) noexcept {
    return allocate_nothrow(size, static_cast<std::size_t>(alignment));
}

SIAGENT_EXPORT_CXX void operator delete(void* block) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete[](void* block) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete(void* block, const std::nothrow_t&) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete[](void* block, const std::nothrow_t&) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete(void* block, std::size_t) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete[](void* block, std::size_t) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete(void* block, std::align_val_t) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete[](void* block, std::align_val_t) noexcept { free(block); }
SIAGENT_EXPORT_CXX void operator delete(void* block, std::size_t, std::align_val_t) noexcept {
    free(block);
}
SIAGENT_EXPORT_CXX void operator delete[](void* block, std::size_t, std::align_val_t) noexcept {
    free(block);
}
SIAGENT_EXPORT_CXX void operator delete(void* block, std::align_val_t, const std::nothrow_t&) noexcept {
    free(block);
}
SIAGENT_EXPORT_CXX void operator delete[](void* block, std::align_val_t,
                                      const std::nothrow_t&) noexcept {
    free(block);
}
