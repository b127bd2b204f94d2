#include "core/cpu/thread_registry.h"

#include <new>

#include <dirent.h>

#include <cstdlib>
#include <unordered_set>

#include "core/cpu/cpu_timer.h"
#include "core/fork_child_code.h"

namespace siagent {

void ThreadRegistry::enable(int signal, int64_t interval_ns, pid_t excluded_tid) {
    std::lock_guard<std::mutex> lock(mutex_);
    enabled_ = true;
    signal_ = signal;
    interval_ns_ = interval_ns;
    excluded_tid_ = excluded_tid;
}

void ThreadRegistry::disable() {
    std::lock_guard<std::mutex> lock(mutex_);
    enabled_ = false;
    for (auto& entry : timers_) delete_thread_cpu_timer(entry.second);
    timers_.clear();
}

void ThreadRegistry::arm_locked(pid_t tid) {
    if (!enabled_ || tid == excluded_tid_) return;
    auto existing = timers_.find(tid);
    if (existing != timers_.end()) {
        // A recycled tid: the old timer watches a thread that is gone.
        delete_thread_cpu_timer(existing->second);
        timers_.erase(existing);
    }
    timer_t timer;
    int error = create_thread_cpu_timer(tid, signal_, interval_ns_, timer);
    if (error != 0) {
        if (first_error_ == 0) first_error_ = error;
        return;
    }
    timers_.emplace(tid, timer);
}

void ThreadRegistry::exclude(pid_t tid) {
    std::lock_guard<std::mutex> lock(mutex_);
    excluded_tid_ = tid;
    auto found = timers_.find(tid);
    if (found == timers_.end()) return;
    delete_thread_cpu_timer(found->second);
    timers_.erase(found);
}

void ThreadRegistry::register_thread(pid_t tid) {
    std::lock_guard<std::mutex> lock(mutex_);
    arm_locked(tid);
}

void ThreadRegistry::unregister_thread(pid_t tid) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = timers_.find(tid);
    if (found == timers_.end()) return;
    delete_thread_cpu_timer(found->second);
    timers_.erase(found);
}

void ThreadRegistry::rescan() {
    std::unordered_set<pid_t> alive;
    if (DIR* tasks = opendir("/proc/self/task")) {
        while (dirent* entry = readdir(tasks)) {
            pid_t tid = static_cast<pid_t>(strtol(entry->d_name, nullptr, 10));
            if (tid > 0) alive.insert(tid);
        }
        closedir(tasks);
    }
    if (alive.empty()) return;  // /proc unavailable: keep what we have

    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = timers_.begin(); it != timers_.end();) {
        if (alive.count(it->first) == 0) {
            delete_thread_cpu_timer(it->second);
            it = timers_.erase(it);
        } else {
            ++it;
        }
    }
    for (pid_t tid : alive) {
        if (timers_.count(tid) == 0) arm_locked(tid);
    }
}

size_t ThreadRegistry::armed_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return timers_.size();
}

int ThreadRegistry::first_error() {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_error_;
}

void ThreadRegistry::lock_for_fork() { mutex_.lock(); }

SIAGENT_FORK_CHILD_CODE void ThreadRegistry::unlock_after_fork() { mutex_.unlock(); }

SIAGENT_FORK_CHILD_CODE void ThreadRegistry::forget_after_fork() {
    // The parent's threads' timers do not exist here. The map is left behind, not freed:
    // freeing it would copy the allocator's pages into every fork child (most exec or exit
    // at once); a child that starts its agent has a new one.
    if (!timers_.empty()) new (&timers_) std::unordered_map<pid_t, timer_t>();
    enabled_ = false;
}

}  // namespace siagent
