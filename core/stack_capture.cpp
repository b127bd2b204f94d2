#include "core/stack_capture.h"

#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <gnu/lib-names.h>
#include <link.h>
#include <libunwind.h>
#include <pthread.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/agent_guard.h"
#include "core/interrupted_code.h"
#include "core/stack_sample.h"
#include "core/unwinder_gate.h"

// The loader's entry for thread-local data: allocates the calling thread's block of a
// dynamically loaded module on its first access.
struct TlsIndex {
    unsigned long module;
    unsigned long offset;
};
extern "C" void* __tls_get_addr(TlsIndex* index);

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

// Slower path: a cursor started from `context` (a signal frame's, or the caller's own),
// leaving out the first `leading` frames. Every unw_step parses the caller's unwind
// information (cached by libunwind); it uses no thread-local data. `complete` tells
// whether the walk reached the outermost frame without crossing a signal frame.
CapturedStack step_from(unw_context_t* context, bool signal_frame, uint64_t* frames,
                        int max_frames, int leading, bool* complete = nullptr) {
    CapturedStack result;
    if (complete != nullptr) *complete = false;
    unw_cursor_t cursor;
    if (unw_init_local2(&cursor, context, signal_frame ? UNW_INIT_SIGNAL_FRAME : 0) < 0)
        return result;
    int step = 0;
    int seen = 0;
    bool crossed_signal_frame = false;
    do {
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0) break;
        if (seen++ < leading) continue;
        if (result.depth == max_frames) {
            result.truncated = true;
            return result;
        }
        if (result.depth > 0 && unw_is_signal_frame(&cursor) > 0) crossed_signal_frame = true;
        frames[result.depth++] = ip;
    } while ((step = unw_step(&cursor)) > 0);
    if (complete != nullptr) *complete = step == 0 && !crossed_signal_frame;
    return result;
}

CapturedStack step_from_context(const void* ucontext, uint64_t* frames, int max_frames) {
    auto* context = const_cast<unw_context_t*>(static_cast<const unw_context_t*>(ucontext));
    return step_from(context, true, frames, max_frames, 0);
}

// libunwind's thread-local data (its trace cache's pointer, 16 bytes) is dynamic: the
// agent library brings libunwind with it (every process that never loads the agent is
// spared libunwind and liblzma), so a thread's block of it is allocated, through the
// application's malloc, by the thread's first unw_backtrace. That must never happen in a
// signal that interrupted malloc or the loader (a deadlock on their own locks), so each
// thread gets its block first where no such lock can be held: in normal context
// (prepare_stack_capture, prepare_thread_unwinder), in a signal whose interrupted
// code holds none, or in an interposed call the application made directly
// (core/interrupted_code.h). Until then its stacks are taken with unw_step alone.
// Written once, by the first prepare_stack_capture.
std::atomic<unsigned long> unwinder_tls_module{0};  // 0: libunwind has no such data
std::atomic<bool> unwinder_tls_module_known{false};
thread_local constinit bool thread_unwinder_ready __attribute__((tls_model("initial-exec"))) =
    false;

// Whether another runtime stands between the program and the loader's __tls_get_addr. The
// sanitizers' runtimes do (AddressSanitizer, LeakSanitizer, ThreadSanitizer...): they record
// each thread's dynamic TLS blocks for their leak checks, and the one in gcc 12 guesses a
// block's bounds from the bytes before it when it sits 16 bytes into a page, as blocks from
// its own allocator often do; its leak check at exit then read far outside any mapping and
// ended the process (exit code 1). The agent then never touches dynamic TLS: its stacks are
// taken with unw_step, which uses none.
bool tls_lookups_intercepted() {
    void* resolved = dlsym(RTLD_DEFAULT, "__tls_get_addr");
    Dl_info definer{};
    if (resolved == nullptr || dladdr(resolved, &definer) == 0) return false;
    void* loader = dlopen(LD_SO, RTLD_LAZY | RTLD_NOLOAD);
    if (loader == nullptr) return false;
    link_map* loader_map = nullptr;
    const bool found = dlinfo(loader, RTLD_DI_LINKMAP, &loader_map) == 0 && loader_map != nullptr;
    dlclose(loader);
    return found && definer.dli_fbase != reinterpret_cast<void*>(loader_map->l_addr);
}

void find_unwinder_tls_module() {
    if (tls_lookups_intercepted()) return;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&unw_backtrace), &info) == 0 || info.dli_fname == nullptr)
        return;
    void* library = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (library == nullptr) return;
    size_t module = 0;
    if (dlinfo(library, RTLD_DI_TLS_MODID, &module) == 0) {
        unwinder_tls_module.store(module);
        unwinder_tls_module_known.store(true);
    }
    dlclose(library);
}

// Normal context, or where no allocator or loader lock can be held (see above).
void make_thread_unwinder_ready() {
    if (thread_unwinder_ready || !unwinder_tls_module_known.load(std::memory_order_relaxed)) return;
    if (unsigned long module = unwinder_tls_module.load(std::memory_order_relaxed)) {
        TlsIndex index{module, 0};
        __tls_get_addr(&index);
    }
    thread_unwinder_ready = true;
}

// What an unwind may take of the calling thread's stack below its own frame: libunwind's
// cursor, context and DWARF state, and its step functions (about 8 KiB measured, with the
// kernel's signal frame below the interrupted code on top of that), with room to spare.
constexpr size_t kUnwindStackBytes = 16 * 1024;
constexpr size_t kPageBytes = 4096;

// The span of this thread's stack found readable by the last checks, [low, high]: a check
// whose 16 KiB fall inside it needs no system call (one took several µs here, doubling the
// profiling handler's median). Only overlapping spans are joined, so the span never covers a
// gap (a coroutine's stack elsewhere gets checks of its own). Initial-exec: signal-safe.
thread_local constinit uintptr_t readable_low __attribute__((tls_model("initial-exec"))) = 0;
thread_local constinit uintptr_t readable_high __attribute__((tls_model("initial-exec"))) = 0;

