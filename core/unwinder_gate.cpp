#include "core/unwinder_gate.h"

#include <time.h>

#include <atomic>

#include "core/agent_guard.h"
#include "core/fork_child_code.h"
#include "core/tick_clock.h"

namespace siagent {
namespace {

// Sequentially consistent on both sides (the entry's increment then check, the fork's close
// then count): either the fork sees an entry's count, or the entry sees the closed gate.
std::atomic<int> unwinds_under_way{0};
// Closed while any thread prepares a fork: a count, since two threads may fork at once.
SIAGENT_FORK_CHILD_DATA std::atomic<int> forks_preparing{0};
// Set in a child whose parent's fork stopped waiting: this process's copy of libunwind may
// hold a lock nobody will release. Inherited by its own children.
SIAGENT_FORK_CHILD_DATA std::atomic<bool> unwinder_unusable{false};
// Initial-exec TLS (no allocation on first touch): this thread's admitted entries, and
// whether its last fork stopped waiting (read by the child it made, the same thread there).
thread_local constinit int admitted_depth __attribute__((tls_model("initial-exec"))) = 0;
thread_local constinit bool wait_gave_up __attribute__((tls_model("initial-exec"))) = false;

}  // namespace

UnwinderEntry::UnwinderEntry() : admitted_(false) {
    if (admitted_depth > 0) {
        admitted_ = true;
        ++admitted_depth;
        return;
    }
    unwinds_under_way.fetch_add(1);
    if (forks_preparing.load() > 0) {
        unwinds_under_way.fetch_sub(1);
        return;
    }
    admitted_ = true;
    admitted_depth = 1;
}

UnwinderEntry::~UnwinderEntry() {
    if (!admitted_) return;
    if (--admitted_depth == 0) unwinds_under_way.fetch_sub(1);
}

void close_unwinder_gate_for_fork() {
    forks_preparing.fetch_add(1);
    // The forking thread may itself be inside an unwind (an application's signal handler
    // that forks, run on top of a sample): that one cannot leave before the fork.
    const int own = admitted_depth > 0 ? 1 : 0;
    wait_gave_up = false;
    if (unwinds_under_way.load() <= own) return;
    AgentScope agent_code;  // the sleep below is not the application's blocking call
    const uint64_t deadline =
        monotonic_ns() + static_cast<uint64_t>(std::chrono::nanoseconds(kForkWaitLimit).count());
    while (unwinds_under_way.load() > own) {
        if (monotonic_ns() > deadline) {
            wait_gave_up = true;
            return;
        }
        timespec pause{0, 20'000};
        nanosleep(&pause, nullptr);
    }
}

void open_unwinder_gate_in_parent() {
    if (!unwinder_unusable.load(std::memory_order_relaxed)) forks_preparing.fetch_sub(1);
}

SIAGENT_FORK_CHILD_CODE void open_unwinder_gate_in_child() {
    // Only the forking thread exists here: no other fork is being prepared.
    if (wait_gave_up) unwinder_unusable.store(true, std::memory_order_relaxed);
    if (!unwinder_unusable.load(std::memory_order_relaxed)) forks_preparing.store(0);
}

bool unwinder_usable() { return !unwinder_unusable.load(std::memory_order_relaxed); }

}  // namespace siagent
