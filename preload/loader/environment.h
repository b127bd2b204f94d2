// What the first stage reads from its environment, before any allocation it could avoid:
// no std::string, no libstdc++ (libsiagent.so links only libc).
#pragma once

#include <link.h>

#include <cstdint>

namespace siagent {

inline constexpr int64_t kDefaultStartDelayMs = 50;
inline constexpr int64_t kLongestStartDelayMs = 60'000;
// Past SI_START_DELAY the agent is loaded once the process has used this much CPU time
// (as a fork child's agent starts: preload/agent_main.cpp), or has lived
// kStartAnywayMs: a process that mostly waits in its first second (a compiler driver, a
// shell waiting for its children) gives the CPU profiler nothing to sample, and would pay
// for the agent's load and start (a few ms of CPU) in full.
inline constexpr int64_t kStartCpuMs = 20;
inline constexpr int64_t kStartAnywayMs = 1000;
// How often the waiting thread looks at the process's CPU time meanwhile.
inline constexpr int64_t kStartCpuCheckMs = 50;

// SI_START_DELAY's value in milliseconds: seconds, or a number with suffix ms, s, m or h
// (core/config_values.h's durations), from 0 to a minute. Unset, empty or not valid gives
// the default (the agent, once loaded, says what was wrong with it).
int64_t start_delay_ms(const char* value);

// getenv(name), without libc's code (a page fault in a short program that calls none of it).
const char* environment_value(const char* name);

// The part of `path` after its last '/', and strcmp(a, b) == 0, likewise without libc's code.
const char* file_name_of(const char* path);
bool same_text(const char* a, const char* b);

// The loaded object (program or library) whose mapping holds `address`, or nullptr.
// ld.so's _dl_find_object: a search over the loaded objects' ranges, signal-safe. Not
// dladdr: its nearest-symbol scan walked libc's whole symbol table at each of the first
// stage's lookups (0.2 ms of every preloaded /bin/true).
const link_map* object_holding(const void* address);

// This library (libsiagent.so; the program itself where these files are linked into one).
const link_map* this_library();

// Whether LD_PRELOAD (or /etc/ld.so.preload) names this library's file.
bool library_preloaded();

// Whether the parent process's LD_PRELOAD names this library's file too (read from
// /proc/<ppid>/environ): the parent then said already what a start has to say. False when
// it cannot be read. Reads the file; for the rare paths that print (the agent's too:
// exported to it, preload/exports.map).
#pragma GCC visibility push(default)
bool parent_library_preloaded();
#pragma GCC visibility pop

// Whether the program (the main executable) is a Go program: it carries Go's build-id note
// (owner "Go", type 4) in a PT_NOTE segment. Its goroutines allocate without malloc.
bool go_program();

// Whether the process must stay single-threaded for its whole life, so that no agent may
// run in it: Chromium's zygote (also Electron's and every other Chromium embedder's:
// `--type=zygote` among its arguments) checks before each fork that /proc/self/task holds
// its one thread, and kills itself with a trap otherwise. Reads only `argv` (the
// constructor's arguments).
bool must_stay_single_threaded(int argc, char** argv);

// Whether the program's malloc is this library's forwarder: false when an allocator comes
// first (jemalloc named before this library in LD_PRELOAD, or one linked into the program),
// whose allocations never pass through this library.
bool allocations_pass_through_this_library();

// A limit the process set on its own memory that the agent's address space would count
// against: RLIMIT_AS (`ulimit -v`) or RLIMIT_DATA (`ulimit -d`), whichever is finite (soft
// limits). `name` is the limit's name, `mebibytes` its value.
struct MemoryLimit {
    const char* name = nullptr;
    uint64_t mebibytes = 0;
    // Whether the parent process has that limit finite too (prlimit; false when it cannot
    // be read): a parent with this library preloaded then said so already.
    bool parent_limited = false;
};
MemoryLimit finite_memory_limit();

}  // namespace siagent
