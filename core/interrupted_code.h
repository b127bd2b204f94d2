// Whether the code a signal interrupted can hold a lock that the C runtime's allocator or
// loader takes: the rule that lets a signal handler make a thread (the start alarm,
// core/cpu/start_alarm.h) or allocate a thread's unwinder state (core/stack_capture.h).
//
// "Holds no such lock" means, for the interrupted thread's whole stack: unwound to the end;
// no signal frame (the application was not in a handler of its own); not in agent code;
// interrupted either in the application's code or in a libc system call wrapper (the
// instruction before the PC is a system call) called by the application or by one of the
// agent's interposers; from the application's first frame on, no frame of the C runtime
// (libc, the loader, libstdc++, libgcc, libunwind, the agent's libraries, the allocator's
// library) except the outermost three (the thread's start: _start, __libc_start_main,
// start_thread, clone3). Anything else (malloc, which the agent's interposer enters by a
// tail call and so leaves no frame of its own; a callback from libc; ld.so) may hold one.
#pragma once

#include <cstdint>

namespace siagent {

// Normal context, once per process before any signal asks: remembers the address ranges of
// the C runtime's libraries and the agent's (libraries loaded later count as application),
// and of the library of `allocator`, the application's malloc. An allocator built into the
// program looks like the application's own code: then no code is ever judged lock-free.
void remember_runtime_code(const void* allocator);

// signal-safe, malloc-safe: whether remember_runtime_code found the runtime's ranges (and
// the allocator in a library of its own), so that the rule can answer yes at all.
bool runtime_code_known();

// signal-safe, malloc-safe: the rule above for the context `ucontext` (a handler's third
// argument). False inside agent code and before remember_runtime_code.
bool interrupted_code_holds_no_lock(const void* ucontext);

// signal-safe, malloc-safe: the same rule for a call into one of the agent's interposers,
// from the `depth` return addresses of the whole stack (innermost first: the agent's own
// frames, then the interposer's caller, which must be the application; outermost last),
// taken with no signal frame among them.
bool call_holds_no_lock(const uint64_t* frames, int depth);

}  // namespace siagent
