#include "core/cpu/start_alarm.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "core/cpu/cpu_profiler.h"
#include "core/interrupted_code.h"
#include "core/interruptions.h"
#include "core/fork_child_code.h"

namespace siagent {

const char kStartAlarmMarker = 0;

namespace {

// An unsafe moment is tried again after this much more CPU time of the process.
constexpr long kRetryCpuNs = 10'000'000;

// The alarm of this process (guarded by the caller's life-cycle lock; read by the handler).
SIAGENT_FORK_CHILD_DATA std::atomic<bool (*)()> start_callback{nullptr};
SIAGENT_FORK_CHILD_DATA timer_t alarm_timer{};
SIAGENT_FORK_CHILD_DATA std::atomic<bool> alarm_exists{false};

// signal-safe: the alarm fires once the process has used `cpu_ns` more CPU time.
SIAGENT_FORK_CHILD_CODE bool set_alarm(long cpu_ns) {
    itimerspec when{};
    when.it_value.tv_sec = cpu_ns / 1'000'000'000;
    when.it_value.tv_nsec = cpu_ns % 1'000'000'000;
    return timer_settime(alarm_timer, 0, &when, nullptr) == 0;
}

}  // namespace

SIAGENT_FORK_CHILD_CODE bool arm_start_alarm(std::chrono::milliseconds cpu_time, bool (*start)()) {
    if (!cpu_profiler_handler_installed() || !runtime_code_known()) return false;
    if (!alarm_exists.load()) {
        sigevent event{};
        event.sigev_notify = SIGEV_SIGNAL;
        event.sigev_signo = SIGPROF;
        event.sigev_value.sival_ptr = const_cast<char*>(&kStartAlarmMarker);
        if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &event, &alarm_timer) != 0) return false;
        alarm_exists.store(true);
    }
    start_callback.store(start);
    long cpu_ns = static_cast<long>(std::chrono::nanoseconds(cpu_time).count());
    if (set_alarm(cpu_ns > 0 ? cpu_ns : 1)) return true;
    disarm_start_alarm();
    return false;
}

// Also runs at the exit of every fork child that armed an alarm (unload_agent).
SIAGENT_FORK_CHILD_CODE bool disarm_start_alarm() {
    bool waiting = start_callback.exchange(nullptr) != nullptr;
    if (alarm_exists.exchange(false)) timer_delete(alarm_timer);
    return waiting;
}

SIAGENT_FORK_CHILD_CODE void forget_start_alarm() {
    start_callback.store(nullptr);
    alarm_exists.store(false);
}

SIAGENT_FORK_CHILD_CODE bool start_alarm_pending() { return start_callback.load(std::memory_order_relaxed) != nullptr; }

void on_start_alarm(const void* ucontext) {
    // A blocking call this signal interrupts is resumed by its interposer.
    ++agent_signals;
    bool (*start)() = start_callback.load();
    if (start == nullptr || !alarm_exists.load()) return;
    if (interrupted_code_holds_no_lock(ucontext) && start()) {
        start_callback.store(nullptr);  // the one-shot timer is spent; start_locked deletes it
        return;
    }
    set_alarm(kRetryCpuNs);
}

}  // namespace siagent
