// Interposed pthread_create: a new thread arms its CPU timer before its start routine runs,
// so even short-lived threads are sampled, and disarms it when it ends.
//
// Signal masks: a new thread inherits its creator's real mask, and its application view
// of SIGPROF (preload/signals.cpp): it believes SIGPROF blocked when its creator did, or
// when the mask it really inherited blocks it (programs commonly block every signal before
// making their worker threads, so that one thread handles signals, sometimes before the
// agent started). While the agent owns SIGPROF the thread then really unblocks it, or it
// would never be sampled; the masks it reads back still show SIGPROF blocked.
//
// Threads the agent makes itself (its own thread) are left alone.
#include <pthread.h>

#include <csignal>

#include <new>

#include "core/agent_guard.h"
#include "core/cpu/cpu_profiler.h"
#include "core/block/in_flight_calls.h"
#include "core/signal_table.h"
#include "core/span_table.h"
#include "core/stack_capture.h"
#include "preload/export.h"
#include "preload/real_function.h"
#include "preload/signal_mask.h"

namespace {

using CreateFunction = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);

constinit siagent::RealFunction<CreateFunction> real_create{"pthread_create"};

struct ThreadStart {
    void* (*routine)(void*);
    void* argument;
    bool creator_blocks_sigprof;  // the creator's application view
};

// Takes the creator's view of SIGPROF, and unblocks it for real while the agent owns it.
void adopt_signal_mask(bool creator_blocks_sigprof) {
    sigset_t inherited;
    pthread_sigmask(SIG_BLOCK, nullptr, &inherited);  // the real mask: the view is still false
    bool blocked = creator_blocks_sigprof || sigismember(&inherited, SIGPROF) == 1;
    siagent::set_application_blocks_profiling_signal(blocked);
    if (!blocked || !siagent::cpu_profiling_active() || siagent::application_takes(SIGPROF))
        return;
    sigset_t profiling;
    sigemptyset(&profiling);
    sigaddset(&profiling, SIGPROF);
    siagent::AgentScope real_mask;  // the interposed pthread_sigmask passes agent calls through
    pthread_sigmask(SIG_UNBLOCK, &profiling, nullptr);
}

// Runs on the new thread. Disarms on return and on pthread_exit (which unwinds through
// this frame, running the guard's destructor).
void* start_profiled_thread(void* opaque) {
    ThreadStart start = *static_cast<ThreadStart*>(opaque);
    delete static_cast<ThreadStart*>(opaque);
    adopt_signal_mask(start.creator_blocks_sigprof);
    siagent::prepare_thread_unwinder();
    struct TimerGuard {
        TimerGuard() { siagent::cpu_profiler().on_thread_start(); }
        ~TimerGuard() {
            siagent::abandon_thread_spans();  // spans still open end with the thread
            siagent::release_in_flight_slot();
            siagent::cpu_profiler().on_thread_exit();
        }
    } guard;
    return start.routine(start.argument);
}

}  // namespace

SIAGENT_EXPORT int pthread_create(
    pthread_t* thread, const pthread_attr_t* attributes, void* (*routine)(void*), void* argument) {
    CreateFunction real = real_create.get();
    if (real == nullptr) return EAGAIN;
    // The agent's own threads start as made: not profiled, and no record for the new
    // thread to free (its first free would give it an allocator arena at once).
    if (siagent::inside_agent()) return real(thread, attributes, routine, argument);
    auto* start = new (std::nothrow) ThreadStart{
        routine, argument, siagent::application_blocks_profiling_signal()};
    if (start == nullptr) return real(thread, attributes, routine, argument);
    int result = real(thread, attributes, start_profiled_thread, start);
    if (result != 0) delete start;
    return result;
}
