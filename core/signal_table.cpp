#include "core/signal_table.h"

#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/fork_child_code.h"
#include "core/interruptions.h"
#include "core/next_symbol.h"
#include "core/thread_id.h"

namespace siagent {
namespace {

using SigactionFunction = int (*)(int, const struct sigaction*, struct sigaction*);

struct Entry {
    std::atomic<AgentHandler> agent{nullptr};  // set once the agent handles the signal
    std::atomic<uint32_t> sequence{0};         // writes so far; copies[sequence & 1] is current
    std::atomic_flag writing = ATOMIC_FLAG_INIT;
    struct sigaction copies[2] = {};           // the application's disposition
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

// signal-safe (see the header's concurrency note).
SIAGENT_FORK_CHILD_CODE void write_action(Entry& entry, const struct sigaction& action) {
    sigset_t all, previous;
    sigfillset(&all);
    kernel_mask(SIG_BLOCK, &all, &previous);
    while (entry.writing.test_and_set(std::memory_order_acquire)) {
    }
    uint32_t next = entry.sequence.load(std::memory_order_relaxed) + 1;
    memcpy(&entry.copies[next & 1], &action, sizeof action);
    entry.sequence.store(next, std::memory_order_release);
    entry.writing.clear(std::memory_order_release);
    kernel_mask(SIG_SETMASK, &previous, nullptr);
}

// signal-safe.
SIAGENT_FORK_CHILD_CODE void read_action(const Entry& entry, struct sigaction& action) {
    for (;;) {
        uint32_t before = entry.sequence.load(std::memory_order_acquire);
        memcpy(&action, &entry.copies[before & 1], sizeof action);
        std::atomic_thread_fence(std::memory_order_acquire);
        // One write since only touched the other copy; two may have touched this one.
        if (entry.sequence.load(std::memory_order_relaxed) - before < 2) return;
    }
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
    if (entry->agent.load() == nullptr) {
        // Whatever is installed now (the default, or a handler the application set before
        // the agent started) is the application's.
        struct sigaction current = {};
        if (real(signal_number, nullptr, &current) != 0) return errno;
        write_action(*entry, current);
    }
    entry->agent.store(handler, std::memory_order_release);
    struct sigaction mine = {};
    mine.sa_sigaction = handler;
    // SA_RESTART: calls the kernel can restart are restarted, not failed with EINTR.
    // SA_ONSTACK: a crash handler must run on the alternate stack when there is one.
    mine.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    sigemptyset(&mine.sa_mask);
    return real(signal_number, &mine, nullptr) == 0 ? 0 : errno;
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
    if (action != nullptr) write_action(entry, *action);
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
    struct sigaction action;
    read_action(*entry, action);
    if (action.sa_handler == SIG_IGN) return;
    if (action.sa_handler == SIG_DFL) {
        default_action(signal_number);
        return;
    }
    if ((action.sa_flags & SA_RESETHAND) != 0) {
        struct sigaction reset = {};
        reset.sa_handler = SIG_DFL;
        sigemptyset(&reset.sa_mask);
        write_action(*entry, reset);
    }
    sigset_t blocked = action.sa_mask, previous;
    if ((action.sa_flags & SA_NODEFER) == 0) sigaddset(&blocked, signal_number);
    kernel_mask(SIG_BLOCK, &blocked, &previous);
    if ((action.sa_flags & SA_SIGINFO) != 0) action.sa_sigaction(signal_number, info, ucontext);
    else action.sa_handler(signal_number);
    kernel_mask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace siagent
