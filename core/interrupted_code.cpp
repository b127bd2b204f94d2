#include "core/interrupted_code.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <link.h>

#include <cstring>

#include "core/agent_guard.h"
#include "core/fork_child_code.h"
#include "core/symbols/module_map.h"
#include "core/unwinder_gate.h"
#include "core/unwinder_memory.h"

namespace siagent {
namespace {

// The thread's start (_start with __libc_start_main and its helper, or start_thread and
// clone3) may lie in the C runtime: these outermost frames hold no lock.
constexpr int kOutermostRuntimeFrames = 3;
constexpr int kMaxFramesWalked = 4096;

// Written by remember_runtime_code in normal context before any signal asks; read-only
// afterwards (and inherited by fork children).
constexpr size_t kMaxRuntimeRanges = 16;
AddressRange runtime_ranges[kMaxRuntimeRanges];
size_t runtime_range_count = 0;
AddressRange program_range;
AddressRange libc_range;
CodeRanges agent_libraries;  // libsiagent.so and libsiagent-agent.so

const char* const kRuntimeNames[] = {"/libc.so", "/ld-linux", "/ld64.so", "/libstdc++.so",
                                     "/libgcc_s.so", "/libunwind", "/libsiagent",
                                     "/libpthread.so", "/libdl.so", "/liblzma.so"};

bool is_runtime_name(const char* path) {
    for (const char* name : kRuntimeNames)
        if (strstr(path, name) != nullptr) return true;
    return false;
}

// The first object dl_iterate_phdr reports is the main program.
int remember_runtime_object(dl_phdr_info* info, size_t, void* context) {
    bool& first = *static_cast<bool*>(context);
    if (first) {
        first = false;
        program_range = loaded_segments_span(*info);
        return 0;
    }
    if (info->dlpi_name == nullptr || !is_runtime_name(info->dlpi_name)) return 0;
    if (runtime_range_count == kMaxRuntimeRanges) return 1;
    AddressRange span = loaded_segments_span(*info);
    if (span.start >= span.end) return 0;
    runtime_ranges[runtime_range_count++] = span;
    if (strstr(info->dlpi_name, "/libc.so") != nullptr) libc_range = span;
    for (AddressRange& agent : agent_libraries.ranges) {
        if (agent.start == agent.end && strstr(info->dlpi_name, "/libsiagent") != nullptr) {
            agent = span;
            break;
        }
    }
    return 0;
}

// signal-safe.
bool in_runtime(uint64_t address) {
    for (size_t i = 0; i < runtime_range_count; ++i)
        if (runtime_ranges[i].contains(address)) return true;
    return false;
}

// signal-safe: whether the instruction before `pc` is a system call (the thread was in,
// or just returned from, the kernel). Read through the kernel: never faults.
bool follows_system_call(uint64_t pc) {
#if defined(__x86_64__)
    const unsigned char expected[] = {0x0f, 0x05};  // syscall
#elif defined(__aarch64__)
    const unsigned char expected[] = {0x01, 0x00, 0x00, 0xd4};  // svc #0
#else
    const unsigned char expected[] = {0};
    return false;
#endif
    unsigned char code[sizeof expected];
    return copy_own_memory(reinterpret_cast<const void*>(pc - sizeof expected), code, sizeof code) &&
           memcmp(code, expected, sizeof code) == 0;
}

}  // namespace

// signal-safe, malloc-safe.
bool interrupted_code_holds_no_lock(const void* ucontext) {
    if (runtime_range_count == 0) return false;
    if (inside_agent()) return false;
    AgentScope agent_code;
    UnwinderEntry unwinder;
    if (!unwinder.admitted()) return false;
    unw_cursor_t cursor;
    auto* context = const_cast<unw_context_t*>(static_cast<const unw_context_t*>(ucontext));
    if (unw_init_local2(&cursor, context, UNW_INIT_SIGNAL_FRAME) < 0) return false;
    enum { leading, in_call, application } state = leading;
    int frames = 0;
    int first_runtime_frame = -1;  // past the application's first frame
    int step = 0;
    do {
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0) return false;
        if (ip == 0) break;
        if (frames > 0 && unw_is_signal_frame(&cursor) > 0) return false;
        const bool runtime = in_runtime(ip);
        if (state == application) {
            if (runtime && first_runtime_frame < 0) first_runtime_frame = frames;
        } else if (!runtime) {
            state = application;
        } else if (state == leading && libc_range.contains(ip) && follows_system_call(ip)) {
            state = in_call;  // a system call wrapper, called by the application or an interposer
        } else if (!(state == in_call && agent_libraries.contains(ip))) {
            return false;
        }
        if (++frames == kMaxFramesWalked) return false;
    } while ((step = unw_step(&cursor)) > 0);
    if (step < 0 || state != application) return false;
    return first_runtime_frame < 0 || first_runtime_frame >= frames - kOutermostRuntimeFrames;
}

// signal-safe, malloc-safe.
bool call_holds_no_lock(const uint64_t* frames, int depth) {
    if (runtime_range_count == 0) return false;
    int caller = 0;
    while (caller < depth && agent_libraries.contains(frames[caller])) ++caller;
    if (caller == depth || in_runtime(frames[caller])) return false;
    for (int i = caller + 1; i < depth - kOutermostRuntimeFrames; ++i)
        if (in_runtime(frames[i])) return false;
    return true;
}

void remember_runtime_code(const void* allocator) {
    if (runtime_range_count > 0) return;
    bool first = true;
    dl_iterate_phdr(remember_runtime_object, &first);
    // Making a thread, or a thread's unwinder state, allocates through the application's
    // allocator: a library of its own (jemalloc, tcmalloc) counts as runtime; one built
    // into the program looks like the application's code, and nothing is judged lock-free.
    // `allocator` is the definition the agent's interposer forwards to, read from the
    // objects' symbol tables (preload/real_allocator.h), never dlsym(RTLD_DEFAULT): that
    // answers a program built without -fPIE that takes malloc's address (Debian's python3
    // and node) with its own PLT stub, which would make the program look like the allocator.
    AddressRange allocator_range = loaded_object_range(allocator);
    if (allocator_range.start == allocator_range.end || allocator_range.contains(program_range.start)) {
        runtime_range_count = 0;
        return;
    }
    if (!in_runtime(allocator_range.start) && runtime_range_count < kMaxRuntimeRanges)
        runtime_ranges[runtime_range_count++] = allocator_range;
}

// Asked by every fork child that arms its start alarm: its code sits with theirs.
SIAGENT_FORK_CHILD_CODE bool runtime_code_known() { return runtime_range_count > 0; }

}  // namespace siagent
