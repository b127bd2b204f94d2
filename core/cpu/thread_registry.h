// Which threads of the process have a CPU timer, and keeping that true as threads come
// and go: threads made through pthread_create register themselves at start (preload/
// threads.cpp) and leave at exit; threads that existed before the agent started, or were
// made by a raw clone, are found by rescanning /proc/self/task.
//
// Locking: one mutex, taken by the agent thread and by starting/ending threads, never in
// a signal handler or an allocation hook. pthread_atfork holds it across fork so the child
// inherits a consistent table.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace siagent {

class ThreadRegistry {
public:
    // Starts arming threads: from now on register_thread and rescan create timers.
    void enable(int signal, int64_t interval_ns, pid_t excluded_tid);
    // Deletes every timer and stops arming. Signals already pending still arrive.
    void disable();

    // From now on leave `tid` out (and disarm it if it was armed).
    void exclude(pid_t tid);

    void register_thread(pid_t tid);
    void unregister_thread(pid_t tid);
    // Arms threads listed in /proc/self/task that have no timer, drops those that are gone.
    void rescan();

    size_t armed_count();
    // The first error timer_create gave (errno), or 0; for diagnostics.
    int first_error();

    void lock_for_fork();
    void unlock_after_fork();
    // In a fork child: the parent's timers were not inherited; forget them, arm nothing.
    void forget_after_fork();

private:
    void arm_locked(pid_t tid);

    std::mutex mutex_;
    std::unordered_map<pid_t, timer_t> timers_;
    bool enabled_ = false;
    int signal_ = 0;
    int64_t interval_ns_ = 0;
    pid_t excluded_tid_ = 0;
    int first_error_ = 0;
};

}  // namespace siagent
