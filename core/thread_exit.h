// Waiting for a joined thread to leave the kernel's thread group.
//
// pthread_join returns once the thread's exit has cleared its tid, a moment before the
// kernel removes it from the thread group; until then calls that need a single-threaded
// process (unshare(CLONE_NEWUSER), setns into a user namespace) still fail with EINVAL.
#pragma once

#include <sys/types.h>

#include <chrono>

namespace siagent {

// Whether thread `tid` is no longer in this process's thread group (signal 0 asks; ESRCH
// once it is gone). signal-safe; changes errno.
bool thread_gone(pid_t tid);

// Returns once thread `tid` of this process no longer exists, or after `budget`. Not for
// signal handlers (it sleeps).
void wait_until_thread_gone(pid_t tid, std::chrono::milliseconds budget);

}  // namespace siagent
