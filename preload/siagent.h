/* siagent: continuous profiler for native programs. Public C API.
 *
 * Most programs need none of this: `LD_PRELOAD=libsiagent.so ./app` starts the agent from
 * the SI_* environment variables (docs/configuration.md). A program that links
 * libsiagent.so instead starts and stops the agent itself:
 *
 *     const char *options[] = {"SI_APP_NAME=checkout", "SI_OUTPUT_DIR=/var/lib/prof", NULL};
 *     if (si_start(options) != SIAGENT_OK) ...;
 *     ...
 *     si_destroy();
 *
 * Options are the same names and forms as the environment variables; an option given
 * here wins over the variable of the same name. Invalid values are reported on stderr
 * and replaced by the default, exactly as for the environment.
 *
 * Spans mark a piece of work; the agent reports each name's count and latency
 * percentiles, and labels the samples taken inside (pprof label "span"):
 *
 *     si_span_t span = si_span_begin("handle_request");
 *     ...
 *     si_span_end(span);
 *
 * (C++: siagent.hpp's `siagent::Span span("handle_request");`.) These calls are inline
 * here: on first use they look the agent up in the process (dlsym), and when it is not
 * loaded they do nothing, so a program built with them runs unchanged without LD_PRELOAD
 * and needs no link flag (glibc 2.34 and later has dlsym in libc; older ones need -ldl).
 */
#ifndef SIAGENT_H
#define SIAGENT_H

#include <dlfcn.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum siagent_status {
    SIAGENT_OK = 0,
    SIAGENT_ERROR_UNKNOWN_OPTION = -1, /* an option is not "SI_<known name>=value" */
    SIAGENT_ERROR_START_FAILED = -2    /* the agent could not start; the reason is on stderr */
};

/* Starts the agent, or restarts it with the new options when it is running.
 * `options` is a NULL-terminated array of "SI_NAME=value" strings, or NULL. Thread-safe. */
int si_start(const char *const *options);

/* Writes the last report (bounded to 2 s) and stops the agent. Safe to call when it is
 * not running. Thread-safe. */
void si_destroy(void);

/* A span's handle; 0 is a span that records nothing (ending it does nothing). */
typedef uint64_t si_span_t;

/* The shim: the agent's entry points, looked up once per translation unit. */
typedef si_span_t (*si_span_begin_function)(const char *name);
typedef void (*si_span_end_function)(si_span_t span);
struct si_span_entry_points {
    si_span_begin_function begin;
    si_span_begin_function begin_profiled;
    si_span_end_function end;
    int resolved;
};

static inline const struct si_span_entry_points *si_span_entry_points_(void) {
    static struct si_span_entry_points found;
    if (__builtin_expect(!__atomic_load_n(&found.resolved, __ATOMIC_ACQUIRE), 0)) {
        /* Threads racing here store the same values. (void *)0 is RTLD_DEFAULT. */
        __atomic_store_n(&found.begin, (si_span_begin_function)dlsym((void *)0, "siagent_span_begin"),
                         __ATOMIC_RELAXED);
        __atomic_store_n(&found.begin_profiled,
                         (si_span_begin_function)dlsym((void *)0, "siagent_span_begin_profiled"),
                         __ATOMIC_RELAXED);
        __atomic_store_n(&found.end, (si_span_end_function)dlsym((void *)0, "siagent_span_end"),
                         __ATOMIC_RELAXED);
        __atomic_store_n(&found.resolved, 1, __ATOMIC_RELEASE);
    }
    return &found;
}

/* Opens a span named `name` on the calling thread (names are copied once, up to 63 bytes;
 * past 256 distinct names the rest are reported as "other"). Spans nest; a span left open
 * when its thread ends is counted as abandoned. Allocates nothing, takes no lock. */
static inline si_span_t si_span_begin(const char *name) {
    si_span_begin_function begin = si_span_entry_points_()->begin;
    return begin != 0 ? begin(name) : 0;
}

/* Like si_span_begin, and while it is open the thread's CPU sampling rate rises to
 * SI_SPAN_SAMPLING_HZ (estimates stay unbiased). Costs a few system calls: for spans that
 * deserve a closer look, not for every request. */
static inline si_span_t si_span_begin_profiled(const char *name) {
    si_span_begin_function begin = si_span_entry_points_()->begin_profiled;
    return begin != 0 ? begin(name) : 0;
}

/* Closes `span` (and spans opened inside it that are still open, counted as abandoned).
 * Call it on the thread that opened the span; other threads' handles are ignored. */
static inline void si_span_end(si_span_t span) {
    si_span_end_function end = si_span_entry_points_()->end;
    if (end != 0 && span != 0) end(span);
}

#ifdef __cplusplus
}
#endif

#endif /* SIAGENT_H */
