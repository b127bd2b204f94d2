// The next definition of an interposed libc function (dlsym RTLD_NEXT).
//
// Constant-initialized (no constructor runs), resolved by the library constructor
// (preload/blocking*.cpp call resolve() on each), and on first use when a call comes
// before that constructor ran. After resolution get() is a relaxed load: signal-safe,
// malloc-safe. dlsym itself is neither, which is why resolution happens early.
#pragma once

#include <dlfcn.h>

#include <atomic>

namespace siagent {

template <typename Function>
class RealFunction {
public:
    constexpr RealFunction(const char* name, const char* version = nullptr)
        : name_(name), version_(version) {}

    Function get() {
        Function function = function_.load(std::memory_order_relaxed);
        return function != nullptr ? function : resolve();
    }

    Function resolve() {
        void* symbol = version_ != nullptr ? dlvsym(RTLD_NEXT, name_, version_) : nullptr;
        if (symbol == nullptr) symbol = dlsym(RTLD_NEXT, name_);
        Function function = reinterpret_cast<Function>(symbol);
        function_.store(function, std::memory_order_relaxed);
        return function;
    }

private:
    const char* name_;
    // A symbol version to prefer, for functions glibc exports in several versions where
    // dlsym's unversioned answer would be an old one (pthread_cond_* on x86-64).
    const char* version_;
    std::atomic<Function> function_{nullptr};
};

}  // namespace siagent
