// Starting and stopping the agent, fork handling, and the public C API (siagent.h).
//
// libsiagent.so (preload/loader/) loads this library and calls start_from_environment()
// when a preloaded process has lived SI_START_DELAY; a program that links libsiagent.so
// calls si_start(), which loads it at once.
#include <dlfcn.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "agent/agent.h"
#include "agent/profilers.h"
#include "core/agent_descriptors.h"
#include "core/agent_guard.h"
#include "core/config.h"
#include "core/sibling_library.h"
#include "core/fork_child_code.h"
#include "core/log.h"
#include "core/stack_capture.h"
#include "core/unwinder_gate.h"
#include "core/cpu/start_alarm.h"
#include "core/interrupted_code.h"
#include "preload/deferred_start.h"
#include "preload/export.h"
#include "preload/lifecycle.h"
#include "preload/loader/environment.h"
#include "preload/real_allocator.h"
#include "preload/siagent.h"

extern char** environ;

namespace {

using siagent::Agent;
using siagent::Config;

constexpr std::chrono::milliseconds kShutdownBudget{2000};
// A fork child's agent starts when the child has used this much CPU time (core/cpu/start_alarm.h)
// or, where no start alarm can be armed, lived this long (preload/deferred_start.h).
constexpr std::chrono::milliseconds kForkChildStartCpu{20};
constexpr std::chrono::milliseconds kForkChildStartDelay{50};
// Below this RLIMIT_NOFILE soft limit the agent does not start.
constexpr rlim_t kFewestDescriptors = 32;

// Guards starting and stopping. Held across fork (pthread_atfork) so a child never
// inherits an agent half started or half stopped.
SIAGENT_FORK_CHILD_DATA std::mutex lifecycle_mutex;
SIAGENT_FORK_CHILD_DATA Agent* running_agent = nullptr;  // owned; abandoned (never deleted) when unsafe to delete
// A fork child's configuration while its agent waits to start (guarded by lifecycle_mutex):
// the abandoned parent agent's own, borrowed (that agent is never freed in the child, and
// copying the configuration would copy the allocator's pages into every fork child, most of
// which exec or exit at once). A plain pointer; like every static object of this library it
// is never destroyed (preload/never_destroyed_statics.cpp), so the library destructor below
// can still use it.
SIAGENT_FORK_CHILD_DATA const Config* pending_config = nullptr;

void start_locked(const Config& config, Agent::ThreadSource source = Agent::ThreadSource::own);

// Made at its first use (guarded by lifecycle_mutex), never in a fork handler.
siagent::DeferredStart* deferred_start_instance = nullptr;

siagent::DeferredStart& deferred_start() {
    if (deferred_start_instance == nullptr) {
        deferred_start_instance = new siagent::DeferredStart(lifecycle_mutex, [] {
            if (pending_config != nullptr && running_agent == nullptr) start_locked(*pending_config);
            pending_config = nullptr;
        });
    }
    return *deferred_start_instance;
}

// In the SIGPROF handler, when the start alarm found the interrupted code holding no lock
// (core/cpu/start_alarm.h): makes the waiting thread, which starts the agent at once. False
// when the life-cycle lock is busy (the alarm comes again).
bool start_from_alarm() {
    if (!lifecycle_mutex.try_lock()) return false;
    bool made = pending_config != nullptr && running_agent == nullptr &&
                deferred_start().arm(std::chrono::milliseconds(0));
    lifecycle_mutex.unlock();
    return made;
}

// Arms the start of a fork child with the pending configuration, if any: the start alarm
// where the CPU profiler's handler is in place, otherwise a waiting thread.
SIAGENT_FORK_CHILD_CODE void arm_pending_start() {
    if (pending_config == nullptr) return;
    // An immediate, not a load from .rodata: one page fewer in every fork child.
    if (siagent::arm_start_alarm(std::chrono::milliseconds{kForkChildStartCpu.count()}, start_from_alarm))
        return;
    if (!deferred_start().arm(kForkChildStartDelay)) pending_config = nullptr;
}

// Calls off a pending start; true when one was waiting (had not started the agent).
bool disarm_pending_start() {
    bool alarm_waiting = siagent::disarm_start_alarm();
    bool thread_waiting = deferred_start().cancel();
    return alarm_waiting || thread_waiting;
}

// No agent will start later: a waiting fork-child start is called off.
void cancel_pending_start() {
    disarm_pending_start();
    pending_config = nullptr;
}

void stop_locked() {
    if (running_agent == nullptr) return;
    Agent* agent = running_agent;
    running_agent = nullptr;
    // Agent code, on whichever thread stops it (si_destroy's, exit's): the descriptors its
    // teardown closes are its own, not the application's to be refused.
    siagent::AgentScope agent_code;
    if (agent->shutdown(kShutdownBudget)) delete agent;
    // else: its thread still runs, detached; the Agent is abandoned on purpose.
}

// A fork child's copies of the parent agent's descriptors, left open until this process
// starts an agent of its own (guarded by lifecycle_mutex): a child that execs closes them
// with the exec (they are O_CLOEXEC), one that exits with its exit. Until then they stay
// the agent's, out of the application's way like any other (core/agent_descriptors.h).
SIAGENT_FORK_CHILD_DATA bool inherited_descriptors_open = false;

void start_locked(const Config& config, Agent::ThreadSource source) {
    deferred_start();  // made here, in normal context: a fork child's start alarm uses it
    siagent::disarm_start_alarm();
    stop_locked();
    if (inherited_descriptors_open) {
        siagent::close_inherited_descriptors();
        inherited_descriptors_open = false;
    }
    siagent::set_debug_logging(config.debug);
    // Agent code: the descriptors its event loop makes here are the agent's (moved out of
    // the application's way, core/agent_descriptors.h).
    siagent::AgentScope agent_code;
    running_agent = Agent::start(config, {}, source).release();
    if (running_agent != nullptr) {
        siagent::log_debug("agent started for %s (pid %d)", config.app_name.c_str(), getpid());
    }
}

// Configuration problems are said by the first process of a tree: its exec'd children
// inherit the same environment and would only repeat them (unless SI_DEBUG asks for all).
// The first stage's parent_library_preloaded (exported to this library), read once.
bool says_start_problems(const Config& config) {
    static const bool parent_preloaded = siagent::parent_library_preloaded();
    return config.debug || !parent_preloaded;
}

siagent::ConfigResult configure(const siagent::VariableLookup& lookup) {
    siagent::ConfigResult result = siagent::parse_config(lookup);
    if (says_start_problems(result.config))
        for (const std::string& problem : result.problems) siagent::print_line(problem.c_str());
    return result;
}

// Without SI_AGENT_KEY and SI_OUTPUT_DIR nothing would ever leave the process: the agent
// then does not start at all (the application runs untouched), and says so once per
// process tree, not in every command a preloaded shell script runs.
bool says_start_problems(const Config& config);

// In a descriptor table so small that the agent's own two or three descriptors would be
// missed by the application (ulimit -n 12), the agent does not start: the application's
// limit comes first.
bool enough_descriptors(const Config& config) {
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < kFewestDescriptors) {
        if (says_start_problems(config))
            siagent::log_warning("RLIMIT_NOFILE is %llu: too few descriptors to share with the "
                                 "agent; this process is not profiled",
                                 static_cast<unsigned long long>(files.rlim_cur));
        return false;
    }
    return true;
}

