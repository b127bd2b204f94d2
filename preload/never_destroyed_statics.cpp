// The agent's libraries never destroy their static objects.
//
// The compiler registers the destructor of every static object (the agent's own, Boost.Asio's,
// the statically linked libstdc++'s and OpenSSL's) with __cxa_atexit, so that exit() runs
// them, before the libraries' own destructors (preload/agent_main.cpp's unload_agent). In a
// process that lives inside someone else's that is both costly and unsafe:
// - every fork child that exits (most of a fork-heavy program's children never start an agent)
//   would run a dozen destructors spread over the library's text and data, each page a page
//   fault in the child (about 20 µs each on a small VM: docs/performance.md, "Fork");
// - the agent thread may still be running while exit() tears down what it uses, since
//   unload_agent, which stops it, runs after them.
// This definition, hidden and linked into each of the agent's libraries, binds those
// registrations (and OpenSSL's atexit, which libc_nonshared turns into one) to itself: it
// records nothing, so their objects live until the process ends and the kernel reclaims
// them. Nothing the agent must do at exit is left to a static destructor: the last report,
// files and descriptors are the business of unload_agent and the agent's shutdown. The
// libraries are loaded with RTLD_NODELETE (-z nodelete) and never unloaded, so no destructor
// is due before the process ends. The first stage (libsiagent.so) has no such statics.
#include "core/fork_child_code.h"

extern "C" __attribute__((visibility("hidden"))) int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}

// For the same reasons, __cxa_finalize: crtbeginS's __do_global_dtors_aux (a .fini_array
// entry) calls it for the library at every exit, through a weak reference. Bound to libc's,
// the call went through a PLT stub in a page of its own, which every exiting fork child
// faulted in. libc's would find nothing of the library to run: it registers nothing with
// __cxa_atexit (above) or pthread_atfork (the fork handlers are the first stage's), and it is
// finalized only at exit (-z nodelete). The reference binds to this empty local definition
// instead, which sits with the fork-child code (core/fork_child_code.h).
extern "C" __attribute__((visibility("hidden"))) SIAGENT_FORK_CHILD_CODE void __cxa_finalize(void*) {}
