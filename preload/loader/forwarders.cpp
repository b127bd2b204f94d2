// libsiagent.so's definitions of every interposed function (preload/interposed_functions.h):
// the agent's implementation once it is loaded, else the next definition (libc's).
//
// Each forwarder is signal-safe and malloc-safe (one acquire load, then a tail call), except
// those that change credentials or namespaces (they pause the waiting thread first) and
// si_start (it may load the agent).
#include "preload/export.h"
#include "preload/interposed_functions.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdarg>

#include "preload/loader/agent_loader.h"
#include "preload/real_function.h"
#include "preload/siagent.h"
#include "preload/syscall_arguments.h"

#define SIAGENT_UNPAREN(...) __VA_ARGS__

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // sigset is interposed too
#pragma GCC diagnostic ignored "-Wignored-attributes"       // pointers to libc functions


using siagent::installed_hooks;
using siagent::RealFunction;

#define SIAGENT_FORWARD(result, name, parameters, arguments)                                 \
    namespace {                                                                              \
    constinit RealFunction<result(*) parameters> real_##name{#name, siagent::preferred_version(#name)}; \
    }                                                                                        \
    SIAGENT_EXPORT SIAGENT_NO_FRAME_POINTER result name parameters {                         \
        if (const siagent::HookTable* hooks = installed_hooks()) return hooks->name arguments; \
        if (auto function = real_##name.resolved()) return function arguments;               \
        return siagent::call_after_resolving(real_##name, SIAGENT_UNPAREN arguments);        \
    }
SIAGENT_FORWARDED_CALLS(SIAGENT_FORWARD)
#undef SIAGENT_FORWARD

// With one waiting thread the process is not single-threaded: it is paused first, as the
// agent's implementation then pauses the agent's thread.
#define SIAGENT_FORWARD(result, name, parameters, arguments)                                 \
    namespace {                                                                              \
    constinit RealFunction<result(*) parameters> real_##name{#name};                         \
    }                                                                                        \
    SIAGENT_EXPORT result name parameters {                                                  \
        siagent::LoaderPause single_threaded;                                                \
        if (const siagent::HookTable* hooks = installed_hooks()) return hooks->name arguments; \
        auto real = real_##name.get();                                                       \
        if (real == nullptr) {                                                               \
            errno = ENOSYS;                                                                  \
            return -1;                                                                       \
        }                                                                                    \
        return real arguments;                                                               \
    }
SIAGENT_CREDENTIAL_CALLS(SIAGENT_FORWARD)
#undef SIAGENT_FORWARD

namespace {

constinit RealFunction<int (*)(const char*, int, ...)> real_open{"open"};
constinit RealFunction<int (*)(const char*, int, ...)> real_open64{"open64"};
constinit RealFunction<int (*)(int, const char*, int, ...)> real_openat{"openat"};
constinit RealFunction<int (*)(int, const char*, int, ...)> real_openat64{"openat64"};
constinit RealFunction<int (*)(int, int, ...)> real_fcntl{"fcntl"};
constinit RealFunction<int (*)(int, int, ...)> real_fcntl64{"fcntl64"};
constinit RealFunction<long (*)(long, ...)> real_syscall{"syscall"};
constinit RealFunction<int (*)(int, ...)> real_prctl{"prctl"};

// Whether seccomp(operation, ...) sandboxes the calling thread (or, with TSYNC, the process).
bool installs_seccomp(long operation) {
    return operation == SECCOMP_SET_MODE_STRICT || operation == SECCOMP_SET_MODE_FILTER;
}

// Whether open's variadic mode argument is present (as <fcntl.h>'s __OPEN_NEEDS_MODE).
bool needs_mode(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

}  // namespace

// open's mode is read only when the flags say it was passed; fcntl's argument is read as a
// pointer-sized value whatever the command, as glibc reads it; syscall's as six longs.
#define SIAGENT_FORWARD_OPEN(name, ...)                                       \
    mode_t mode = 0;                                                          \
    if (needs_mode(flags)) {                                                  \
        va_list rest;                                                         \
        va_start(rest, flags);                                                \
        mode = va_arg(rest, mode_t);                                          \
        va_end(rest);                                                         \
    }                                                                         \
    if (const siagent::HookTable* hooks = installed_hooks())                  \
        return hooks->name(__VA_ARGS__, flags, mode);                         \
    return real_##name.get()(__VA_ARGS__, flags, mode);

SIAGENT_EXPORT int open(const char* path, int flags, ...) { SIAGENT_FORWARD_OPEN(open, path) }
SIAGENT_EXPORT int open64(const char* path, int flags, ...) { SIAGENT_FORWARD_OPEN(open64, path) }
SIAGENT_EXPORT int openat(int directory, const char* path, int flags, ...) {
    SIAGENT_FORWARD_OPEN(openat, directory, path)
}
SIAGENT_EXPORT int openat64(int directory, const char* path, int flags, ...) {
    SIAGENT_FORWARD_OPEN(openat64, directory, path)
}
#undef SIAGENT_FORWARD_OPEN

#define SIAGENT_FORWARD_FCNTL(name)                                        \
    va_list rest;                                                          \
    va_start(rest, command);                                               \
    void* argument = va_arg(rest, void*);                                  \
    va_end(rest);                                                          \
    if (const siagent::HookTable* hooks = installed_hooks())               \
        return hooks->name(fd, command, argument);                         \
    return real_##name.get()(fd, command, argument);

SIAGENT_EXPORT int fcntl(int fd, int command, ...) { SIAGENT_FORWARD_FCNTL(fcntl) }
SIAGENT_EXPORT int fcntl64(int fd, int command, ...) { SIAGENT_FORWARD_FCNTL(fcntl64) }
#undef SIAGENT_FORWARD_FCNTL

SIAGENT_EXPORT long syscall(long number, ...) {
    va_list rest;
    va_start(rest, number);
    const siagent::SyscallArguments x = siagent::read_syscall_arguments(rest);
    va_end(rest);
    // Not signal-safe on this one path: no signal handler sandboxes its process.
    if (__builtin_expect(number == SYS_seccomp, 0) && installs_seccomp(x.a))
        siagent::step_aside_for_sandbox();
    if (const siagent::HookTable* hooks = installed_hooks())
        return hooks->syscall(number, x.a, x.b, x.c, x.d, x.e, x.f);
    return real_syscall.get()(number, x.a, x.b, x.c, x.d, x.e, x.f);
}

// prctl(PR_SET_SECCOMP, ...) sandboxes the calling thread: the agent steps aside first
// (agent_loader.h). Every other option goes straight to libc. The four optional arguments
// are read as unsigned longs whatever the option, as glibc's prctl reads them.
SIAGENT_EXPORT int prctl(int option, ...) {
    va_list rest;
    va_start(rest, option);
    const unsigned long second = va_arg(rest, unsigned long);
    const unsigned long third = va_arg(rest, unsigned long);
    const unsigned long fourth = va_arg(rest, unsigned long);
    const unsigned long fifth = va_arg(rest, unsigned long);
    va_end(rest);
    if (option == PR_SET_SECCOMP) siagent::step_aside_for_sandbox();
    return real_prctl.get()(option, second, third, fourth, fifth);
}

// The public API. si_start loads the agent at once; before the agent is loaded spans are
// not counted (handle 0, which ending ignores) and there is nothing to destroy but the wait.
SIAGENT_EXPORT int si_start(const char* const* options) {
    const siagent::HookTable* hooks = siagent::load_agent_now();
    return hooks != nullptr ? hooks->si_start(options) : SIAGENT_ERROR_START_FAILED;
}

SIAGENT_EXPORT void si_destroy(void) {
    if (const siagent::HookTable* hooks = installed_hooks()) hooks->si_destroy();
    else siagent::forget_deferred_load();
}

SIAGENT_EXPORT uint64_t siagent_span_begin(const char* name) {
    const siagent::HookTable* hooks = installed_hooks();
    return hooks != nullptr ? hooks->siagent_span_begin(name) : 0;
}

SIAGENT_EXPORT uint64_t siagent_span_begin_profiled(const char* name) {
    const siagent::HookTable* hooks = installed_hooks();
    return hooks != nullptr ? hooks->siagent_span_begin_profiled(name) : 0;
}

SIAGENT_EXPORT void siagent_span_end(uint64_t span) {
    if (const siagent::HookTable* hooks = installed_hooks()) hooks->siagent_span_end(span);
}
