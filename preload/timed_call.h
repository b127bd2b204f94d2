// The shape shared by the blocking-call interposers: mark the real call under way for the
// block profiler's looks (core/block/in_flight_calls.h), record the stack of a call that
// was seen, and resume a call that the agent's own signal interrupted. The result and
// errno are those of the real call.
//
// signal-safe, malloc-safe (the interposed calls are async-signal-safe themselves, and
// may be made from a signal handler or from inside an allocator).
#pragma once

#include <cerrno>

#include "core/block/block_profiler.h"
#include "core/block/in_flight_calls.h"
#include "core/block/nonblocking_descriptors.h"
#include "core/interruptions.h"

namespace siagent {

// The interposer's return address: where the application made the call. Always inlined
// into the interposer (so is everything here that uses it).
#define SIAGENT_CALL_SITE() reinterpret_cast<uint64_t>(__builtin_return_address(0))

// Records a call the agent saw under way: its stack, with the blocked time of its looks.
// Always inlined into the interposer (whose frame record_blocked_call leaves out).
#define SIAGENT_RECORD_IF_SEEN(call, mark)                                                  \
    do {                                                                                    \
        if (const uint64_t looks = (mark).end()) [[unlikely]]                              \
            record_blocked_call(call, blocked_ns_of_looks(looks));                         \
    } while (0)

// Marks one call of `real`; no retry (for calls that never fail with EINTR, or that
// cannot be repeated safely, e.g. connect).
template <BlockCall call, typename Real, typename... Args>
[[gnu::always_inline]] inline auto timed_call(Real real, Args... args) {
    if (!block_profiling_active()) return real(args...);  // a tail call
    BlockedCallMark mark(true, call, SIAGENT_CALL_SITE());
    auto result = real(args...);
    SIAGENT_RECORD_IF_SEEN(call, mark);
    return result;
}

// For calls that report failure as -1 with errno: whether a call that returned `result`
// failed with EINTR because of the agent's signals alone, since `watch` was taken.
template <typename Result>
inline bool interrupted_by_agent(Result result, const InterruptionWatch& watch) {
    return result == -1 && errno == EINTR && watch.only_agent_signals();
}

// The rare half of retrying_call, out of line so that the common path keeps few registers
// live across the call: repeats `real` while the agent's signals alone interrupt it,
// restoring the errno the application had before the first attempt.
template <typename Real, typename... Args>
[[gnu::noinline, gnu::cold]] auto resume_after_agent_signals(int entry_errno, Real real, Args... args) {
    for (;;) {
        errno = entry_errno;
        InterruptionWatch watch;
        auto result = real(args...);
        if (!interrupted_by_agent(result, watch)) return result;
    }
}

// Like timed_call, for calls that return -1 with errno EINTR when a handled signal
// interrupts them and that can be repeated as they are (nothing was transferred or taken:
// read, recv, accept, sem_wait, an absolute timeout). A retry caused only by the agent's
// signals restores the errno the application had before the call.
template <BlockCall call, typename Real, typename... Args>
[[gnu::always_inline]] inline auto retrying_call(Real real, Args... args) {
    if (inside_agent()) return real(args...);
    BlockedCallMark mark(block_detail::enabled.load(std::memory_order_relaxed), call, SIAGENT_CALL_SITE());
    const int entry_errno = errno;
    InterruptionWatch watch;
    auto result = real(args...);
    if (interrupted_by_agent(result, watch)) [[unlikely]]
        result = resume_after_agent_signals(entry_errno, real, args...);
    SIAGENT_RECORD_IF_SEEN(call, mark);
    return result;
}

// A call on descriptor `fd`: straight to the real function (a tail call) when the
// descriptor is non-blocking or the call asks not to wait (`never_waits`), since it then
// neither blocks nor can be interrupted; else as retrying_call.
template <BlockCall call, typename Real, typename... Args>
[[gnu::always_inline]] inline auto descriptor_call(int fd, bool never_waits, Real real, Args... args) {
    if (never_waits || known_nonblocking(fd)) return real(args...);
    return retrying_call<call>(real, args...);
}

}  // namespace siagent
