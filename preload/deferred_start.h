// The agent of a fork child starts only once the child has lived a while.
//
// Most fork children exec or exit within milliseconds (shells, make, fork-and-exec
// launchers); a new agent in each (a thread, an event loop, a last report) multiplied their
// cost. A child instead gets one waiting thread: if the child is still there after the
// delay, the thread starts the agent and ends; if it execs or exits first, nothing else
// happened (exec and exit end the thread; the child wrote nothing).
//
// Locking: arm, cancel and forget are called with the caller's life-cycle lock held (the
// one `start` takes), never from `start` itself. The waiting thread takes that lock only
// with try_lock, giving up when cancelled, so a canceller holding the lock can always join
// it.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace siagent {

class DeferredStart {
public:
    // `lifecycle` is the life-cycle lock; `start` runs with it held, on the waiting thread.
    DeferredStart(std::mutex& lifecycle, std::function<void()> start)
        : lifecycle_(lifecycle), start_(std::move(start)) {}

    // Starts the waiting thread (one at a time). Returns false if it could not be made.
    bool arm(std::chrono::milliseconds delay);
    // Stops a waiting thread and joins it (it may have started the agent already), and
    // returns once it has left the process. Returns whether a thread was waiting (not yet
    // started the agent).
    bool cancel();
    // At exit: a waiting thread gives up without being joined (the exit ends it); one that
    // already started the agent has released the life-cycle lock and ends by itself.
    void abandon();
    // In a fork child: the parent's waiting thread does not exist here.
    void forget();

private:
    static void* run(void* self);
    bool wait_for_turn();

    std::mutex& lifecycle_;
    std::function<void()> start_;
    std::chrono::milliseconds delay_{0};
    pthread_t thread_{};
    bool thread_exists_ = false;  // guarded by the life-cycle lock
    std::atomic<pid_t> thread_id_{0};  // the waiting thread's, once it runs
    std::mutex wait_mutex_;
    std::condition_variable wake_;  // cancel() wakes the waiting thread
    bool cancelled_ = false;  // guarded by wait_mutex_
    bool started_ = false;    // guarded by wait_mutex_: start_ ran
};

}  // namespace siagent
