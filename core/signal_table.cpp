#include "core/signal_table.h"

#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/fork_child_code.h"
#include "core/interruptions.h"
#include "core/next_symbol.h"
#include "core/thread_id.h"

namespace siagent {
namespace {

using SigactionFunction = int (*)(int, const struct sigaction*, struct sigaction*);

// One recorded disposition: the application's, and the mask the agent's handler was
// installed with in the kernel at the same time (handler_mask_of below).
struct Disposition {
    struct sigaction application = {};
    sigset_t handler_mask = {};
};

struct Entry {
    std::atomic<AgentHandler> agent{nullptr};  // set once the agent handles the signal
    std::atomic<uint32_t> sequence{0};         // writes so far; copies[sequence & 1] is current
    std::atomic_flag writing = ATOMIC_FLAG_INIT;
    Disposition copies[2] = {};
};

Entry entries[_NSIG];
// libc's sigaction, not the interposed one; resolved by install_agent_handler.
std::atomic<SigactionFunction> real_sigaction{nullptr};

// The kernel's mask calls directly: the interposed pthread_sigmask would keep the
// profiling signal unblocked, and these must block everything. signal-safe.
SIAGENT_FORK_CHILD_CODE void kernel_mask(int how, const sigset_t* set, sigset_t* previous) {
    syscall(SYS_rt_sigprocmask, how, set, previous, _NSIG / 8);
}

SIAGENT_FORK_CHILD_CODE Entry* entry_for(int signal_number) {
    if (signal_number <= 0 || signal_number >= _NSIG) return nullptr;
    return &entries[signal_number];
}

// The mask the agent's handler is installed with while the application's disposition is
// `action`: the application's own sa_mask, so that the kernel blocks on delivery what the
// application's handler expects and chain_to_application has no mask to change (two system
// calls per delivery: a JVM takes a SIGSEGV at every implicit null check), less the signals
// of faults (a fault inside the agent's handler must not meet them blocked: the kernel
// would end the process).
SIAGENT_FORK_CHILD_CODE sigset_t handler_mask_of(const struct sigaction& action) {
    sigset_t mask = action.sa_mask;
    for (int fault : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP}) sigdelset(&mask, fault);
    return mask;
}

// libc's sigaction call that installs the agent's handler with `mask`. signal-safe.
SIAGENT_FORK_CHILD_CODE int install_in_kernel(int signal_number, AgentHandler handler, const sigset_t& mask) {
    SigactionFunction real = real_sigaction.load(std::memory_order_relaxed);
    if (real == nullptr) return ENOSYS;
    struct sigaction mine = {};
    mine.sa_sigaction = handler;
    // SA_RESTART: calls the kernel can restart are restarted, not failed with EINTR.
    // SA_ONSTACK: a crash handler must run on the alternate stack when there is one.
    mine.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    mine.sa_mask = mask;
    return real(signal_number, &mine, nullptr) == 0 ? 0 : errno;
}

// signal-safe (see the header's concurrency note). Records the application's `action`;
// where the agent's handler is installed, installs it again with the mask that goes with
// that action (handler_mask_of), inside the same write, so that a reader finds the two
// together. Returns 0 or the installation's errno value.
SIAGENT_FORK_CHILD_CODE int write_action(Entry& entry, int signal_number, const struct sigaction& action) {
    sigset_t all, previous;
    sigfillset(&all);
    kernel_mask(SIG_BLOCK, &all, &previous);
    while (entry.writing.test_and_set(std::memory_order_acquire)) {
    }
    const uint32_t current = entry.sequence.load(std::memory_order_relaxed);
    Disposition next{action, entry.copies[current & 1].handler_mask};
    int failure = 0;
    if (AgentHandler handler = entry.agent.load(std::memory_order_acquire)) {
        const sigset_t mask = handler_mask_of(action);
        failure = install_in_kernel(signal_number, handler, mask);
        if (failure == 0) next.handler_mask = mask;
    }
    memcpy(&entry.copies[(current + 1) & 1], &next, sizeof next);
    entry.sequence.store(current + 1, std::memory_order_release);
    entry.writing.clear(std::memory_order_release);
    kernel_mask(SIG_SETMASK, &previous, nullptr);
    return failure;
}

// signal-safe.
SIAGENT_FORK_CHILD_CODE void read_disposition(const Entry& entry, Disposition& disposition) {
    for (;;) {
        uint32_t before = entry.sequence.load(std::memory_order_acquire);
        memcpy(&disposition, &entry.copies[before & 1], sizeof disposition);
        std::atomic_thread_fence(std::memory_order_acquire);
        // One write since only touched the other copy; two may have touched this one.
        if (entry.sequence.load(std::memory_order_relaxed) - before < 2) return;
    }
}

// signal-safe.
SIAGENT_FORK_CHILD_CODE void read_action(const Entry& entry, struct sigaction& action) {
    Disposition disposition;
    read_disposition(entry, disposition);
    action = disposition.application;
}

// The kernel's part of a sigset_t: signals 1 to 64, signal n at bit n - 1.
uint64_t kernel_bits(const sigset_t& set) {
    uint64_t bits;
    memcpy(&bits, &set, sizeof bits);
    return bits;
}

// Whether `a` and `b` block the same signals once `signal_number` is added to both.
// signal-safe.
bool same_with(const sigset_t& a, const sigset_t& b, int signal_number) {
    const uint64_t bit = uint64_t{1} << (signal_number - 1);
    return (kernel_bits(a) | bit) == (kernel_bits(b) | bit);
}

bool ignored_by_default(int signal_number) {
    return signal_number == SIGCHLD || signal_number == SIGCONT || signal_number == SIGURG ||
           signal_number == SIGWINCH;
}

// signal-safe. The default action of a signal the agent's handler caught: remove the
// handler, unblock the signal, and send it again to this thread.
void default_action(int signal_number) {
    if (ignored_by_default(signal_number)) return;
    struct sigaction fallback = {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    if (SigactionFunction real = real_sigaction.load(std::memory_order_relaxed))
        real(signal_number, &fallback, nullptr);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal_number);
    kernel_mask(SIG_UNBLOCK, &only, nullptr);
    tgkill(getpid(), current_thread_id(), signal_number);
}

}  // namespace

