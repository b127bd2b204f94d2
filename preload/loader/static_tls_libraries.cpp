// Libraries the agent uses inside signal handlers are loaded with the first stage, at
// process start, not by the agent's dlopen: a library loaded at start keeps its
// thread-local data in the static TLS block every thread gets when it is made, while a
// dlopen'ed one's is allocated (malloc) on each thread's first access. libunwind's would
// then be allocated inside the profiling signal handler: a deadlock when the signal lands
// in fork, which holds malloc's locks (seen in a fork storm).
//
// A reference to one of its functions keeps libunwind in libsiagent.so's DT_NEEDED
// (the link drops libraries nothing refers to). About 0.1 ms per process, with liblzma.
#include <libunwind.h>

namespace {

[[gnu::used]] int (*const keep_libunwind_loaded)(void**, int) = &unw_backtrace;

}  // namespace
