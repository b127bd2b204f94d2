#include "core/cpu/cpu_timer.h"

#include <cerrno>
#include <csignal>

namespace siagent {

const char kCpuTimerMarker = 0;

// The kernel's encoding of a thread's CPU clock (the one glibc's pthread_getcpuclockid
// makes): ~tid << 3 | CPUCLOCK_PERTHREAD_MASK (4) | CPUCLOCK_SCHED (2).
clockid_t thread_cpu_clock(pid_t tid) {
    return static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6);
}

int create_thread_cpu_timer(pid_t tid, int signal, int64_t interval_ns, timer_t& timer) {
    struct sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signal;
    event.sigev_value.sival_ptr = const_cast<char*>(&kCpuTimerMarker);
    event._sigev_un._tid = tid;
    if (timer_create(thread_cpu_clock(tid), &event, &timer) != 0) return errno;

    struct itimerspec period = {};
    period.it_interval.tv_sec = interval_ns / 1'000'000'000;
    period.it_interval.tv_nsec = interval_ns % 1'000'000'000;
    period.it_value = period.it_interval;
    if (timer_settime(timer, 0, &period, nullptr) != 0) {
        int error = errno;
        timer_delete(timer);
        return error;
    }
    return 0;
}

void delete_thread_cpu_timer(timer_t timer) { timer_delete(timer); }

}  // namespace siagent
