// Crash records: on SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT, when the application has
// no handler of its own for the signal (its disposition in the handler table of
// core/signal_table.h is SIG_DFL), the crashing thread's stack is captured and a record is
// written to the spool directory (open/write/rename/close through raw system calls, from
// static buffers: no allocation, no lock). Then the process dies exactly as without the
// agent: a hardware fault returns with the default action restored, so the instruction
// faults again (same signal, same fault address in the core dump); a sent signal (abort(),
// kill) is raised again under the default action. When the application has a handler,
// that handler runs instead and nothing is recorded: it may recover (siglongjmp).
#pragma once

#include <csignal>
#include <string>

#include "core/config.h"

namespace siagent {

// Agent thread. Prepares the crash context and takes the five signals (once per process;
// later calls only refresh the context, e.g. a new spool directory after si_start).
// Records stay on after the agent stops: a crash during exit is recorded too.
bool install_crash_handlers(const Config& config, std::string& error);

// The signals, for tests and docs.
inline constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

}  // namespace siagent
