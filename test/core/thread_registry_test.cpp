#include "core/cpu/thread_registry.h"

#include <catch2/catch.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

using siagent::ThreadRegistry;

namespace {

pid_t current_tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// A long interval and an ignored real-time signal: the timers exist but never matter here.
const int kQuietSignal = SIGRTMIN + 3;
constexpr int64_t kOneHour = 3'600'000'000'000;

struct IgnoreQuietSignal {
    IgnoreQuietSignal() { signal(kQuietSignal, SIG_IGN); }
};

}  // namespace

TEST_CASE("threads are armed only while enabled, and never the excluded one") {
    IgnoreQuietSignal ignore;
    ThreadRegistry registry;
    registry.register_thread(current_tid());
    CHECK(registry.armed_count() == 0);  // not enabled yet

    registry.enable(kQuietSignal, kOneHour, current_tid());
    registry.register_thread(current_tid());
    CHECK(registry.armed_count() == 0);  // excluded

    registry.enable(kQuietSignal, kOneHour, 0);
    registry.register_thread(current_tid());
    registry.register_thread(current_tid());  // again: replaces, does not add
    CHECK(registry.armed_count() == 1);
    registry.unregister_thread(current_tid());
    CHECK(registry.armed_count() == 0);
    registry.disable();
}

TEST_CASE("a rescan arms threads nobody registered and forgets threads that ended") {
    IgnoreQuietSignal ignore;
    ThreadRegistry registry;
    registry.enable(kQuietSignal, kOneHour, 0);
    std::atomic<bool> release{false};
    std::atomic<pid_t> worker_tid{0};
    std::thread worker([&] {
        worker_tid = current_tid();
        while (!release) std::this_thread::yield();
    });
    while (worker_tid == 0) std::this_thread::yield();

    registry.rescan();
    size_t with_worker = registry.armed_count();
    CHECK(with_worker >= 2);  // this thread and the worker (and any other thread of the runner)

    release = true;
    worker.join();
    // join returns when the kernel clears the thread id, which is before the task leaves
    // /proc/self/task: a rescan right after may still see it, a later one must not.
    registry.rescan();
    for (int wait = 0; wait < 200 && registry.armed_count() != with_worker - 1; ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        registry.rescan();
    }
    CHECK(registry.armed_count() == with_worker - 1);

    registry.disable();
    CHECK(registry.armed_count() == 0);
    CHECK(registry.first_error() == 0);
}

TEST_CASE("after a fork the child's registry forgets the parent's timers") {
    IgnoreQuietSignal ignore;
    ThreadRegistry registry;
    registry.enable(kQuietSignal, kOneHour, 0);
    registry.register_thread(current_tid());
    registry.lock_for_fork();
    registry.forget_after_fork();
    registry.unlock_after_fork();
    CHECK(registry.armed_count() == 0);
    registry.register_thread(current_tid());
    CHECK(registry.armed_count() == 0);  // disabled until enabled again
}
