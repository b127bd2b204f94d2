#include "core/unwinder_memory.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

namespace siagent {

thread_local constinit int unwinder_call_depth = 0;

void give_unwinder_pipe(int pipe_ends[2]) {
    pipe_ends[0] = kUnwinderPipeReadEnd;
    pipe_ends[1] = kUnwinderPipeWriteEnd;
}

ssize_t read_unwinder_pipe() {
    errno = EAGAIN;
    return -1;
}

// process_vm_readv on the calling process reads through the kernel's user-copy routines,
// which fail with EFAULT on an unmapped or unreadable page instead of faulting: the same
// answer the pipe write gave, with no descriptor. Where it is unavailable (a seccomp filter
// refusing it), every address is called unreadable: libunwind then ends the stack at that
// frame, which loses depth but never touches a bad page.
bool copy_own_memory(const void* address, void* into, size_t size) {
    iovec local{into, size};
    iovec remote{const_cast<void*>(address), size};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

ssize_t write_unwinder_pipe(const void* address, size_t size) {
    if (size == 0) return 0;
    char copy[64];
    if (size > sizeof copy) size = sizeof copy;
    if (copy_own_memory(address, copy, size)) return static_cast<ssize_t>(size);
    errno = EFAULT;
    return -1;
}

}  // namespace siagent
