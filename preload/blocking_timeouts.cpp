// Interposed waits with a timeout, sleeps and semaphores: marked for the block profiler
// like blocking.cpp, and resumed with the remaining time when only the agent's signal
// interrupted them. The kernel never restarts these after a handled signal, SA_RESTART
// or not, so without this the agent's profiling signal would surface as EINTR (or as a
// short sleep). A signal the application handles still ends them as before.
//
// usleep and sleep call nanosleep inside glibc without going through the PLT, so a sleep
// is counted once, under its own name.
//
// Every function here is signal-safe and malloc-safe.
#include <poll.h>
#include <semaphore.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "preload/export.h"
#include "preload/real_function.h"
#include "preload/timed_call.h"

// libc declares these with attributes (nonnull, warn_unused_result) that a pointer type
// does not keep; that is fine for a pointer to the real function.
#pragma GCC diagnostic ignored "-Wignored-attributes"


namespace {

using siagent::BlockCall;
using siagent::interrupted_by_agent;
using siagent::InterruptionWatch;

#define SIAGENT_TIMEOUT_FUNCTIONS(X)                                                       \
    X(poll) X(ppoll) X(select) X(pselect) X(epoll_wait) X(epoll_pwait) X(epoll_pwait2)      \
    X(nanosleep)                                                                           \
    X(clock_nanosleep) X(usleep) X(sleep) X(sem_wait) X(sem_trywait) X(sem_timedwait)

// Fortified poll and ppoll (see blocking.cpp): called when the count is not a constant.
extern "C" {
int __poll_chk(struct pollfd* fds, nfds_t count, int timeout_ms, size_t fds_size);
int __ppoll_chk(struct pollfd* fds, nfds_t count, const struct timespec* timeout,
                const sigset_t* mask, size_t fds_size);
}

SIAGENT_TIMEOUT_FUNCTIONS(SIAGENT_DEFINE_REAL)
SIAGENT_DEFINE_REAL(__poll_chk)
SIAGENT_DEFINE_REAL(__ppoll_chk)

__attribute__((constructor(101))) void resolve_timeout_functions() {
#define SIAGENT_RESOLVE_REAL(name) real_##name.resolve();
    SIAGENT_TIMEOUT_FUNCTIONS(SIAGENT_RESOLVE_REAL)
    SIAGENT_RESOLVE_REAL(__poll_chk)
    SIAGENT_RESOLVE_REAL(__ppoll_chk)
#undef SIAGENT_RESOLVE_REAL
}

constexpr int64_t kNanosecondsPerSecond = 1'000'000'000;

int64_t to_ns(const timespec& time) {
    return static_cast<int64_t>(time.tv_sec) * kNanosecondsPerSecond + time.tv_nsec;
}

timespec from_ns(int64_t ns) {
    if (ns < 0) ns = 0;
    return {static_cast<time_t>(ns / kNanosecondsPerSecond),
            static_cast<long>(ns % kNanosecondsPerSecond)};
}

// One wait that may be resumed. `attempt(remaining_ns)` makes the real call with what is
// left of a timeout of `timeout_ns` (< 0: none) and returns true when it must be resumed
// (failed with EINTR, only because of the agent's signals). Restores the application's
// errno before each resumption. Marks the whole wait for the block profiler.
template <BlockCall call, typename Attempt>
[[gnu::always_inline]] inline void resumable_wait(int64_t timeout_ns, Attempt attempt) {
    siagent::BlockedCallMark mark(siagent::block_profiling_active(), call, SIAGENT_CALL_SITE());
    // The time left after a resumption needs a clock: read only where there is a timeout.
    const uint64_t began_ns = timeout_ns >= 0 ? siagent::monotonic_ns() : 0;
    int entry_errno = errno;
    int64_t remaining = timeout_ns;
    for (;;) {
        InterruptionWatch watch;
        if (!attempt(remaining, watch)) break;
        errno = entry_errno;
        if (timeout_ns >= 0) {
            // What is left, never below zero: the last attempt then polls once more, as
            // the real call would at its deadline.
            remaining = timeout_ns - static_cast<int64_t>(siagent::monotonic_ns() - began_ns);
            if (remaining < 0) remaining = 0;
        }
    }
    using siagent::blocked_ns_of_looks;
    using siagent::record_blocked_call;
    SIAGENT_RECORD_IF_SEEN(call, mark);
}

int to_ms(int64_t ns) {  // rounds up, as a timeout must not end early
    return ns < 0 ? -1 : static_cast<int>((ns + 999'999) / 1'000'000);
}

int64_t ms_to_ns(int ms) { return ms < 0 ? -1 : static_cast<int64_t>(ms) * 1'000'000; }

// Inlined into both the plain and the fortified entry, so that the block profiler's stack
// has one interposer frame to skip either way.
[[gnu::always_inline]] inline int resumed_poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
    auto real = real_poll.get();
    if (siagent::inside_agent()) return real(fds, count, timeout_ms);
    int result;
    resumable_wait<BlockCall::poll>(ms_to_ns(timeout_ms), [&](int64_t left, auto& watch) {
        result = real(fds, count, to_ms(left));
        return interrupted_by_agent(result, watch);
    });
    return result;
}

[[gnu::always_inline]] inline int resumed_ppoll(struct pollfd* fds, nfds_t count,
                                                const struct timespec* timeout, const sigset_t* mask) {
    auto real = real_ppoll.get();
    if (siagent::inside_agent()) return real(fds, count, timeout, mask);
    int result;
    resumable_wait<BlockCall::ppoll>(timeout ? to_ns(*timeout) : -1, [&](int64_t left, auto& watch) {
        timespec remaining = from_ns(left);
        result = real(fds, count, timeout ? &remaining : nullptr, mask);
        return interrupted_by_agent(result, watch);
    });
    return result;
}

}  // namespace

SIAGENT_EXPORT int poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
    return resumed_poll(fds, count, timeout_ms);
}
SIAGENT_EXPORT int ppoll(struct pollfd* fds, nfds_t count, const struct timespec* timeout,
                         const sigset_t* mask) {
    return resumed_ppoll(fds, count, timeout, mask);
}

