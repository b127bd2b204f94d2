// Capturing the call stack of the code a signal interrupted.
#pragma once

#include <cstdint>

namespace siagent {

struct CapturedStack {
    int depth = 0;
    bool truncated = false;
};

// Makes libunwind's lazily built state exist before a signal needs it, so the handler does
// not build it: its process-wide key and lock (first call in the process), the calling
// thread's thread-local data of libunwind, and its trace cache (an mmap and a
// pthread_setspecific, which may allocate when the process already has many thread keys).
// Call it in the library constructor, as early as possible. Not signal-safe.
void prepare_stack_capture();

// For every new thread at its start, whatever profilers run: allocates its thread-local
// data of libunwind (16 bytes), so its stacks take the fast path from the first. Not
// signal-safe.
void prepare_thread_unwinder();

// For a new thread before its CPU timer is armed: builds its trace cache now only when its
// first signal could not do so safely (the process had many thread keys when libunwind
// made its own). Not signal-safe.
void prepare_thread_stack_capture();

// signal-safe: from a handler, before capture_interrupted_stack. Until a thread has
// libunwind's thread-local data (a dynamically loaded library's, allocated through malloc
// on first use), its stacks are taken by the slower unw_step walk; this allocates it when
// the interrupted code holds no allocator or loader lock (core/interrupted_code.h), and
// does nothing otherwise. Not for handlers that must not allocate at all (a crash).
void prepare_interrupted_thread_stack_capture(const void* ucontext);

// signal-safe, malloc-safe: no allocation, no locks of ours (libunwind's own caches mask
// signals while they hold a lock). Writes at most `max_frames` addresses of the
// interrupted context `ucontext` (the handler's third argument): frames[0] is the
// interrupted instruction, frames[1..] return addresses, outermost last.
CapturedStack capture_interrupted_stack(const void* ucontext, uint64_t* frames, int max_frames);

// signal-safe, malloc-safe, except that a call the application made itself (the rule in
// core/interrupted_code.h) may allocate the thread's libunwind data, once per thread.
// Writes at most `max_frames` return addresses of the calling
// code, leaving out the innermost `skip` frames (this function's own frame is always left
// out): frames[0] is the return address into the caller's caller when skip is 0.
// For interposed calls (malloc, read, __cxa_throw), where frames[0] is then a call site.
CapturedStack capture_current_stack(uint64_t* frames, int max_frames, int skip);

}  // namespace siagent
