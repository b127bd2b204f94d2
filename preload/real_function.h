// The next definition of an interposed libc function: dlsym RTLD_NEXT as seen from the
// first stage, libsiagent.so (preload/loader/next_symbol.cpp), for both stages.
//
// Constant-initialized (no constructor runs), resolved by the library constructor
// (preload/blocking*.cpp call resolve() on each), and on first use when a call comes
// before that constructor ran. After resolution get() is a relaxed load: signal-safe,
// malloc-safe. dlsym itself is neither, which is why resolution happens early.
#pragma once

#include <atomic>
#include <string_view>

// Exported by libsiagent.so: dlvsym(RTLD_NEXT, name, version) when `version` is given and
// found, else dlsym(RTLD_NEXT, name). Not signal-safe, not malloc-safe (dlsym).
extern "C" void* siagent_next_symbol(const char* name, const char* version);

namespace siagent {
// Whether another copy of libsiagent.so comes before this one in lookup order (the library
// preloaded by two paths: LD_PRELOAD and /etc/ld.so.preload): this one then stays out of the
// way and only passes its forwarders' calls on (preload/loader/agent_loader.cpp).
bool another_first_stage_ahead();
}  // namespace siagent

namespace siagent {

// pthread_cond_* have two versions on x86-64; unversioned dlsym may give the old one, whose
// condition variable layout differs from the one the application compiled against.
constexpr const char* preferred_version(std::string_view name) {
#if defined(__x86_64__)
    if (name == "pthread_cond_wait" || name == "pthread_cond_timedwait") return "GLIBC_2.3.2";
#endif
    (void)name;
    return nullptr;
}

template <typename Function>
class RealFunction {
public:
    constexpr RealFunction(const char* name, const char* version = nullptr)
        : name_(name), version_(version) {}

    Function get() {
        Function function = function_.load(std::memory_order_relaxed);
        return function != nullptr ? function : resolve();
    }
    // The function if resolved already, else null (forwarders: see call_after_resolving).
    Function resolved() const { return function_.load(std::memory_order_relaxed); }

    // Out of line, so that tests can see it (test/preload/check_signal_safety.py): it is
    // reached on a signal or allocation path only before the library constructor ran, and
    // no handler of the agent's is installed before then.
    __attribute__((noinline)) Function resolve() {
        Function function = reinterpret_cast<Function>(siagent_next_symbol(name_, version_));
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

// The rare half of a forwarder's call of `real` (before the library constructor resolved
// it), out of line: the common half is then a load, a test and a tail jump, with no frame
// to keep the arguments in.
template <typename Function, typename... Args>
[[gnu::noinline, gnu::cold]] auto call_after_resolving(RealFunction<Function>& real, Args... args) {
    return real.get()(args...);
}

}  // namespace siagent

// Defines real_<name>, the next definition of libc function `name` (at the version the
// first stage asks for), for an X-macro list of interposed functions.
#define SIAGENT_DEFINE_REAL(name) siagent::RealFunction<decltype(&::name)> real_##name{#name};
