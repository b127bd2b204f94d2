// The application's view of SIGPROF in its signal masks (see preload/signals.cpp).
#pragma once

namespace siagent {

// signal-safe. Whether the calling thread's application code believes it blocked SIGPROF
// (the real mask keeps it unblocked while the CPU profiler owns the signal). New threads
// start with their creator's value (preload/threads.cpp).
bool application_blocks_profiling_signal();
void set_application_blocks_profiling_signal(bool blocked);

}  // namespace siagent
