// Capturing the call stack of the code a signal interrupted.
#pragma once

#include <cstdint>

namespace siagent {

struct CapturedStack {
    int depth = 0;
    bool truncated = false;
};

// Makes libunwind's lazily built state (its per-thread trace cache, the loaded-object
// list) exist before the first signal arrives, so the handler does not build it.
// Agent thread or constructor.
void prepare_stack_capture();

// signal-safe, malloc-safe: no allocation, no locks of ours (libunwind's own caches mask
// signals while they hold a lock). Writes at most `max_frames` addresses of the
// interrupted context `ucontext` (the handler's third argument): frames[0] is the
// interrupted instruction, frames[1..] return addresses, outermost last.
CapturedStack capture_interrupted_stack(const void* ucontext, uint64_t* frames, int max_frames);

}  // namespace siagent
