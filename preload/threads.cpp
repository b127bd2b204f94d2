// Interposed pthread_create: a new thread arms its CPU timer before its start routine runs,
// so even short-lived threads are sampled, and disarms it when it ends. It also unblocks the
// profiling signal it inherited blocked: programs commonly block every signal before making
// their worker threads (so that one thread handles signals), which would otherwise leave
// every worker unsampled. SIGPROF is the agent's (an application that takes it makes the
// agent step aside, see signals.cpp), so unblocking it changes nothing the program sees.
#include <dlfcn.h>
#include <pthread.h>

#include <csignal>

#include <new>

#include "core/cpu_profiler.h"

namespace {

using CreateFunction = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);

CreateFunction real_pthread_create() {
    static CreateFunction real =
        reinterpret_cast<CreateFunction>(dlsym(RTLD_NEXT, "pthread_create"));
    return real;
}

struct ThreadStart {
    void* (*routine)(void*);
    void* argument;
};

// Runs on the new thread. Disarms on return and on pthread_exit (which unwinds through
// this frame, running the guard's destructor).
void* start_profiled_thread(void* opaque) {
    ThreadStart start = *static_cast<ThreadStart*>(opaque);
    delete static_cast<ThreadStart*>(opaque);
    struct TimerGuard {
        TimerGuard() {
            if (!siagent::cpu_profiler().running()) return;
            sigset_t profiling;
            sigemptyset(&profiling);
            sigaddset(&profiling, SIGPROF);
            pthread_sigmask(SIG_UNBLOCK, &profiling, nullptr);
            siagent::cpu_profiler().on_thread_start();
        }
        ~TimerGuard() { siagent::cpu_profiler().on_thread_exit(); }
    } guard;
    return start.routine(start.argument);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int pthread_create(
    pthread_t* thread, const pthread_attr_t* attributes, void* (*routine)(void*), void* argument) {
    CreateFunction real = real_pthread_create();
    if (real == nullptr) return EAGAIN;
    auto* start = new (std::nothrow) ThreadStart{routine, argument};
    if (start == nullptr) return real(thread, attributes, routine, argument);
    int result = real(thread, attributes, start_profiled_thread, start);
    if (result != 0) delete start;
    return result;
}
