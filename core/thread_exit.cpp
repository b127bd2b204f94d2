#include "core/thread_exit.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "core/agent_guard.h"

namespace siagent {

bool thread_gone(pid_t tid) { return syscall(SYS_tgkill, getpid(), tid, 0) != 0 && errno == ESRCH; }

void wait_until_thread_gone(pid_t tid, std::chrono::milliseconds budget) {
    if (tid <= 0) return;
    AgentScope agent_code;  // the interposed sleep is not the application's blocking call
    const auto deadline = std::chrono::steady_clock::now() + budget;
    while (!thread_gone(tid)) {
        if (std::chrono::steady_clock::now() >= deadline) return;
        usleep(100);
    }
}

}  // namespace siagent
