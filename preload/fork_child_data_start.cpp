// The starts of the agent library's fork-child code and data (core/fork_child_code.h). This
// file is the library's first object, so its parts of both sections come first: the code's
// group starts a 64 KiB window (the kernel's fault-around: about 5 KiB of code, one fault),
// the data's a page (about 3.5 KiB, one copied page).
#include "core/fork_child_code.h"

namespace {

[[gnu::used]] alignas(4096) SIAGENT_FORK_CHILD_DATA char fork_child_data_start = 0;

}  // namespace

// The library's DT_FINI (preload/meson.build: -fini), which the loader calls at every
// process exit, fork children included: an empty function at the start of the fork-child
// code's window rather than crti's _fini in a page of its own, which every exiting child
// faulted in.
// The library's destructors are .fini_array entries and run as before.
extern "C" [[gnu::used]] __attribute__((aligned(65536))) SIAGENT_FORK_CHILD_CODE void siagent_agent_fini() {}
