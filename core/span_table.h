// Spans: named pieces of work an application marks (si_span_begin / si_span_end). This is
// the hot path and the process-wide tables it writes:
// - names, interned once into a bounded lock-free table (ids 1..kMaxSpanNames; later
//   names share the id kOtherSpan, reported as "other");
// - per name: count, total and max time, abandoned spans and a latency histogram, all
//   relaxed atomics merged across threads;
// - per thread (initial-exec TLS): the stack of open spans, so that a profiling signal,
//   an allocation hook or a blocking-call hook can read the innermost span's id.
//
// Producers: any application thread (begin/end, thread exit). Consumer: the agent thread
// (take_span_summaries, span_name). Nothing here allocates, locks or waits: everything is
// signal-safe and malloc-safe unless it says otherwise.
#pragma once

#include <atomic>
#include <cstdint>

namespace siagent {

inline constexpr int kMaxSpanNames = 256;
inline constexpr uint16_t kNoSpan = 0;
inline constexpr uint16_t kOtherSpan = kMaxSpanNames + 1;
inline constexpr int kMaxSpanDepth = 32;      // deeper spans are counted as too deep, not recorded
inline constexpr int kMaxSpanNameBytes = 64;  // longer names are cut (with the terminator)

// One open span of the calling thread.
struct OpenSpan {
    uint64_t start_ticks = 0;  // ticks_now() (core/tick_clock.h): TSC or nanoseconds
    uint32_t sequence = 0;  // matches the handle, so a stale or foreign handle is ignored
    uint16_t id = 0;
    uint8_t profiled = 0;
};

// The calling thread's open spans. Written only by its own thread; read by that thread's
// signal handler, which may interrupt begin/end: `depth` is raised only after the entry
// is complete and lowered before it is reused (compiler fences, same thread).
struct ThreadSpans {
    OpenSpan open[kMaxSpanDepth];
    uint32_t depth = 0;
    uint32_t sequence = 0;
    uint32_t profiled_depth = 0;  // open spans that asked for focused profiling
    int focus_timer = -1;         // kernel id of the focused-sampling timer, -1 for none
    uint32_t focus_generation = 0;
};

extern thread_local constinit ThreadSpans thread_spans __attribute__((tls_model("initial-exec")));

// signal-safe, malloc-safe. The innermost open span of the calling thread, or kNoSpan.
inline uint16_t current_span() {
    uint32_t depth = thread_spans.depth;
    return depth == 0 ? kNoSpan : thread_spans.open[depth - 1].id;
}

// The id of `name` (interned on first use; kOtherSpan once the table is full).
uint16_t intern_span_name(const char* name);

// Opens a span on the calling thread; returns its handle (never 0), or 0 when spans nest
// deeper than kMaxSpanDepth. `profiled` asks for focused CPU sampling while it is open.
uint64_t begin_span(const char* name, bool profiled);
// Closes the span `handle` names, and any span opened inside it and still open (counted
// as abandoned). Ignores 0, a span already closed and a handle from another thread.
void end_span(uint64_t handle);
// At thread exit: every span still open is closed and counted as abandoned.
void abandon_thread_spans();

// Agent thread (or any thread, not signal-safe for the result's lifetime): the name of
// `id`, "other" for kOtherSpan, empty for an unknown id.
const char* span_name(uint16_t id);

// What focused sampling needs from the CPU profiler (core/cpu/cpu_profiler.cpp): start or stop
// the calling thread's extra timer. signal-safe, malloc-safe.
void start_focused_sampling(ThreadSpans& spans);
void stop_focused_sampling(ThreadSpans& spans);

}  // namespace siagent
