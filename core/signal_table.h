// The handler table: signals the agent handles itself, next to what the application
// installed for them.
//
// For a signal the agent takes with install_agent_handler (SIGPROF for the CPU profiler;
// SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT for the crash reporter), the agent's handler
// stays installed in the kernel for the life of the process. The application's
// sigaction/signal/sigset for that signal (preload/signals.cpp) only change this table,
// and read it back, so the application sees exactly what it installed. The agent's
// handler deals with the deliveries that are its own and hands every other one to
// chain_to_application, which acts as the kernel would have with the application's
// disposition: its handler with its flags and mask, SIG_IGN, or SIG_DFL.
//
// Concurrency: entries are written by the application's sigaction calls (any thread,
// possibly inside a signal handler) and read by signal handlers. Writers are serialized
// by a per-signal spin flag taken with every signal blocked (a handler on the same thread
// can never wait for it); readers never wait: each entry keeps two copies and a sequence
// number, a reader copies the current one and retries if two writes passed meanwhile.
#pragma once

#include <signal.h>

namespace siagent {

using AgentHandler = void (*)(int, siginfo_t*, void*);

// Installs `handler` for `signal_number` in the kernel (SA_SIGINFO | SA_RESTART |
// SA_ONSTACK) and keeps the disposition that was there as the application's. The handler's
// mask is the application's sa_mask less the fault signals (SIGSEGV, SIGBUS, SIGILL,
// SIGFPE, SIGTRAP), and follows the application's later sigaction calls, so that the kernel
// blocks on delivery what the application's handler expects and chain_to_application runs
// it without a mask system call. Installing again replaces the agent's handler. Returns 0
// or an errno value. Not signal-safe (first use resolves the real sigaction).
int install_agent_handler(int signal_number, AgentHandler handler);

// signal-safe. Whether the agent's handler owns `signal_number`.
bool agent_handles(int signal_number);

// signal-safe. The application's sigaction for a signal the agent handles: reports the
// application's previous disposition in `previous` and records `action`; in the kernel the
// agent's handler stays, installed again with `action`'s mask (above). Returns false (and
// does nothing) for signals the agent does not handle.
bool exchange_application_action(int signal_number, const struct sigaction* action,
                                 struct sigaction* previous);

// signal-safe. The application's disposition is a handler or SIG_IGN (not SIG_DFL).
bool application_takes(int signal_number);

// signal-safe. From the agent's handler, for a delivery that is not the agent's: does
// what the application's disposition says. A handler runs with the application's sa_mask
// (and the signal itself unless SA_NODEFER) blocked, gets (signal) or (signal, info,
// ucontext) as SA_SIGINFO says, and SA_RESETHAND resets the recorded disposition first.
// SIG_IGN does nothing. SIG_DFL does the default: nothing for signals ignored by default,
// otherwise the agent's handler is removed and the signal raised again, so the process
// ends (with a core where the default would dump one) exactly as without the agent.
void chain_to_application(int signal_number, siginfo_t* info, void* ucontext);

}  // namespace siagent
