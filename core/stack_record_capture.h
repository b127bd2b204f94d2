// The capture step every sampler's hot path shares: a ring record's StackRecord filled with
// the calling thread's stack, its kernel id and its innermost open span. The profiler
// claims the record, calls one of these, writes its own fields and publishes.
//
// signal-safe, malloc-safe (as capture_current_stack / capture_interrupted_stack). Always
// inlined: `skip` counts the caller's frames, as if the caller captured itself.
#pragma once

#include "core/span_table.h"
#include "core/stack_capture.h"
#include "core/stack_sample.h"
#include "core/thread_id.h"

namespace siagent {

[[gnu::always_inline]] inline void fill_stack_record(StackRecord& record, const CapturedStack& stack) {
    record.thread_id = current_thread_id();
    record.span = current_span();
    record.depth = static_cast<uint16_t>(stack.depth);
    record.truncated = stack.truncated ? 1 : 0;
}

// The calling code's stack (frames[0] a call site), leaving out its innermost `skip` frames.
[[gnu::always_inline]] inline CapturedStack record_current_stack(StackRecord& record, int max_frames,
                                                                 int skip) {
    CapturedStack stack = capture_current_stack(record.frames, max_frames, skip);
    fill_stack_record(record, stack);
    return stack;
}

// The stack of the code the signal interrupted (the handler's `ucontext`).
[[gnu::always_inline]] inline CapturedStack record_interrupted_stack(StackRecord& record,
                                                                     const void* ucontext,
                                                                     int max_frames) {
    CapturedStack stack = capture_interrupted_stack(ucontext, record.frames, max_frames);
    fill_stack_record(record, stack);
    return stack;
}

}  // namespace siagent