// An allocator named before libsiagent.so in LD_PRELOAD (or built into the program) takes
// the application's malloc calls before the agent's interposers can see them
// (preload/real_allocator.h): the agent runs, but its allocation profile stays empty.
void say_if_allocations_pass_by(const Config& config) {
    const char* allocator = siagent::real_allocator.ahead_of_first_stage;
    if (allocator == nullptr || config.allocation_profiler_disabled || !says_start_problems(config))
        return;
    siagent::log_warning("malloc comes from %s before libsiagent.so: allocations are not "
                         "profiled (name libsiagent.so first in LD_PRELOAD)",
                         allocator);
}

bool has_destination(const Config& config) {
    if (!config.agent_key.empty() || !config.output_dir.empty()) return true;
    if (says_start_problems(config)) {
        std::string line = "siagent: SI_AGENT_KEY is not set: nothing is sent to the dashboard at " +
                           config.dashboard_address +
                           " (set SI_AGENT_KEY; SI_OUTPUT_DIR keeps local pprof files)";
        siagent::print_line(line.c_str());
    }
    return false;
}

}  // namespace

void siagent::prepare_fork() {
    // First, before any lock of ours: an unwind under way must be able to finish.
    siagent::close_unwinder_gate_for_fork();
    lifecycle_mutex.lock();
    for (const siagent::ProfilerDescription& profiler : siagent::profiler_descriptions())
        if (profiler.prepare_fork != nullptr) profiler.prepare_fork();
    // The agent thread may be loading or unloading one of its libraries: glibc's loader
    // lock must not be inherited held.
    siagent::lock_sibling_libraries();
}

void siagent::parent_after_fork() {
    siagent::unlock_sibling_libraries();
    for (const siagent::ProfilerDescription& profiler : siagent::profiler_descriptions())
        if (profiler.parent_after_fork != nullptr) profiler.parent_after_fork();
    lifecycle_mutex.unlock();
    siagent::open_unwinder_gate_in_parent();
}