// glibc's check: the array holds fewer than `count` entries.
SIAGENT_EXPORT int __poll_chk(struct pollfd* fds, nfds_t count, int timeout_ms, size_t fds_size) {
    if (fds_size / sizeof(*fds) < count) return real___poll_chk.get()(fds, count, timeout_ms, fds_size);
    return resumed_poll(fds, count, timeout_ms);
}
SIAGENT_EXPORT int __ppoll_chk(struct pollfd* fds, nfds_t count, const struct timespec* timeout,
                               const sigset_t* mask, size_t fds_size) {
    if (fds_size / sizeof(*fds) < count)
        return real___ppoll_chk.get()(fds, count, timeout, mask, fds_size);
    return resumed_ppoll(fds, count, timeout, mask);
}

// Linux's select writes the time left into `timeout` and leaves the sets alone when it
// fails, so a resumption passes the same arguments again.
SIAGENT_EXPORT int select(int count, fd_set* readable, fd_set* writable, fd_set* exceptional,
                          struct timeval* timeout) {
    auto real = real_select.get();
    if (siagent::inside_agent()) return real(count, readable, writable, exceptional, timeout);
    int result;
    resumable_wait<BlockCall::select>(-1, [&](int64_t, auto& watch) {
        result = real(count, readable, writable, exceptional, timeout);
        return interrupted_by_agent(result, watch);
    });
    return result;
}

SIAGENT_EXPORT int pselect(int count, fd_set* readable, fd_set* writable, fd_set* exceptional,
                           const struct timespec* timeout, const sigset_t* mask) {
    auto real = real_pselect.get();
    if (siagent::inside_agent())
        return real(count, readable, writable, exceptional, timeout, mask);
    int result;
    resumable_wait<BlockCall::pselect>(timeout ? to_ns(*timeout) : -1, [&](int64_t left, auto& watch) {
        timespec remaining = from_ns(left);
        result = real(count, readable, writable, exceptional, timeout ? &remaining : nullptr, mask);
        return interrupted_by_agent(result, watch);
    });
    return result;
}

SIAGENT_EXPORT int epoll_wait(int epoll, struct epoll_event* events, int capacity, int timeout_ms) {
    auto real = real_epoll_wait.get();
    if (siagent::inside_agent()) return real(epoll, events, capacity, timeout_ms);
    int result;
    resumable_wait<BlockCall::epoll_wait>(ms_to_ns(timeout_ms), [&](int64_t left, auto& watch) {
        result = real(epoll, events, capacity, to_ms(left));
        return interrupted_by_agent(result, watch);
    });
    return result;
}

SIAGENT_EXPORT int epoll_pwait(int epoll, struct epoll_event* events, int capacity,
                               int timeout_ms, const sigset_t* mask) {
    auto real = real_epoll_pwait.get();
    if (siagent::inside_agent()) return real(epoll, events, capacity, timeout_ms, mask);
    int result;
    resumable_wait<BlockCall::epoll_pwait>(ms_to_ns(timeout_ms), [&](int64_t left, auto& watch) {
        result = real(epoll, events, capacity, to_ms(left), mask);
        return interrupted_by_agent(result, watch);
    });
    return result;
}

