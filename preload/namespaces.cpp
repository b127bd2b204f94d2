// Interposed unshare and setns. The kernel refuses to move a multi-threaded process into a
// new user namespace (and to unshare its mount namespace or file-system attributes) with
// EINVAL; the agent's own thread would make every single-threaded tool that does so
// (`unshare --user`, container runtimes, sandboxes) fail. The agent thread is paused around
// the call, so the application sees exactly the result it would see without the agent.
#include <sched.h>

#include <cerrno>

#include "preload/export.h"
#include "preload/lifecycle.h"
#include "preload/real_function.h"

namespace {

constinit siagent::RealFunction<int (*)(int)> real_unshare{"unshare"};
constinit siagent::RealFunction<int (*)(int, int)> real_setns{"setns"};

}  // namespace

SIAGENT_EXPORT int unshare(int flags) {
    auto real = real_unshare.get();
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    return siagent::with_agent_thread_paused([&] { return real(flags); });
}

SIAGENT_EXPORT int setns(int fd, int namespace_type) {
    auto real = real_setns.get();
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    return siagent::with_agent_thread_paused([&] { return real(fd, namespace_type); });
}
