// Interposed signal set-up: sigaction, signal and sigset, and the signal masks
// (pthread_sigmask, sigprocmask).
//
// Dispositions: for the signals the agent handles (core/signal_table.h: SIGPROF while the
// CPU profiler runs, crash signals later), the application's calls only change and read
// the handler table, so the application sees exactly what it installed while the agent's
// handler stays in the kernel and hands the application its own deliveries. Every other
// signal goes straight to libc.
//
// Signal masks: while the CPU profiler owns SIGPROF (the application has not installed a
// disposition of its own for it), a thread that blocks it (often by blocking every signal)
// would silently never be sampled. pthread_sigmask and sigprocmask keep SIGPROF out of
// what they really block, and remember per thread that the application asked for it, so
// the masks they report back are exactly the ones the application set. Once the
// application takes SIGPROF for itself, its masks apply as they are.
//
// Every function here is signal-safe (the real functions are resolved by the library
// constructor: dlsym is not async-signal-safe, and these may be called in a handler).
#include <csignal>

#include "core/agent_guard.h"
#include "core/fork_child_code.h"
#include "core/cpu/cpu_profiler.h"
#include "core/signal_table.h"
#include "core/cpu/start_alarm.h"
#include "preload/export.h"
#include "preload/real_function.h"
#include "preload/signal_mask.h"


namespace {

using MaskFunction = int (*)(int, const sigset_t*, sigset_t*);
using SignalFunction = sighandler_t (*)(int, sighandler_t);

siagent::RealFunction<int (*)(int, const struct sigaction*, struct sigaction*)> real_sigaction{
    "sigaction"};
siagent::RealFunction<SignalFunction> real_signal{"signal"};
siagent::RealFunction<SignalFunction> real_sigset{"sigset"};
// What signal() is in a strict ISO C build (<signal.h> redirects it), and its two spellings.
siagent::RealFunction<SignalFunction> real_sysv_signal{"__sysv_signal"};
siagent::RealFunction<SignalFunction> real_bsd_signal{"bsd_signal"};
siagent::RealFunction<MaskFunction> real_pthread_sigmask{"pthread_sigmask"};
siagent::RealFunction<MaskFunction> real_sigprocmask{"sigprocmask"};

__attribute__((constructor(101))) void resolve_signal_functions() {
    real_sigaction.resolve();
    real_signal.resolve();
    real_sigset.resolve();
    real_sysv_signal.resolve();
    real_bsd_signal.resolve();
    real_pthread_sigmask.resolve();
    real_sigprocmask.resolve();
}

// Initial-exec: reading it never allocates (no __tls_get_addr on first access).
__thread bool application_blocked_sigprof __attribute__((tls_model("initial-exec"))) = false;

// Whether the agent keeps SIGPROF unblocked whatever the application asks: while the CPU
// profiler samples, and while a fork child waits for its start alarm (core/cpu/start_alarm.h).
SIAGENT_FORK_CHILD_CODE bool agent_owns_sigprof() {
    return (siagent::cpu_profiling_active() || siagent::start_alarm_pending()) &&
           !siagent::application_takes(SIGPROF);
}

// Applies `how`/`set` with SIGPROF left unblocked while the agent owns it, and reports
// the previous mask as the application knows it.
SIAGENT_FORK_CHILD_CODE int change_mask(MaskFunction real, int how, const sigset_t* set, sigset_t* previous) {
    if (real == nullptr) return -1;
    if (siagent::inside_agent()) return real(how, set, previous);
    bool asked_before = application_blocked_sigprof;
    int result;
    if (set == nullptr || how == SIG_UNBLOCK || sigismember(set, SIGPROF) != 1 ||
        !agent_owns_sigprof()) {
        result = real(how, set, previous);
    } else {
        sigset_t adjusted = *set;
        sigdelset(&adjusted, SIGPROF);
        result = real(how, &adjusted, previous);
    }
    if (result != 0) return result;
    if (previous != nullptr && asked_before) sigaddset(previous, SIGPROF);
    if (set != nullptr) {
        bool member = sigismember(set, SIGPROF) == 1;
        if (how == SIG_BLOCK && member) application_blocked_sigprof = true;
        else if (how == SIG_UNBLOCK && member) application_blocked_sigprof = false;
        else if (how == SIG_SETMASK) application_blocked_sigprof = member;
    }
    return result;
}

// What glibc's signal() installs: BSD semantics, the signal blocked in its own handler.
struct sigaction bsd_action(int signal_number, sighandler_t handler) {
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, signal_number);
    action.sa_flags = SA_RESTART;
    return action;
}

