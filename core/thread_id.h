// The calling thread's kernel id. signal-safe, malloc-safe: one system call through libc's
// gettid, never through the agent's own interposed syscall() (preload/descriptors.cpp).
#pragma once

#include <sys/types.h>
#include <unistd.h>

namespace siagent {

inline pid_t current_thread_id() { return gettid(); }

}  // namespace siagent