// Only the forking thread exists here. The parent's Agent (its thread is gone) is
// abandoned; this process gets its own with the same configuration once it has used
// kForkChildStartCpu of CPU time (a child that execs or exits sooner costs one timer).
SIAGENT_FORK_CHILD_CODE void siagent::child_after_fork() {
    siagent::unlock_sibling_libraries();
    for (const siagent::ProfilerDescription& profiler : siagent::profiler_descriptions())
        if (profiler.child_after_fork != nullptr) profiler.child_after_fork();
    Agent* parent_agent = running_agent;
    running_agent = nullptr;
    if (deferred_start_instance != nullptr) deferred_start_instance->forget();
    siagent::forget_start_alarm();
    inherited_descriptors_open = true;
    if (parent_agent != nullptr) pending_config = &parent_agent->config();
    arm_pending_start();
    lifecycle_mutex.unlock();
    siagent::open_unwinder_gate_in_child();
}

namespace {

// Once per process, before the first start: the stack capture's thread keys and the C
// runtime's code ranges (core/interrupted_code.h). (The fork handlers are the first
// stage's, which call this library's: see preload/hook_table.h.)
void prepare_process() {
    static std::once_flag once;
    std::call_once(once, [] {
        siagent::prepare_stack_capture();
        siagent::resolve_real_allocator();
        siagent::remember_runtime_code(reinterpret_cast<const void*>(siagent::real_allocator.malloc));
    });
}

}  // namespace

namespace {

// The agent started from the environment, or nullptr when it does not start.
Agent* start_configured(Agent::ThreadSource source) {
    prepare_process();
    siagent::ConfigResult result = siagent::parse_config([](const char* name) { return getenv(name); });
    if (says_start_problems(result.config)) {
        for (const std::string& unknown : siagent::find_unknown_variables(environ))
            siagent::print_line(unknown.c_str());
        for (const std::string& problem : result.problems) siagent::print_line(problem.c_str());
    }
    if (!enough_descriptors(result.config) || !has_destination(result.config)) return nullptr;
    say_if_allocations_pass_by(result.config);
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    start_locked(result.config, source);
    return running_agent;
}

}  // namespace

void siagent::start_from_environment() { start_configured(Agent::ThreadSource::own); }

// The agent's loop runs here, without the life-cycle lock: whoever stops or pauses the agent
// holds that lock while it waits for serve() to return (Agent::serve).
void siagent::serve_from_environment(void (*started)()) {
    Agent* agent = start_configured(Agent::ThreadSource::caller);
    started();
    if (agent != nullptr) agent->serve();
}

namespace {

// Runs at the exit of every process, fork children included: its code sits with theirs.
SIAGENT_FORK_CHILD_CODE __attribute__((destructor)) void unload_agent() {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    siagent::disarm_start_alarm();
    deferred_start().abandon();
    pending_config = nullptr;
    if (running_agent == nullptr) return;
    if (running_agent->config().auto_destroy) {
        stop_locked();
    } else {
        // No last report, but no more signals or samples while the process tears itself down.
        for (const siagent::ProfilerDescription& profiler : siagent::profiler_descriptions())
            if (profiler.stop_at_unload != nullptr) profiler.stop_at_unload();
    }
}

}  // namespace

bool siagent::pause_agent_thread() {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    bool start_waiting = disarm_pending_start() && pending_config != nullptr;
    bool agent_paused = running_agent != nullptr && running_agent->pause_thread();
    return start_waiting || agent_paused;
}

void siagent::resume_agent_thread() {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    if (running_agent != nullptr) running_agent->resume_thread();
    else arm_pending_start();
}

SIAGENT_EXPORT int si_start(const char* const* options) {
    const std::vector<std::string>& known = siagent::config_variable_names();
    for (const char* const* option = options; option != nullptr && *option != nullptr; ++option) {
        const char* equals = strchr(*option, '=');
        std::string name = equals != nullptr ? std::string(*option, equals - *option) : *option;
        bool recognized = false;
        for (const std::string& candidate : known) recognized = recognized || candidate == name;
        if (!recognized) {
            siagent::log_warning("si_start: unknown option \"%s\" (expected SI_NAME=value)",
                                 name.c_str());
            return SIAGENT_ERROR_UNKNOWN_OPTION;
        }
    }
    auto lookup = [options](const char* name) -> const char* {
        size_t length = strlen(name);
        for (const char* const* option = options; option != nullptr && *option != nullptr; ++option) {
            if (strncmp(*option, name, length) == 0 && (*option)[length] == '=')
                return *option + length + 1;
        }
        return getenv(name);
    };
    prepare_process();
    siagent::ConfigResult result = configure(lookup);
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    cancel_pending_start();
    start_locked(result.config);
    return running_agent != nullptr ? SIAGENT_OK : SIAGENT_ERROR_START_FAILED;
}

void siagent::stop_for_sandbox() {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    if (running_agent != nullptr || pending_config != nullptr)
        siagent::log_debug("a seccomp filter is being installed: the agent stops in this process");
    cancel_pending_start();
    stop_locked();
}

SIAGENT_EXPORT void si_destroy(void) {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    cancel_pending_start();
    stop_locked();
}