// What glibc's __sysv_signal installs: System V semantics, reset to SIG_DFL on delivery,
// the signal not blocked in its own handler, no restart.
struct sigaction sysv_action(sighandler_t handler) {
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    return action;
}

// signal() and its kin for the signals the agent handles: the application's table entry
// changes, the agent's handler stays installed.
sighandler_t install_for_application(int signal_number, struct sigaction action) {
    struct sigaction previous;
    siagent::exchange_application_action(signal_number, &action, &previous);
    return previous.sa_handler;
}

}  // namespace

bool siagent::application_blocks_profiling_signal() { return application_blocked_sigprof; }

void siagent::set_application_blocks_profiling_signal(bool blocked) {
    application_blocked_sigprof = blocked;
}

SIAGENT_EXPORT SIAGENT_FORK_CHILD_CODE int pthread_sigmask(int how, const sigset_t* set, sigset_t* previous) {
    return change_mask(real_pthread_sigmask.get(), how, set, previous);
}

SIAGENT_EXPORT SIAGENT_FORK_CHILD_CODE int sigprocmask(int how, const sigset_t* set, sigset_t* previous) {
    return change_mask(real_sigprocmask.get(), how, set, previous);
}

SIAGENT_EXPORT SIAGENT_FORK_CHILD_CODE int sigaction(int signal_number, const struct sigaction* action,
                             struct sigaction* previous) {
    if (!siagent::inside_agent() &&
        siagent::exchange_application_action(signal_number, action, previous))
        return 0;
    return real_sigaction.get()(signal_number, action, previous);
}

SIAGENT_EXPORT sighandler_t signal(int signal_number, sighandler_t handler) {
    if (handler == SIG_ERR || !siagent::agent_handles(signal_number))
        return real_signal.get()(signal_number, handler);
    return install_for_application(signal_number, bsd_action(signal_number, handler));
}

SIAGENT_EXPORT sighandler_t bsd_signal(int signal_number, sighandler_t handler) {
    if (handler == SIG_ERR || !siagent::agent_handles(signal_number))
        return real_bsd_signal.get()(signal_number, handler);
    return install_for_application(signal_number, bsd_action(signal_number, handler));
}

SIAGENT_EXPORT sighandler_t __sysv_signal(int signal_number, sighandler_t handler) {
    if (handler == SIG_ERR || !siagent::agent_handles(signal_number))
        return real_sysv_signal.get()(signal_number, handler);
    return install_for_application(signal_number, sysv_action(handler));
}

SIAGENT_EXPORT sighandler_t sysv_signal(int signal_number, sighandler_t handler) {
    return __sysv_signal(signal_number, handler);
}

// System V: SIG_HOLD blocks the signal and leaves the disposition; anything else installs
// it (no flags, nothing else blocked) and unblocks the signal. Returns SIG_HOLD when the
// signal was blocked before, else the previous disposition.
SIAGENT_EXPORT sighandler_t sigset(int signal_number, sighandler_t handler) {
    if (handler == SIG_ERR || !siagent::agent_handles(signal_number))
        return real_sigset.get()(signal_number, handler);
    sigset_t only, before;
    sigemptyset(&only);
    sigaddset(&only, signal_number);
    struct sigaction previous;
    if (handler == SIG_HOLD) {
        change_mask(real_sigprocmask.get(), SIG_BLOCK, &only, &before);
        siagent::exchange_application_action(signal_number, nullptr, &previous);
    } else {
        struct sigaction action = {};
        action.sa_handler = handler;
        sigemptyset(&action.sa_mask);
        siagent::exchange_application_action(signal_number, &action, &previous);
        change_mask(real_sigprocmask.get(), SIG_UNBLOCK, &only, &before);
    }
    return sigismember(&before, signal_number) == 1 ? SIG_HOLD : previous.sa_handler;
}
