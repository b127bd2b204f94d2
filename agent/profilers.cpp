#include "agent/profilers.h"

#include "core/allocation/allocation_profile_source.h"
#include "core/allocation/allocation_profiler.h"
#include "core/block/block_profile_source.h"
#include "core/block/block_profiler.h"
#include "core/cpu/cpu_profile_source.h"
#include "core/cpu/cpu_profiler.h"
#include "core/crash/crash_report_source.h"
#include "core/error/error_profile_source.h"
#include "core/error/error_profiler.h"
#include "core/fork_child_code.h"

namespace siagent {
namespace {

template <typename Source>
std::unique_ptr<ProfileSource> make() {
    return std::make_unique<Source>();
}

// Named functions rather than lambdas: a lambda's code cannot be placed with the rest of
// what runs in every fork child (core/fork_child_code.h).
SIAGENT_FORK_CHILD_CODE void cpu_child_after_fork() { cpu_profiler().child_after_fork(); }
SIAGENT_FORK_CHILD_CODE void allocation_child_after_fork() {
    allocation_profiler().child_after_fork();
}
SIAGENT_FORK_CHILD_CODE void block_child_after_fork() { block_profiler().child_after_fork(); }
SIAGENT_FORK_CHILD_CODE void error_child_after_fork() {
    if (error_profiler_active()) error_profiler().child_after_fork();
}

const ProfilerDescription kProfilers[] = {
    {"CPU profiler", "SI_CPU_PROFILER_DISABLED", &Config::cpu_profiler_disabled,
     &make<CpuProfileSource>, {"cpu"}, true, nullptr,
     [] { cpu_profiler().prepare_fork(); },
     [] { cpu_profiler().parent_after_fork(); },
     &cpu_child_after_fork,
     [] { cpu_profiler().stop(); }},
    {"allocation profiler", "SI_ALLOCATION_PROFILER_DISABLED",
     &Config::allocation_profiler_disabled, &make<AllocationProfileSource>, {"alloc", "inuse"}, true,
     [] { allocation_profiler().disable_for_good(); }, nullptr, nullptr,
     &allocation_child_after_fork,
     [] { allocation_profiler().stop(); }},
    {"block profiler", "SI_BLOCK_PROFILER_DISABLED", &Config::block_profiler_disabled,
     &make<BlockProfileSource>, {"block"}, true, nullptr, nullptr, nullptr,
     &block_child_after_fork,
     [] { block_profiler().stop(); }},
    {"error profiler", "SI_ERROR_PROFILER_DISABLED", &Config::error_profiler_disabled,
     &make<ErrorProfileSource>, {"error"}, false, nullptr, nullptr, nullptr,
     &error_child_after_fork,
     nullptr},
    // One setting for exceptions and crashes. The crash handlers stay through the teardown
    // (a crash there is still worth its record).
    {"crash reporter", "SI_ERROR_PROFILER_DISABLED", &Config::error_profiler_disabled,
     &make<CrashReportSource>, {"crash"}, false, nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

SIAGENT_FORK_CHILD_CODE std::span<const ProfilerDescription> profiler_descriptions() { return kProfilers; }

}  // namespace siagent
