// Interposed unshare and setns. The kernel refuses to move a multi-threaded process into a
// new user namespace (and to unshare its mount namespace or file-system attributes) with
// EINVAL; the agent's own thread would make every single-threaded tool that does so
// (`unshare --user`, container runtimes, sandboxes) fail. The agent thread is paused around
// the call, so the application sees exactly the result it would see without the agent.
#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>

#include "preload/lifecycle.h"

namespace {

template <typename Function>
Function real_function(const char* name) {
    return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

// Runs `call` with the agent thread paused. A joined thread leaves the kernel's thread
// group a moment after pthread_join returns, and until then the call still fails with
// EINVAL: it is tried again for up to 50 ms. (An EINVAL of the application's own making
// comes back the same, 50 ms later.)
template <typename Call>
int single_threaded(Call call) {
    bool paused = siagent::pause_agent_thread();
    int result = call();
    for (int tries = 0; paused && result == -1 && errno == EINVAL && tries < 50; ++tries) {
        usleep(1000);
        result = call();
    }
    int saved_errno = errno;
    if (paused) siagent::resume_agent_thread();
    errno = saved_errno;
    return result;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int unshare(int flags) {
    static auto real = real_function<int (*)(int)>("unshare");
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    return single_threaded([&] { return real(flags); });
}

extern "C" __attribute__((visibility("default"))) int setns(int fd, int namespace_type) {
    static auto real = real_function<int (*)(int, int)>("setns");
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    return single_threaded([&] { return real(fd, namespace_type); });
}
