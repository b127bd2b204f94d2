#include "core/cpu/start_alarm.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "core/agent_guard.h"
#include "core/cpu/cpu_profiler.h"
#include "core/interruptions.h"
#include "core/symbols/module_map.h"
#include "core/unwinder_gate.h"
#include "core/fork_child_code.h"

namespace siagent {

const char kStartAlarmMarker = 0;

namespace {

// The thread's start (_start with __libc_start_main and its helper, or start_thread and
// clone3) may lie in the C runtime: these outermost frames hold no lock.
constexpr int kOutermostRuntimeFrames = 3;
constexpr int kMaxFramesWalked = 4096;
// An unsafe moment is tried again after this much more CPU time of the process.
constexpr long kRetryCpuNs = 10'000'000;

// Written by prepare_start_alarm in normal context before any alarm can fire; read-only
// afterwards (and inherited by fork children).
constexpr size_t kMaxRuntimeRanges = 16;
AddressRange runtime_ranges[kMaxRuntimeRanges];
size_t runtime_range_count = 0;
AddressRange program_range;
AddressRange libc_range;
CodeRanges agent_libraries;  // libsiagent.so and libsiagent-agent.so

// The alarm of this process (guarded by the caller's life-cycle lock; read by the handler).
SIAGENT_FORK_CHILD_DATA std::atomic<bool (*)()> start_callback{nullptr};
SIAGENT_FORK_CHILD_DATA timer_t alarm_timer{};
SIAGENT_FORK_CHILD_DATA std::atomic<bool> alarm_exists{false};

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

// signal-safe, malloc-safe: the rule in core/cpu/start_alarm.h.
bool interrupted_code_is_safe(const void* ucontext) {
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

// signal-safe: the alarm fires once the process has used `cpu_ns` more CPU time.
SIAGENT_FORK_CHILD_CODE bool set_alarm(long cpu_ns) {
    itimerspec when{};
    when.it_value.tv_sec = cpu_ns / 1'000'000'000;
    when.it_value.tv_nsec = cpu_ns % 1'000'000'000;
    return timer_settime(alarm_timer, 0, &when, nullptr) == 0;
}

}  // namespace

void prepare_start_alarm(const void* allocator) {
    if (runtime_range_count > 0) return;
    bool first = true;
    dl_iterate_phdr(remember_runtime_object, &first);
    // pthread_create allocates through the application's allocator: a library of its own
    // (jemalloc, tcmalloc) counts as runtime; one built into the program looks like the
    // application's code, so no alarm is armed there.
    AddressRange allocator_range = loaded_object_range(allocator);
    void* global_malloc = dlsym(RTLD_DEFAULT, "malloc");
    if (allocator_range.start == allocator_range.end ||
        allocator_range.contains(program_range.start) ||
        program_range.contains(reinterpret_cast<uint64_t>(global_malloc))) {
        runtime_range_count = 0;
        return;
    }
    if (!in_runtime(allocator_range.start) && runtime_range_count < kMaxRuntimeRanges)
        runtime_ranges[runtime_range_count++] = allocator_range;
}

SIAGENT_FORK_CHILD_CODE bool arm_start_alarm(std::chrono::milliseconds cpu_time, bool (*start)()) {
    if (!cpu_profiler_handler_installed() || runtime_range_count == 0) return false;
    if (!alarm_exists.load()) {
        sigevent event{};
        event.sigev_notify = SIGEV_SIGNAL;
        event.sigev_signo = SIGPROF;
        event.sigev_value.sival_ptr = const_cast<char*>(&kStartAlarmMarker);
        if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &event, &alarm_timer) != 0) return false;
        alarm_exists.store(true);
    }
    start_callback.store(start);
    long cpu_ns = static_cast<long>(std::chrono::nanoseconds(cpu_time).count());
    if (set_alarm(cpu_ns > 0 ? cpu_ns : 1)) return true;
    disarm_start_alarm();
    return false;
}

// Also runs at the exit of every fork child that armed an alarm (unload_agent).
SIAGENT_FORK_CHILD_CODE bool disarm_start_alarm() {
    bool waiting = start_callback.exchange(nullptr) != nullptr;
    if (alarm_exists.exchange(false)) timer_delete(alarm_timer);
    return waiting;
}

SIAGENT_FORK_CHILD_CODE void forget_start_alarm() {
    start_callback.store(nullptr);
    alarm_exists.store(false);
}

SIAGENT_FORK_CHILD_CODE bool start_alarm_pending() { return start_callback.load(std::memory_order_relaxed) != nullptr; }

void on_start_alarm(const void* ucontext) {
    // A blocking call this signal interrupts is resumed by its interposer.
    ++agent_signals;
    bool (*start)() = start_callback.load();
    if (start == nullptr || !alarm_exists.load()) return;
    if (interrupted_code_is_safe(ucontext) && start()) {
        start_callback.store(nullptr);  // the one-shot timer is spent; start_locked deletes it
        return;
    }
    set_alarm(kRetryCpuNs);
}

}  // namespace siagent