SIAGENT_EXPORT int epoll_pwait2(int epoll, struct epoll_event* events, int capacity,
                                const struct timespec* timeout, const sigset_t* mask) {
    auto real = real_epoll_pwait2.get();
    if (siagent::inside_agent()) return real(epoll, events, capacity, timeout, mask);
    int result;
    resumable_wait<BlockCall::epoll_pwait2>(timeout ? to_ns(*timeout) : -1, [&](int64_t left, auto& watch) {
        timespec remaining = from_ns(left);
        result = real(epoll, events, capacity, timeout ? &remaining : nullptr, mask);
        return interrupted_by_agent(result, watch);
    });
    return result;
}

// The kernel writes the time left into `left` when a signal ends the sleep: the next
// attempt sleeps exactly that, and the application's `remaining` gets it too.
SIAGENT_EXPORT int nanosleep(const struct timespec* request, struct timespec* remaining) {
    auto real = real_nanosleep.get();
    if (siagent::inside_agent()) return real(request, remaining);
    int result;
    timespec next = request != nullptr ? *request : timespec{};
    timespec left{};
    resumable_wait<BlockCall::nanosleep>(-1, [&](int64_t, auto& watch) {
        result = real(request != nullptr ? &next : nullptr, &left);
        if (result == -1 && errno == EINTR && remaining != nullptr) *remaining = left;
        next = left;
        return interrupted_by_agent(result, watch);
    });
    return result;
}

// Reports errors as its result, not in errno. An absolute deadline is simply waited for
// again; a relative sleep continues with what the kernel says is left.
SIAGENT_EXPORT int clock_nanosleep(clockid_t clock, int flags, const struct timespec* request,
                                   struct timespec* remaining) {
    auto real = real_clock_nanosleep.get();
    if (siagent::inside_agent()) return real(clock, flags, request, remaining);
    int result;
    bool absolute = (flags & TIMER_ABSTIME) != 0;
    timespec next = request != nullptr ? *request : timespec{};
    timespec left{};
    resumable_wait<BlockCall::clock_nanosleep>(-1, [&](int64_t, auto& watch) {
        result = real(clock, flags, request != nullptr ? &next : nullptr, absolute ? nullptr : &left);
        if (result == EINTR && !absolute) {
            if (remaining != nullptr) *remaining = left;
            next = left;
        }
        return result == EINTR && watch.only_agent_signals();
    });
    return result;
}

SIAGENT_EXPORT int usleep(useconds_t microseconds) {
    auto real = real_usleep.get();
    if (siagent::inside_agent()) return real(microseconds);
    int result;
    resumable_wait<BlockCall::usleep>(static_cast<int64_t>(microseconds) * 1000,
                                      [&](int64_t left, auto& watch) {
        result = real(static_cast<useconds_t>((left + 999) / 1000));
        return interrupted_by_agent(result, watch);
    });
    return result;
}

// glibc's sleep is a nanosleep that returns the whole seconds left (truncated) when a
// signal ends it, so an interrupted sleep(1) returns 0 and cannot be told from a finished
// one. This one is that same nanosleep, made with the real function (counted once, as
// sleep), resumed with the exact time left.
SIAGENT_EXPORT unsigned int sleep(unsigned int seconds) {
    auto real = real_nanosleep.get();
    if (siagent::inside_agent()) return real_sleep.get()(seconds);
    unsigned int result = 0;
    timespec next = {static_cast<time_t>(seconds), 0};
    timespec left{};
    resumable_wait<BlockCall::sleep>(-1, [&](int64_t, auto& watch) {
        int failed = real(&next, &left);
        result = failed == 0 ? 0 : static_cast<unsigned int>(left.tv_sec);
        next = left;
        return failed != 0 && errno == EINTR && watch.only_agent_signals();
    });
    return result;
}

// An uncontended semaphore is not a wait: try first, time only when it would block.
SIAGENT_EXPORT int sem_wait(sem_t* semaphore) {
    auto real = real_sem_wait.get();
    if (siagent::inside_agent()) return real(semaphore);
    int entry_errno = errno;
    if (real_sem_trywait.get()(semaphore) == 0) return 0;
    errno = entry_errno;
    int result;
    resumable_wait<BlockCall::sem_wait>(-1, [&](int64_t, auto& watch) {
        result = real(semaphore);
        return interrupted_by_agent(result, watch);
    });
    return result;
}

SIAGENT_EXPORT int sem_timedwait(sem_t* semaphore, const struct timespec* deadline) {
    auto real = real_sem_timedwait.get();
    if (siagent::inside_agent()) return real(semaphore, deadline);
    int result;
    resumable_wait<BlockCall::sem_timedwait>(-1, [&](int64_t, auto& watch) {
        result = real(semaphore, deadline);
        return interrupted_by_agent(result, watch);
    });
    return result;
}
