// Library constructor and destructor, fork handling, and the public C API (siagent.h).
//
// The agent starts by itself when the library was preloaded (LD_PRELOAD names it), from the
// environment; a program that links the library starts it with si_start().
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "core/block_profiler.h"
#include "core/config.h"
#include "core/allocation_profiler.h"
#include "core/cpu_profiler.h"
#include "core/error_profiler.h"
#include "core/log.h"
#include "core/stack_capture.h"
#include "preload/lifecycle.h"
#include "preload/siagent.h"
#include "transport/agent.h"

extern char** environ;

namespace {

using siagent::Agent;
using siagent::Config;

constexpr std::chrono::milliseconds kShutdownBudget{2000};

// Guards starting and stopping. Held across fork (pthread_atfork) so a child never
// inherits an agent half started or half stopped.
std::mutex lifecycle_mutex;
Agent* running_agent = nullptr;  // owned; abandoned (never deleted) when unsafe to delete

void stop_locked() {
    if (running_agent == nullptr) return;
    Agent* agent = running_agent;
    running_agent = nullptr;
    if (agent->shutdown(kShutdownBudget)) delete agent;
    // else: its thread still runs, detached; the Agent is abandoned on purpose.
}

void start_locked(const Config& config) {
    stop_locked();
    siagent::set_debug_logging(config.debug);
    running_agent = Agent::start(config).release();
    if (running_agent != nullptr) {
        siagent::log_debug("agent started for %s (pid %d)", config.app_name.c_str(), getpid());
    }
}

siagent::ConfigResult configure(const siagent::VariableLookup& lookup) {
    siagent::ConfigResult result = siagent::parse_config(lookup);
    for (const std::string& problem : result.problems) siagent::print_line(problem.c_str());
    return result;
}

// True when `list` (LD_PRELOAD's or /etc/ld.so.preload's form: paths separated by spaces,
// colons or new lines) names an object whose file name is `own_name`.
bool list_names(const std::string& list, const std::string& own_name) {
    size_t position = 0;
    while (position <= list.size()) {
        size_t end = list.find_first_of(": \t\n", position);
        if (end == std::string::npos) end = list.size();
        std::string entry = list.substr(position, end - position);
        size_t slash = entry.rfind('/');
        if (entry.substr(slash == std::string::npos ? 0 : slash + 1) == own_name) return true;
        position = end + 1;
    }
    return false;
}

// Preloaded, rather than linked by a program that will call si_start itself.
bool preloaded() {
    Dl_info self;
    if (dladdr(reinterpret_cast<void*>(&preloaded), &self) == 0 || self.dli_fname == nullptr)
        return false;
    const char* slash = strrchr(self.dli_fname, '/');
    std::string own_name = slash != nullptr ? slash + 1 : self.dli_fname;
    const char* variable = getenv("LD_PRELOAD");
    if (variable != nullptr && list_names(variable, own_name)) return true;
    // System-wide preloading names the library in /etc/ld.so.preload instead.
    FILE* system_list = fopen("/etc/ld.so.preload", "re");
    if (system_list == nullptr) return false;
    char buffer[4096];
    size_t length = fread(buffer, 1, sizeof buffer - 1, system_list);
    fclose(system_list);
    return list_names(std::string(buffer, length), own_name);
}

void prepare_fork() {
    lifecycle_mutex.lock();
    siagent::cpu_profiler().prepare_fork();
}

void parent_after_fork() {
    siagent::cpu_profiler().parent_after_fork();
    lifecycle_mutex.unlock();
}

// Only the forking thread exists here. The parent's Agent (its thread is gone) is
// abandoned, and a new one is started for this process with the same configuration.
void child_after_fork() {
    siagent::cpu_profiler().child_after_fork();
    siagent::allocation_profiler().child_after_fork();
    siagent::block_profiler().child_after_fork();
    if (siagent::error_profiler_active()) siagent::error_profiler().child_after_fork();
    Agent* parent_agent = running_agent;
    running_agent = nullptr;
    if (parent_agent != nullptr) running_agent = Agent::start(parent_agent->config()).release();
    lifecycle_mutex.unlock();
}

__attribute__((constructor)) void load_agent() {
    pthread_atfork(prepare_fork, parent_after_fork, child_after_fork);
    // Early, while the process has few thread keys, even if si_start comes much later.
    siagent::prepare_stack_capture();
    if (!preloaded()) return;
    for (const std::string& unknown : siagent::find_unknown_variables(environ))
        siagent::print_line(unknown.c_str());
    siagent::ConfigResult result = configure([](const char* name) { return getenv(name); });
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    start_locked(result.config);
}

__attribute__((destructor)) void unload_agent() {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    if (running_agent == nullptr) return;
    if (running_agent->config().auto_destroy) {
        stop_locked();
    } else {
        // No last report, but no more signals either while the process tears itself down.
        siagent::cpu_profiler().stop();
        siagent::block_profiler().stop();
    }
}

}  // namespace

bool siagent::pause_agent_thread() {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    return running_agent != nullptr && running_agent->pause_thread();
}

void siagent::resume_agent_thread() {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    if (running_agent != nullptr) running_agent->resume_thread();
}

extern "C" __attribute__((visibility("default"))) int si_start(const char* const* options) {
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
    siagent::ConfigResult result = configure(lookup);
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    start_locked(result.config);
    return running_agent != nullptr ? SIAGENT_OK : SIAGENT_ERROR_START_FAILED;
}

extern "C" __attribute__((visibility("default"))) void si_destroy(void) {
    std::lock_guard<std::mutex> lock(lifecycle_mutex);
    stop_locked();
}
