#include "preload/deferred_start.h"

#include <unistd.h>

#include <csignal>
#include <new>

#include "core/agent_guard.h"
#include "core/fork_child_code.h"
#include "core/thread_exit.h"
#include "core/thread_id.h"

namespace siagent {
namespace {

// The waiting thread's stack: enough for the agent's start (no deep calls), and far less
// to map, guard and tear down than the default 8 MiB in every fork child.
constexpr size_t kStackBytes = 256 << 10;

}  // namespace

bool DeferredStart::arm(std::chrono::milliseconds delay) {
    if (thread_exists_) return true;
    {
        std::lock_guard<std::mutex> lock(wait_mutex_);
        cancelled_ = false;
        started_ = false;
    }
    delay_ = delay;
    thread_id_.store(0);
    // Like the agent thread: every signal blocked (the application's signals go to its
    // own threads), agent scope so the interposed pthread_create and sigmask know it.
    AgentScope agent_code;
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, kStackBytes);
    thread_exists_ = pthread_create(&thread_, &attributes, run, this) == 0;
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return thread_exists_;
}

bool DeferredStart::cancel() {
    if (!thread_exists_) return false;
    bool was_waiting;
    {
        std::lock_guard<std::mutex> lock(wait_mutex_);
        cancelled_ = true;
        was_waiting = !started_;
    }
    wake_.notify_all();
    pthread_join(thread_, nullptr);
    wait_until_thread_gone(thread_id_.load(), std::chrono::milliseconds(50));
    thread_exists_ = false;
    return was_waiting;
}

void DeferredStart::abandon() {
    if (!thread_exists_) return;
    {
        std::lock_guard<std::mutex> lock(wait_mutex_);
        cancelled_ = true;
    }
    wake_.notify_all();
    pthread_detach(thread_);
    thread_exists_ = false;
}

SIAGENT_FORK_CHILD_CODE void DeferredStart::forget() {
    // Only the waiting thread (and arm and cancel, under the life-cycle lock the fork holds)
    // use these: with no waiting thread at the fork nobody held them, and they are left
    // unwritten (a page written here is copied into every fork child).
    if (!thread_exists_) return;
    thread_exists_ = false;
    // The waiting thread may have held these at the fork: fresh ones for this process.
    new (&wait_mutex_) std::mutex;
    new (&wake_) std::condition_variable;
}

// Waits out the delay, then for the life-cycle lock; false when cancelled meanwhile.
bool DeferredStart::wait_for_turn() {
    std::unique_lock<std::mutex> lock(wait_mutex_);
    if (wake_.wait_for(lock, delay_, [this] { return cancelled_; })) return false;
    while (!lifecycle_.try_lock()) {
        if (wake_.wait_for(lock, std::chrono::milliseconds(1), [this] { return cancelled_; }))
            return false;
    }
    started_ = true;
    return true;
}

void* DeferredStart::run(void* self) {
    mark_thread_as_agent();
    auto* deferred = static_cast<DeferredStart*>(self);
    deferred->thread_id_.store(siagent::current_thread_id());
    if (!deferred->wait_for_turn()) return nullptr;
    deferred->start_();
    deferred->lifecycle_.unlock();
    return nullptr;
}

}  // namespace siagent
