// Interposed signal set-up. The application keeps full control of SIGPROF: when it installs
// any disposition of its own for it (a handler, SIG_IGN, SIG_DFL), the CPU profiler, whose
// timers send SIGPROF, disarms every timer first and says once on stderr that it steps
// aside. Without this, an application that resets SIGPROF to SIG_DFL would be killed by the
// agent's next timer, and an application's own SIGPROF profiler would count our signals.
// (Chaining to the application's handler while keeping the profiler on is the job of the
// full signal interposition, not of this file.)
#include <dlfcn.h>

#include <csignal>

#include "core/cpu_profiler.h"

namespace {

using SigactionFunction = int (*)(int, const struct sigaction*, struct sigaction*);
using SignalFunction = sighandler_t (*)(int, sighandler_t);

template <typename Function>
Function real_function(const char* name) {
    return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int sigaction(
    int signal_number, const struct sigaction* action, struct sigaction* previous) {
    static SigactionFunction real = real_function<SigactionFunction>("sigaction");
    if (signal_number == SIGPROF && action != nullptr &&
        !siagent::cpu_profiler().is_own_handler(action->sa_sigaction)) {
        siagent::cpu_profiler().step_aside_for_application();
    }
    return real(signal_number, action, previous);
}

extern "C" __attribute__((visibility("default"))) sighandler_t signal(int signal_number,
                                                                     sighandler_t handler) {
    static SignalFunction real = real_function<SignalFunction>("signal");
    if (signal_number == SIGPROF) siagent::cpu_profiler().step_aside_for_application();
    return real(signal_number, handler);
}

extern "C" __attribute__((visibility("default"))) sighandler_t sigset(int signal_number,
                                                                     sighandler_t handler) {
    static SignalFunction real = real_function<SignalFunction>("sigset");
    if (signal_number == SIGPROF && handler != SIG_HOLD)
        siagent::cpu_profiler().step_aside_for_application();
    return real(signal_number, handler);
}
