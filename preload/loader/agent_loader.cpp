#include "preload/loader/agent_loader.h"

#include <dlfcn.h>
#include <link.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "preload/loader/environment.h"
#include "core/fork_child_code.h"
#include "core/symbols/module_map.h"
#include "core/thread_id.h"
#include "preload/real_function.h"

#pragma GCC diagnostic ignored "-Wignored-attributes"  // pointers to libc functions

namespace siagent {

constinit PublishedAgent published_agent;
constinit std::atomic<bool> start_pending_on_allocation{false};

namespace {

constexpr char kAgentFileName[] = "libsiagent-agent.so";
// A fork waits at most this long for a load in progress (glibc's loader lock must not be
// inherited held); past it, it goes on rather than risk waiting on its own caller.
constexpr int64_t kForkWaitMs = 200;
constexpr int64_t kThreadGoneWaitMs = 50;

// The first stage's own locking goes to the real functions, never through the agent.
constinit RealFunction<decltype(&::pthread_mutex_lock)> real_lock{"pthread_mutex_lock"};
constinit RealFunction<decltype(&::pthread_create)> real_create{"pthread_create"};
constinit RealFunction<decltype(&::pthread_join)> real_join{"pthread_join"};
constinit RealFunction<decltype(&::pthread_sigmask)> real_sigmask{"pthread_sigmask"};

// All guarded by state_mutex.
pthread_mutex_t state_mutex = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t state_changed = PTHREAD_COND_INITIALIZER;  // waited on with CLOCK_MONOTONIC
const AgentEntry* agent_entry = nullptr;
bool deferred = false;       // preloaded, and the agent is still to be loaded later
int64_t delay_ms = kDefaultStartDelayMs;
bool waiting = false;        // the waiting thread exists and has not begun loading
bool cancelled = false;      // tells the waiting thread to end without loading
bool loading = false;        // dlopen of the agent library is in progress
bool starting = false;       // the waiting thread is starting the agent it loaded
bool serving = false;        // the waiting thread runs the agent it loaded (serve_from_environment)
bool exiting = false;        // exit() has begun: load nothing more
bool load_failed = false;
pthread_t waiter{};
pid_t finished_waiter = 0;   // a waiting thread that loaded the agent and is ending

// A start on allocation (agent_loader.h, start_waiting_from_allocation): since when the
// process has been pending (CLOCK_MONOTONIC_COARSE: the fork's start, set by prepare_fork,
// or the exec'd process's constructor), and its own pid, which a vfork child (sharing this
// memory) does not have. Written only by the fork handlers and the constructor.
timespec pending_since{};
pid_t pending_pid = 0;
// When the fork under way began: the child's pending_since. Not pending_since itself, which
// a process still pending has to keep across its own forks (a shell forking every few
// milliseconds would never reach its delay).
timespec fork_began{};

// Where libc, ld.so and this library lie: an allocation called from there may be made with
// one of the runtime's locks held (ld.so's while it loads a library, libc's inside its own
// functions), so it never makes a thread. Found once, before the first fork (normal
// context); read by the allocation path in a fork child.
CodeRanges runtime_code;
bool runtime_code_found = false;
// Whether a start can wait for an allocation: the runtime's code is known, and the program's
// allocations pass through this library (not when an allocator comes first: jemalloc named
// before it in LD_PRELOAD, or one linked into the program). Found with runtime_code.
bool start_on_allocation_possible = false;

void lock() { real_lock.get()(&state_mutex); }
void unlock() { pthread_mutex_unlock(&state_mutex); }

// Waits on state_changed until `deadline` (CLOCK_MONOTONIC); false once it has passed.
bool wait_until(const timespec& deadline) {
    return pthread_cond_clockwait(&state_changed, &state_mutex, CLOCK_MONOTONIC, &deadline) !=
           ETIMEDOUT;
}

timespec after_ms(int64_t milliseconds) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t nanoseconds = now.tv_nsec + (milliseconds % 1000) * 1'000'000;
    now.tv_sec += static_cast<time_t>(milliseconds / 1000 + nanoseconds / 1'000'000'000);
    now.tv_nsec = static_cast<long>(nanoseconds % 1'000'000'000);
    return now;
}

void say(const char* first, const char* second) {
    char line[1024];
    int length = snprintf(line, sizeof line, "siagent: %s%s\n", first, second);
    if (length > 0) {
        ssize_t ignored = write(STDERR_FILENO, line, static_cast<size_t>(length) < sizeof line
                                                          ? static_cast<size_t>(length)
                                                          : sizeof line - 1);
        (void)ignored;
    }
}

// The agent library's path: libsiagent.so's own directory.
bool agent_path(char* path, size_t capacity) {
    const link_map* self = this_library();
    if (self == nullptr || self->l_name == nullptr) return false;
    const size_t directory = static_cast<size_t>(file_name_of(self->l_name) - self->l_name);
    if (directory + sizeof kAgentFileName > capacity) return false;
    memcpy(path, self->l_name, directory);
    memcpy(path + directory, kAgentFileName, sizeof kAgentFileName);
    return true;
}

// Called with state_mutex held and nothing busy; releases it around dlopen (which must not
// run under a lock a fork handler takes: the agent's libraries' constructors run inside).
const HookTable* load_locked() {
    if (const HookTable* hooks = installed_hooks()) return hooks;
    if (load_failed) return nullptr;
    loading = true;
    unlock();
    char path[4096];
    void* library = agent_path(path, sizeof path) ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : nullptr;
    auto entry_point = library != nullptr ? reinterpret_cast<const AgentEntry* (*)()>(
                                                dlsym(library, "siagent_agent_entry"))
                                          : nullptr;
    const AgentEntry* entry = entry_point != nullptr ? entry_point() : nullptr;
    if (entry == nullptr) {
        const char* reason = dlerror();
        say("cannot load the agent library; this process is not profiled: ",
            reason != nullptr ? reason : kAgentFileName);
    }
    lock();
    loading = false;
    pthread_cond_broadcast(&state_changed);
    if (entry == nullptr) {
        load_failed = true;
        deferred = false;
        return nullptr;
    }
    agent_entry = entry;
    deferred = false;
    published_agent.fast_path = *entry->hooks->allocation_fast_path;
    published_agent.hooks.store(entry->hooks, std::memory_order_release);
    return entry->hooks;
}

int64_t process_cpu_ms() {
    timespec used{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
    return static_cast<int64_t>(used.tv_sec) * 1000 + used.tv_nsec / 1'000'000;
}

// Called with state_mutex held; returns with it held, once the agent is due (environment.h:
// SI_START_DELAY passed, then kStartCpuMs of CPU used or kStartAnywayMs lived) or the wait
// was called off.
void wait_until_due() {
    int64_t waited_ms = 0;
    int64_t pause_ms = delay_ms;
    for (;;) {
        const timespec deadline = after_ms(pause_ms);
        while (!cancelled && !exiting && wait_until(deadline)) {
        }
        if (cancelled || exiting) return;
        waited_ms += pause_ms;
        if (waited_ms >= kStartAnywayMs || process_cpu_ms() >= kStartCpuMs) return;
        pause_ms = kStartCpuCheckMs < kStartAnywayMs - waited_ms ? kStartCpuCheckMs
                                                                 : kStartAnywayMs - waited_ms;
    }
}

// The agent is set up on the waiting thread, which now becomes its thread (or ends).
void agent_started() {
    lock();
    starting = false;
    pthread_cond_broadcast(&state_changed);
    unlock();
}

void* wait_then_load(void*) {
    pid_t self = siagent::current_thread_id();
    lock();
    wait_until_due();
    if (cancelled || exiting) {
        unlock();
        return nullptr;
    }
    waiting = false;
    const bool loaded = load_locked() != nullptr && !exiting;
    starting = loaded;
    serving = loaded;
    unlock();
    // This thread goes on as the agent thread: one helper thread in the process, not two
    // (Agent::ThreadSource::caller). Back here once the agent no longer needs it: stopped,
    // or its thread paused for a call that needs the process single-threaded (the agent
    // then waits for this thread to be gone, and makes its own when resumed).
    if (loaded) agent_entry->serve_from_environment(agent_started);
    lock();
    // Nobody joins a thread that went on to load: it ends by itself, and whoever needs the
    // process single-threaded waits for it to leave (LoaderPause).
    starting = false;
    serving = false;
    finished_waiter = self;
    pthread_detach(pthread_self());
    pthread_cond_broadcast(&state_changed);
    unlock();
    return nullptr;
}

// Called with state_mutex held. The waiting thread blocks every signal: the application's
// signals are never delivered to it.
void arm_locked() {
    if (!deferred || waiting || loading || starting || exiting) return;
    sigset_t all, previous;
    sigfillset(&all);
    real_sigmask.get()(SIG_SETMASK, &all, &previous);
    cancelled = false;
    waiting = real_create.get()(&waiter, nullptr, wait_then_load, nullptr) == 0;
    real_sigmask.get()(SIG_SETMASK, &previous, nullptr);
}

void wait_until_gone(pid_t tid) {
    const timespec deadline = after_ms(kThreadGoneWaitMs);
    while (syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH) {
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
            return;
        const timespec pause{0, 100'000};
        syscall(SYS_nanosleep, &pause, nullptr);
    }
}

// Stops a waiting thread and joins it; waits out one that loads, starts or ends. Called
// with state_mutex held; returns with it held. Returns whether a wait was called off.
bool stop_waiter_locked() {
    while (loading || starting) {
        pthread_cond_wait(&state_changed, &state_mutex);
    }
    bool called_off = false;
    if (waiting) {
        cancelled = true;
        waiting = false;
        pthread_cond_broadcast(&state_changed);
        pthread_t thread = waiter;
        unlock();
        real_join.get()(thread, nullptr);
        lock();
        called_off = true;
    }
    pid_t finished = finished_waiter;
    finished_waiter = 0;
    if (finished != 0) {
        unlock();
        wait_until_gone(finished);
        lock();
    }
    return called_off;
}

// dl_iterate_phdr's callback: the spans of libc (slot 0), ld.so (1) and this library (2).
int note_runtime_code(dl_phdr_info* object, size_t, void*) {
    const AddressRange span = loaded_segments_span(*object);
    if (span.start >= span.end) return 0;
    const char* name = object->dlpi_name != nullptr ? object->dlpi_name : "";
    int slot = -1;
    if (span.contains(reinterpret_cast<uint64_t>(&load_agent_now))) slot = 2;
    else if (strstr(name, "/libc.so.6") != nullptr) slot = 0;
    else if (strstr(name, "/ld-linux") != nullptr) slot = 1;
    if (slot >= 0) runtime_code.ranges[slot] = span;
    return 0;
}

// Normal context, before the first fork of a process still to load the agent. Also makes
// the calls the allocation path makes in a fork child, so that none of them is bound
// through the PLT for the first time there (or in every child again).
void find_runtime_code() {
    if (runtime_code_found) return;
    dl_iterate_phdr(note_runtime_code, nullptr);
    runtime_code_found = runtime_code.ranges[0].end != 0 && runtime_code.ranges[1].end != 0 &&
                         runtime_code.ranges[2].end != 0;
    start_on_allocation_possible = runtime_code_found && allocations_pass_through_this_library();
    pthread_mutex_t unused = PTHREAD_MUTEX_INITIALIZER;
    if (pthread_mutex_trylock(&unused) == 0) pthread_mutex_unlock(&unused);
    (void)getpid();
}

// The agent loaded when this fork began, whose fork handlers this fork runs (all three, or
// none). Guarded by state_mutex, which a fork holds from prepare to parent or child.
const AgentEntry* forking_agent = nullptr;

// The only fork handlers: registered at this library's start, they run the agent's too
// (glibc runs none of the handlers registered while a fork is under way, so an agent that
// registered its own could have a fork run its child handler without its prepare, or
// inherit its locks held). Waits for a dlopen in progress, not for the agent's start (the
// agent's prepare handler waits for that).
void prepare_fork() {
    lock();
    const timespec deadline = after_ms(kForkWaitMs);
    while (loading && wait_until(deadline)) {
    }
    // The child may make its waiting thread from an allocation (child_after_fork). Not while
    // a load is stuck: dl_iterate_phdr could wait for it.
    if (deferred) {
        if (!loading) find_runtime_code();
        clock_gettime(CLOCK_MONOTONIC_COARSE, &fork_began);
    }
    forking_agent = loading ? nullptr : agent_entry;
    if (forking_agent != nullptr) forking_agent->prepare_fork();
}

void parent_after_fork() {
    if (forking_agent != nullptr) forking_agent->parent_after_fork();
    unlock();
}

// Only the forking thread exists here: no waiting thread, nothing loading. Calls no
// function this library has not called before the fork: a first call through the PLT
// would be bound in every child again (the loader's symbol lookup faults in the symbol
// tables of every library it searches).
SIAGENT_FORK_CHILD_CODE void child_after_fork() {
    if (forking_agent != nullptr) forking_agent->child_after_fork();
    state_changed = PTHREAD_COND_INITIALIZER;
    waiting = false;
    loading = false;
    starting = false;
    finished_waiter = 0;
    // Most fork children exec or exit within milliseconds: rather than a waiting thread
    // (which cost more than the fork), the child's first allocation past SI_START_DELAY
    // makes it (start_waiting_from_allocation).
    if (deferred && !exiting && start_on_allocation_possible) {
        pending_since = fork_began;
        pending_pid = getpid();
        start_pending_on_allocation.store(true, std::memory_order_relaxed);
    } else {
        arm_locked();
    }
    unlock();
}

// The waiting thread is not woken: exit_group ends it where it sleeps, and one that wakes
// first finds `exiting` and ends. Waking it cost every short process (/bin/true) a thread
// run on the other CPU during its exit, about 0.14 ms of CPU time here.
void mark_exiting() {
    lock();
    exiting = true;
    start_pending_on_allocation.store(false, std::memory_order_relaxed);
    unlock();
}

// Whether SI_DEBUG asks for every message (the agent's own reading of it comes later).
bool debugging() {
    const char* value = environment_value("SI_DEBUG");
    return value != nullptr && value[0] != '\0' && !(value[0] == '0' && value[1] == '\0');
}

// The agent reserves about 140 MiB of address space, 70 MiB of it writable (its thread's
// allocator arena and stack, its rings and tables): under a limit the process set on its own
// memory that would be the application's budget, not the agent's. Said once per process
// tree: not again by a process whose parent has the library preloaded and a limit too.
bool memory_limit_forbids_start() {
    const MemoryLimit limit = finite_memory_limit();
    if (limit.name == nullptr) return false;
    if (debugging() || !limit.parent_limited || !parent_library_preloaded()) {
        char detail[192];
        snprintf(detail, sizeof detail,
                 " is %llu MiB: the agent, which reserves about 140 MiB of address space, does "
                 "not start in this process or the processes it starts",
                 static_cast<unsigned long long>(limit.mebibytes));
        say(limit.name, detail);
    }
    return true;
}

// A process that must stay single-threaded (environment.h) gets no waiting thread and no
// agent, nor do the processes it forks. Said with SI_DEBUG only: Chromium starts its zygote
// from its browser process, which is profiled (in a sandbox the zygote's parent is out of
// sight, and every Chromium run would print the line).
bool single_thread_contract_forbids_start(int argc, char** argv) {
    if (!must_stay_single_threaded(argc, argv)) return false;
    if (debugging())
        say("not started in Chromium's zygote, which must stay single-threaded; ",
            "the processes it forks (renderers) are not profiled");
    return true;
}

// glibc passes the program's arguments to the constructors of the objects it loads.
__attribute__((constructor)) void load_or_defer(int argc, char** argv, char**) {
    // A second copy of this library (preloaded by two paths): the first one does everything,
    // and this one only passes its forwarders' calls on (real_function.h).
    if (another_first_stage_ahead()) return;
    pthread_atfork(prepare_fork, parent_after_fork, child_after_fork);
    if (!library_preloaded()) return;
    if (memory_limit_forbids_start()) return;
    if (single_thread_contract_forbids_start(argc, argv)) return;
    delay_ms = start_delay_ms(environment_value("SI_START_DELAY"));
    if (delay_ms == 0) {
        lock();
        deferred = true;
        const bool loaded = load_locked() != nullptr;
        unlock();
        if (loaded) agent_entry->start_from_environment();
        return;
    }
    atexit(mark_exiting);
    lock();
    deferred = true;
    // A command of a profiled script or build starts on its allocations past the delay, not
    // with a thread now (agent_loader.h, start_pending_on_allocation), when they reach this
    // library: not a Go program's, nor those of a program whose allocator comes first.
    bool start_on_allocation = parent_library_preloaded() && !go_program();
    if (start_on_allocation) {
        find_runtime_code();
        start_on_allocation = start_on_allocation_possible;
    }
    if (start_on_allocation) {
        clock_gettime(CLOCK_MONOTONIC_COARSE, &pending_since);
        pending_pid = getpid();
        start_pending_on_allocation.store(true, std::memory_order_relaxed);
    } else {
        arm_locked();
    }
    unlock();
}

}  // namespace

const HookTable* load_agent_now() {
    if (const HookTable* hooks = installed_hooks()) return hooks;
    lock();
    stop_waiter_locked();
    const HookTable* hooks = load_locked();
    unlock();
    return hooks;
}

namespace {
// Allocations of this thread since its last look at the clock: one look in 32 calls, so that
// a child allocating hard in its first SI_START_DELAY pays a counter, not a clock read, per
// call. Initial-exec: reading it never allocates.
thread_local constinit uint32_t allocations_unchecked __attribute__((tls_model("initial-exec"))) = 0;
constexpr uint32_t kAllocationsPerCheck = 32;
}  // namespace

void start_waiting_from_allocation(const void* caller) {
    if (++allocations_unchecked < kAllocationsPerCheck) return;
    allocations_unchecked = 0;
    if (runtime_code.contains(reinterpret_cast<uint64_t>(caller))) return;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    const int64_t lived_ms = (static_cast<int64_t>(now.tv_sec) - pending_since.tv_sec) * 1000 +
                             (now.tv_nsec - pending_since.tv_nsec) / 1'000'000;
    if (lived_ms < delay_ms) return;
    if (getpid() != pending_pid) return;  // a vfork child: no thread may be made here
    if (pthread_mutex_trylock(&state_mutex) != 0) return;
    if (start_pending_on_allocation.exchange(false, std::memory_order_relaxed)) {
        const int saved_errno = errno;
        arm_locked();
        errno = saved_errno;
    }
    unlock();
}

void step_aside_for_sandbox() {
    const int saved_errno = errno;
    forget_deferred_load();
    lock();
    const AgentEntry* entry = agent_entry;
    unlock();
    if (entry != nullptr) entry->stop_for_sandbox();
    lock();
    // The thread that loaded the agent leaves serve() once the agent has stopped, then the
    // process. An agent that could not stop in its budget keeps it: the filter comes anyway.
    const timespec deadline = after_ms(kThreadGoneWaitMs);
    while (serving && wait_until(deadline)) {
    }
    stop_waiter_locked();
    unlock();
    errno = saved_errno;
}

LoaderPause::LoaderPause() {
    lock();
    rearm_ = stop_waiter_locked();
    // No allocation of another thread may make the waiting thread during the pause either.
    rearm_on_allocation_ = start_pending_on_allocation.exchange(false, std::memory_order_relaxed);
    unlock();
}

LoaderPause::~LoaderPause() {
    if (!rearm_ && !rearm_on_allocation_) return;
    int saved_errno = errno;
    lock();
    if (rearm_) arm_locked();
    if (rearm_on_allocation_ && deferred && !exiting)
        start_pending_on_allocation.store(true, std::memory_order_relaxed);
    unlock();
    errno = saved_errno;
}

void forget_deferred_load() {
    lock();
    stop_waiter_locked();
    deferred = false;
    start_pending_on_allocation.store(false, std::memory_order_relaxed);
    unlock();
}

}  // namespace siagent