// signal-safe, malloc-safe: whether the calling thread's stack has kUnwindStackBytes mapped
// and readable below here. Threads made with small stacks (16 to 64 KiB: worker pools, some
// runtimes) ran into their guard page inside libunwind, and the process died (SIGSEGV). One
// process_vm_readv over one byte of each page below: a guard page, or a gap, fails it. A
// kernel or filter that refuses the call (ENOSYS, EPERM) says nothing: then there is room.
bool stack_room_for_unwind() {
    constexpr int kPages = kUnwindStackBytes / kPageBytes;
    const uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    const uintptr_t needed_low = here - kUnwindStackBytes;
    if (needed_low >= readable_low && here <= readable_high) return true;
    char bytes[kPages];
    iovec local{bytes, sizeof bytes};
    iovec remote[kPages];
    for (int page = 0; page < kPages; ++page)
        remote[page] = {reinterpret_cast<void*>(here - (page + 1) * kPageBytes), 1};
    const int saved_errno = errno;
    const ssize_t read = process_vm_readv(getpid(), &local, 1, remote, kPages, 0);
    const bool refused = read < 0 && (errno == ENOSYS || errno == EPERM);
    errno = saved_errno;
    if (read != kPages) return refused;
    if (needed_low <= readable_high && here >= readable_low && readable_high != 0) {
        if (needed_low < readable_low) readable_low = needed_low;
        if (here > readable_high) readable_high = here;
    } else {
        readable_low = needed_low;
        readable_high = here;
    }
    return true;
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
    static std::once_flag module_found;
    std::call_once(module_found, find_unwinder_tls_module);
    make_thread_unwinder_ready();
    AgentScope agent_code;
    UnwinderEntry unwinder;
    void* warm_up[4];
    if (unwinder.admitted() && thread_unwinder_ready) unw_backtrace(warm_up, 4);
    std::call_once(keys_checked, check_key_numbers);
}

void prepare_thread_unwinder() { make_thread_unwinder_ready(); }

void prepare_thread_stack_capture() {
    make_thread_unwinder_ready();
    // Most threads of thread-churning programs are never sampled: they then never pay for
    // a trace cache (an mmap of 256 KiB, filled, and unmapped at thread exit).
    if (!first_signal_builds_thread_state.load(std::memory_order_relaxed)) prepare_stack_capture();
}

void prepare_interrupted_thread_stack_capture(const void* ucontext) {
    if (thread_unwinder_ready || !unwinder_tls_module_known.load(std::memory_order_relaxed))
        return;
    if (interrupted_code_holds_no_lock(ucontext)) make_thread_unwinder_ready();
}

namespace {

// The unwinds themselves, with their large frames (libunwind's cursor and context, the raw
// frame array): out of line, so that the callers' own frames stay small until the room
// check has passed.
__attribute__((noinline)) CapturedStack unwind_interrupted_stack(const void* ucontext, uint64_t* frames,
                                                                int max_frames) {
    if (!thread_unwinder_ready) return step_from_context(ucontext, frames, max_frames);
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

// `leading`: return addresses to leave out, counting this function's own first.
__attribute__((noinline)) CapturedStack unwind_current_stack(uint64_t* frames, int max_frames,
                                                            int leading) {
    if (!thread_unwinder_ready) {
        unw_context_t context;
        if (unw_getcontext(&context) < 0) return {};
        bool complete = false;
        CapturedStack result = step_from(&context, false, frames, max_frames, leading, &complete);
        // A call the application made itself, holding no allocator lock: the fast path's
        // thread-local data can be allocated here, for this thread's next stacks.
        if (complete && call_holds_no_lock(frames, result.depth)) make_thread_unwinder_ready();
        return result;
    }
    void* raw[kMaxRawFrames];
    int capacity = max_frames + leading;
    int captured = unw_backtrace(raw, capacity);
    CapturedStack result;
    if (captured <= leading) return result;
    result.depth = captured - leading;
    result.truncated = captured == capacity;
    memcpy(frames, raw + leading, result.depth * sizeof(uint64_t));
    return result;
}

}  // namespace

CapturedStack capture_interrupted_stack(const void* ucontext, uint64_t* frames, int max_frames) {
    AgentScope agent_code;
    UnwinderEntry unwinder;
    if (!unwinder.admitted()) return {};
    if (!stack_room_for_unwind()) {
        // The interrupted function alone, marked truncated: no unwind on this stack.
        CapturedStack only_pc;
        if (max_frames > 0 && (frames[0] = interrupted_pc(ucontext)) != 0) only_pc.depth = 1;
        only_pc.truncated = true;
        return only_pc;
    }
    return unwind_interrupted_stack(ucontext, frames, max_frames);
}

CapturedStack capture_current_stack(uint64_t* frames, int max_frames, int skip) {
    AgentScope agent_code;
    UnwinderEntry unwinder;
    if (!unwinder.admitted()) return {};
    if (!stack_room_for_unwind()) {
        CapturedStack none;
        none.truncated = true;
        return none;
    }
    if (max_frames > kMaxStackFrames) max_frames = kMaxStackFrames;
    if (skip < 0) skip = 0;
    if (skip > kHandlerFrames) skip = kHandlerFrames;
    // +2: the walk reports unwind_current_stack's return address (into this function) and
    // this function's own first.
    CapturedStack result = unwind_current_stack(frames, max_frames, skip + 2);
    asm volatile("" ::: "memory");  // keeps the call above a call, not a jump: its frame counts
    return result;
}

}  // namespace siagent