int install_agent_handler(int signal_number, AgentHandler handler) {
    Entry* entry = entry_for(signal_number);
    if (entry == nullptr || signal_number == SIGKILL || signal_number == SIGSTOP) return EINVAL;
    SigactionFunction real = real_sigaction.load();
    if (real == nullptr) {
        real = reinterpret_cast<SigactionFunction>(next_symbol("sigaction"));
        if (real == nullptr) return ENOSYS;
        real_sigaction.store(real);
    }
    struct sigaction application = {};
    if (entry->agent.load() == nullptr) {
        // Whatever is installed now (the default, or a handler the application set before
        // the agent started) is the application's.
        if (real(signal_number, nullptr, &application) != 0) return errno;
    } else {
        read_action(*entry, application);
    }
    entry->agent.store(handler, std::memory_order_release);
    // Recording it installs the agent's handler, with the mask that goes with it.
    return write_action(*entry, signal_number, application);
}

SIAGENT_FORK_CHILD_CODE bool agent_handles(int signal_number) {
    Entry* entry = entry_for(signal_number);
    return entry != nullptr && entry->agent.load(std::memory_order_acquire) != nullptr;
}

SIAGENT_FORK_CHILD_CODE bool exchange_application_action(int signal_number, const struct sigaction* action,
                                                         struct sigaction* previous) {
    if (!agent_handles(signal_number)) return false;
    Entry& entry = entries[signal_number];
    if (previous != nullptr) read_action(entry, *previous);
    if (action != nullptr) write_action(entry, signal_number, *action);
    return true;
}

SIAGENT_FORK_CHILD_CODE bool application_takes(int signal_number) {
    Entry* entry = entry_for(signal_number);
    if (entry == nullptr) return false;
    struct sigaction action;
    read_action(*entry, action);
    return action.sa_handler != SIG_DFL;
}

void chain_to_application(int signal_number, siginfo_t* info, void* ucontext) {
    Entry* entry = entry_for(signal_number);
    if (entry == nullptr) return;
    // A blocking call this delivery interrupted must fail with EINTR as it would have.
    ++application_signals;
    Disposition disposition;
    read_disposition(*entry, disposition);
    const struct sigaction& action = disposition.application;
    if (action.sa_handler == SIG_IGN) return;
    if (action.sa_handler == SIG_DFL) {
        default_action(signal_number);
        return;
    }
    if ((action.sa_flags & (SA_RESETHAND | SA_NODEFER)) == 0 &&
        same_with(action.sa_mask, disposition.handler_mask, signal_number)) {
        // The kernel blocked for this delivery what the application's handler expects.
        if ((action.sa_flags & SA_SIGINFO) != 0) action.sa_sigaction(signal_number, info, ucontext);
        else action.sa_handler(signal_number);
        return;
    }
    if ((action.sa_flags & SA_RESETHAND) != 0) {
        struct sigaction reset = {};
        reset.sa_handler = SIG_DFL;
        sigemptyset(&reset.sa_mask);
        write_action(*entry, signal_number, reset);
    }
    sigset_t blocked = action.sa_mask, previous;
    if ((action.sa_flags & SA_NODEFER) == 0) sigaddset(&blocked, signal_number);
    kernel_mask(SIG_BLOCK, &blocked, &previous);
    if ((action.sa_flags & SA_SIGINFO) != 0) action.sa_sigaction(signal_number, info, ucontext);
    else action.sa_handler(signal_number);
    kernel_mask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace siagent
