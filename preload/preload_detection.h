// Whether the parent process was preloaded with libsiagent.so too (whether this one was is
// the first stage's question: preload/loader/environment.h).
#pragma once

namespace siagent {

// The parent process runs with libsiagent.so in its LD_PRELOAD, so it has already said what
// a start has to say (its configuration problems, a missing destination): an exec'd or
// spawned child says nothing again. False when the parent cannot be read. Computed once.
// Not signal-safe.
bool parent_has_library_preloaded();

}  // namespace siagent
