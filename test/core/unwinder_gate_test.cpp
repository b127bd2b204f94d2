#include "core/unwinder_gate.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

using namespace siagent;
using namespace std::chrono_literals;

namespace {

// Walks this thread's stack with unw_step, which takes libunwind's process-wide lock of its
// register-state cache at every step.
int unwind_here() {
    UnwinderEntry entry;
    if (!entry.admitted()) return -1;
    unw_context_t context;
    unw_cursor_t cursor;
    unw_getcontext(&context);
    if (unw_init_local(&cursor, &context) < 0) return -1;
    int frames = 0;
    while (unw_step(&cursor) > 0) ++frames;
    return frames;
}

// The child's status, or -1 if it has not ended within `limit` (it is then killed).
int wait_for_child(pid_t child, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(1ms);
    }
    return status;
}

}  // namespace

TEST_CASE("no unwind enters while a fork is being prepared, and entries nest") {
    {
        UnwinderEntry outer;
        REQUIRE(outer.admitted());
        UnwinderEntry inner;
        CHECK(inner.admitted());
        CHECK(inside_unwinder_call());
    }
    close_unwinder_gate_for_fork();
    {
        UnwinderEntry refused;
        CHECK_FALSE(refused.admitted());
        CHECK(unwind_here() == -1);
    }
    open_unwinder_gate_in_parent();
    CHECK(unwind_here() > 0);
    CHECK(unwinder_usable());
}

TEST_CASE("a fork waits for the unwinds under way to leave") {
    std::atomic<bool> entered{false};
    std::atomic<bool> left{false};
    std::thread unwinding([&] {
        UnwinderEntry entry;
        entered = true;
        std::this_thread::sleep_for(10ms);
        left = true;
    });
    while (!entered) std::this_thread::yield();
    close_unwinder_gate_for_fork();
    CHECK(left);  // close returned only once the entry had left
    open_unwinder_gate_in_parent();
    unwinding.join();
}

TEST_CASE("an unwind that never leaves: the fork goes on and its child never unwinds") {
    std::atomic<bool> entered{false};
    std::atomic<bool> release{false};
    std::thread stuck([&] {
        UnwinderEntry entry;
        entered = true;
        while (!release) std::this_thread::sleep_for(1ms);
    });
    while (!entered) std::this_thread::yield();
    auto before = std::chrono::steady_clock::now();
    close_unwinder_gate_for_fork();
    auto waited = std::chrono::steady_clock::now() - before;
    CHECK(waited >= kForkWaitLimit);
    CHECK(waited < kForkWaitLimit * 20);
    pid_t child = fork();
    if (child == 0) {
        open_unwinder_gate_in_child();
        bool refused = !unwinder_usable() && unwind_here() == -1;
        // Its own forks keep the gate closed too.
        close_unwinder_gate_for_fork();
        open_unwinder_gate_in_parent();
        refused = refused && unwind_here() == -1;
        _exit(refused ? 0 : 1);
    }
    open_unwinder_gate_in_parent();
    release = true;
    stuck.join();
    REQUIRE(child > 0);
    int status = wait_for_child(child, 10s);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(unwinder_usable());  // the parent's locks are released: it goes on unwinding
    CHECK(unwind_here() > 0);
}

// Without the gate, a child forked while the other thread held libunwind's lock waits for
// ever in its first unw_step (about 1 fork in 50 here).
TEST_CASE("forks while another thread unwinds all make children that can unwind") {
    static bool handlers_installed = false;
    if (!handlers_installed) {
        pthread_atfork(close_unwinder_gate_for_fork, open_unwinder_gate_in_parent,
                       open_unwinder_gate_in_child);
        handlers_installed = true;
    }
    std::atomic<bool> stop{false};
    std::atomic<long> unwinds{0};
    std::thread unwinding([&] {
        while (!stop) {
            if (unwind_here() > 0) ++unwinds;
        }
    });
    // A child whose fork gave up waiting (the unwinding thread was descheduled inside
    // libunwind for kForkWaitLimit: a loaded machine) never unwinds, by design; it exits 2.
    constexpr int kForks = 400;
    int hung = 0, failed = 0, gave_up = 0;
    for (int i = 0; i < kForks && hung == 0; ++i) {
        pid_t child = fork();
        if (child == 0) _exit(!unwinder_usable() ? 2 : unwind_here() > 0 ? 0 : 1);
        REQUIRE(child > 0);
        int status = wait_for_child(child, 5s);
        if (status == -1) ++hung;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 2) ++gave_up;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    stop = true;
    unwinding.join();
    CHECK(hung == 0);
    CHECK(failed == 0);
    CHECK(gave_up < kForks / 10);
    CHECK(unwinds > 0);
}
