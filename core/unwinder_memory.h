// libunwind's memory validation, answered without file descriptors.
//
// When libunwind falls back from unwind tables to walking frame pointers, it checks that an
// address is readable by writing one byte of it into a pipe it opens lazily with pipe2()
// (then read(), close(), and syscall(SYS_write) on that pipe). Opened inside the profiling
// signal handler, that pipe took the application's lowest free descriptors (3 and 4), read
// its data, and died when the application closed "its" descriptors.
//
// Instead, the interposed pipe2 gives libunwind two numbers no descriptor can ever have
// (above the kernel's fs.nr_open ceiling), and the interposed read, write, syscall and close
// answer for those numbers here: reading finds the pipe empty, writing checks the byte with
// process_vm_readv on the process itself, closing succeeds. The agent takes no descriptor
// for unwinding, and no application descriptor is ever touched by it.
#pragma once

#include <sys/types.h>

#include <climits>
#include <cstddef>

namespace siagent {

// The two ends libunwind is given. The kernel never hands out a descriptor above
// INT_MAX & -64 (sysctl_nr_open_max), so these can only be the pipe libunwind was given.
constexpr int kUnwinderPipeReadEnd = INT_MAX - 1;
constexpr int kUnwinderPipeWriteEnd = INT_MAX;

// signal-safe, malloc-safe.
inline bool is_unwinder_pipe(int fd) {
    return fd == kUnwinderPipeReadEnd || fd == kUnwinderPipeWriteEnd;
}

// Depth > 0 while this thread is inside libunwind on the agent's behalf (initial-exec TLS:
// no allocation on first touch). Only then does the interposed pipe2 answer for libunwind.
extern thread_local constinit int unwinder_call_depth __attribute__((tls_model("initial-exec")));

// Marks a call into libunwind. Nests. signal-safe, malloc-safe.
class UnwinderCall {
public:
    UnwinderCall() { ++unwinder_call_depth; }
    ~UnwinderCall() { --unwinder_call_depth; }
    UnwinderCall(const UnwinderCall&) = delete;
    UnwinderCall& operator=(const UnwinderCall&) = delete;
};

inline bool inside_unwinder_call() { return unwinder_call_depth > 0; }

// Copies `size` bytes of this process's memory at `address` into `into` through the kernel
// (process_vm_readv): false, without faulting, when any of it is unmapped or unreadable.
// signal-safe, malloc-safe.
bool copy_own_memory(const void* address, void* into, size_t size);

// The answers for the interposers, as the real calls would return them (-1 and errno on
// failure). signal-safe, malloc-safe.
void give_unwinder_pipe(int pipe_ends[2]);
ssize_t read_unwinder_pipe();                                 // empty: -1, EAGAIN
ssize_t write_unwinder_pipe(const void* address, size_t size);  // size if readable, else -1, EFAULT

}  // namespace siagent
