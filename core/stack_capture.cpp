#include "core/stack_capture.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>
#include <ucontext.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include "core/agent_guard.h"
#include "core/stack_sample.h"
#include "core/unwinder_gate.h"

namespace siagent {
namespace {

// Frames the handler itself adds above the interrupted one: the handler, the capture
// function, libunwind's entry, and the kernel's signal trampoline, with room to spare.
constexpr int kHandlerFrames = 8;
constexpr int kMaxRawFrames = kMaxStackFrames + kHandlerFrames;

uint64_t interrupted_pc(const void* ucontext) {
#if defined(__x86_64__)
    return static_cast<const ucontext_t*>(ucontext)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return static_cast<const ucontext_t*>(ucontext)->uc_mcontext.pc;
#else
    return 0;
#endif
}

// Slower path: a cursor started from the signal frame itself. Every unw_step parses the
// caller's unwind information (cached by libunwind).
CapturedStack step_from_context(const void* ucontext, uint64_t* frames, int max_frames) {
    CapturedStack result;
    unw_cursor_t cursor;
    auto* context = const_cast<unw_context_t*>(static_cast<const unw_context_t*>(ucontext));
    if (unw_init_local2(&cursor, context, UNW_INIT_SIGNAL_FRAME) < 0) return result;
    do {
        if (result.depth == max_frames) {
            result.truncated = true;
            break;
        }
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0) break;
        frames[result.depth++] = ip;
    } while (unw_step(&cursor) > 0);
    return result;
}

}  // namespace

// Every entry into libunwind is agent code (AgentScope): libunwind takes its own mutex and
// masks signals with sigprocmask around it, and both calls are interposed (blocking and
// signal profilers). Were they profiled, a contended libunwind lock would unwind again into
// the same lock (self-deadlock), and SIGPROF would be unmasked inside it. It is also an
// UnwinderEntry: the pipe libunwind opens to validate memory is then answered without a
// file descriptor (core/unwinder_memory.h), and no fork copies libunwind's locks held
// (core/unwinder_gate.h).

namespace {

// Whether a thread's first signal may build its trace cache itself: its only non-signal-
// safe step, pthread_setspecific, allocates only for keys past glibc's first block of 32.
// libunwind's key exists after the first warm-up; a key made after it tells how high
// keys are. Written once, by the first prepare_stack_capture() (the library constructor).
std::atomic<bool> first_signal_builds_thread_state{false};
std::once_flag keys_checked;

void check_key_numbers() {
    pthread_key_t probe;
    if (pthread_key_create(&probe, nullptr) != 0) return;
    first_signal_builds_thread_state.store(probe < 32, std::memory_order_relaxed);
    pthread_key_delete(probe);
}

}  // namespace

void prepare_stack_capture() {
    AgentScope agent_code;
    UnwinderEntry unwinder;
    void* warm_up[4];
    if (unwinder.admitted()) unw_backtrace(warm_up, 4);
    std::call_once(keys_checked, check_key_numbers);
}

void prepare_thread_stack_capture() {
    // Most threads of thread-churning programs are never sampled: they then never pay for
    // a trace cache (an mmap of 256 KiB, filled, and unmapped at thread exit).
    if (!first_signal_builds_thread_state.load(std::memory_order_relaxed)) prepare_stack_capture();
}

CapturedStack capture_interrupted_stack(const void* ucontext, uint64_t* frames, int max_frames) {
    AgentScope agent_code;
    UnwinderEntry unwinder;
    if (!unwinder.admitted()) return {};
    // Fast path: unw_backtrace walks from here with libunwind's per-thread trace cache
    // (frame layouts remembered by address), through the signal trampoline, into the
    // interrupted code. The frames above the interrupted PC are ours and are cut off.
    if (max_frames > kMaxStackFrames) max_frames = kMaxStackFrames;
    void* raw[kMaxRawFrames];
    int capacity = max_frames + kHandlerFrames;
    int captured = unw_backtrace(raw, capacity);
    uint64_t pc = interrupted_pc(ucontext);
    for (int start = 0; start < captured && start < kHandlerFrames; ++start) {
        if (reinterpret_cast<uint64_t>(raw[start]) != pc) continue;
        CapturedStack result;
        result.depth = captured - start;
        result.truncated = captured == capacity || result.depth > max_frames;
        if (result.depth > max_frames) result.depth = max_frames;
        memcpy(frames, raw + start, result.depth * sizeof(uint64_t));
        return result;
    }
    // The trampoline was not recognized (or the PC sits in a frame libunwind's fast path
    // cannot describe): unwind from the saved context instead.
    return step_from_context(ucontext, frames, max_frames);
}

CapturedStack capture_current_stack(uint64_t* frames, int max_frames, int skip) {
    AgentScope agent_code;
    UnwinderEntry unwinder;
    if (!unwinder.admitted()) return {};
    if (max_frames > kMaxStackFrames) max_frames = kMaxStackFrames;
    if (skip < 0) skip = 0;
    if (skip > kHandlerFrames) skip = kHandlerFrames;
    void* raw[kMaxRawFrames];
    // +1: unw_backtrace reports this function's own return address first.
    int leading = skip + 1;
    int capacity = max_frames + leading;
    int captured = unw_backtrace(raw, capacity);
    CapturedStack result;
    if (captured <= leading) return result;
    result.depth = captured - leading;
    result.truncated = captured == capacity;
    memcpy(frames, raw + leading, result.depth * sizeof(uint64_t));
    return result;
}

}  // namespace siagent
