// Whether this library was preloaded, and whether the parent process was too.
#pragma once

namespace siagent {

// LD_PRELOAD (or /etc/ld.so.preload) names this library: the agent starts by itself,
// rather than waiting for the program's si_start(). Not signal-safe (reads a file).
bool library_preloaded();

// The parent process runs with this library in its LD_PRELOAD, so it has already said what
// a start has to say (its configuration problems, a missing destination): an exec'd or
// spawned child says nothing again. False when the parent cannot be read. Computed once.
// Not signal-safe.
bool parent_has_library_preloaded();

}  // namespace siagent
