// Interposed unshare and setns. The kernel refuses to move a multi-threaded process into a
// new user namespace (and to unshare its mount namespace or file-system attributes) with
// EINVAL; the agent's own thread would make every single-threaded tool that does so
// (`unshare --user`, container runtimes, sandboxes) fail. The agent thread is paused around
// the call, so the application sees exactly the result it would see without the agent.
#include <sched.h>

#include <cerrno>

#include "preload/lifecycle.h"
#include "preload/real_function.h"

namespace {

template <typename Function>
Function real_function(const char* name) {
    return reinterpret_cast<Function>(siagent_next_symbol(name, nullptr));
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int unshare(int flags) {
    static auto real = real_function<int (*)(int)>("unshare");
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    return siagent::with_agent_thread_paused([&] { return real(flags); });
}

extern "C" __attribute__((visibility("default"))) int setns(int fd, int namespace_type) {
    static auto real = real_function<int (*)(int, int)>("setns");
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    return siagent::with_agent_thread_paused([&] { return real(fd, namespace_type); });
}
