// Every profiler the agent runs, described once: the setting that disables it, how its
// source is made, and what it does when the process forks or the library unloads. The
// agent starts them from this list (agent/agent.cpp) and the fork and unload handlers walk
// it (preload/agent_main.cpp); adding a profiler is its own files in core/ plus one entry
// here (docs/architecture.md, "Adding a profiler").
#pragma once

#include <array>
#include <memory>
#include <span>

#include "core/config.h"
#include "core/profile_source.h"

namespace siagent {

struct ProfilerDescription {
    const char* name;                // as the logs say it: "CPU profiler"
    const char* disabling_variable;  // the SI_..._DISABLED variable
    bool Config::*disabled;          // its parsed value
    std::unique_ptr<ProfileSource> (*make_source)();
    // The profile kinds its source emits (transport/profile_metric.h encodes each), null
    // past the last.
    std::array<const char*, 2> kinds;
    // Whether the dashboard's `profiling_disabled: yes` stops it (its source is stopped,
    // and started again when the dashboard enables profiling). Exceptions and crashes go on.
    bool stops_when_profiling_disabled;
    // Each may be null. on_disabled: this process will never run the profiler.
    void (*on_disabled)();
    // Around fork, with the agent's life-cycle lock held; in the child only the forking
    // thread exists.
    void (*prepare_fork)();
    void (*parent_after_fork)();
    void (*child_after_fork)();
    // When the library unloads without a last report (SI_AUTO_DESTROY off): no more
    // signals or samples while the process tears itself down.
    void (*stop_at_unload)();
};

// In start order.
std::span<const ProfilerDescription> profiler_descriptions();

}  // namespace siagent
