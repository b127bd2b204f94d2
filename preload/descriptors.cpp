// Interposed descriptor calls: the agent's descriptors live out of the application's way
// (core/agent_descriptors.h), and libunwind's validation pipe is answered without a
// descriptor (core/unwinder_memory.h).
//
// - Made by agent code (epoll_create*, eventfd, timerfd_create, socket, pipe/pipe2): moved
//   above the floor, close-on-exec, registered.
// - close, close_range, closefrom from the application skip the agent's descriptors; dup2
//   and dup3 onto one give the number to the application and mark it lost for the agent.
// - epoll_ctl and timerfd_settime from agent code on a lost number fail with EBADF.
// - pipe2 inside libunwind, and close/syscall(SYS_write) on its two numbers, are answered
//   here (read and write are in blocking.cpp).
//
// Every function here is signal-safe and malloc-safe: a few compares and bit tests, then the
// real call.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdarg>

#include "core/agent_descriptors.h"
#include "core/agent_guard.h"
#include "core/fork_child_code.h"
#include "core/block/nonblocking_descriptors.h"
#include "core/unwinder_memory.h"
#include "preload/export.h"
#include "preload/real_function.h"
#include "preload/syscall_arguments.h"

#pragma GCC diagnostic ignored "-Wignored-attributes"


extern "C" {
int close_range(unsigned int first, unsigned int last, int flags);
void closefrom(int lowest);
}

namespace {

using siagent::RealFunction;

RealFunction<decltype(&::close)> real_close{"close"};
RealFunction<int (*)(unsigned int, unsigned int, int)> real_close_range{"close_range"};
RealFunction<void (*)(int)> real_closefrom{"closefrom"};
RealFunction<decltype(&::dup2)> real_dup2{"dup2"};
RealFunction<decltype(&::dup3)> real_dup3{"dup3"};
RealFunction<decltype(&::pipe)> real_pipe{"pipe"};
RealFunction<decltype(&::pipe2)> real_pipe2{"pipe2"};
RealFunction<long (*)(long, ...)> real_syscall{"syscall"};
RealFunction<decltype(&::epoll_create)> real_epoll_create{"epoll_create"};
RealFunction<decltype(&::epoll_create1)> real_epoll_create1{"epoll_create1"};
RealFunction<decltype(&::epoll_ctl)> real_epoll_ctl{"epoll_ctl"};
RealFunction<decltype(&::eventfd)> real_eventfd{"eventfd"};
RealFunction<decltype(&::timerfd_create)> real_timerfd_create{"timerfd_create"};
RealFunction<decltype(&::timerfd_settime)> real_timerfd_settime{"timerfd_settime"};
RealFunction<decltype(&::socket)> real_socket{"socket"};

__attribute__((constructor(101))) void resolve_descriptor_functions() {
    real_close.resolve();
    real_close_range.resolve();
    real_closefrom.resolve();
    real_dup2.resolve();
    real_dup3.resolve();
    real_pipe.resolve();
    real_pipe2.resolve();
    real_syscall.resolve();
    real_epoll_create.resolve();
    real_epoll_create1.resolve();
    real_epoll_ctl.resolve();
    real_eventfd.resolve();
    real_timerfd_create.resolve();
    real_timerfd_settime.resolve();
    real_socket.resolve();
}

SIAGENT_FORK_CHILD_CODE int fail(int error) {
    errno = error;
    return -1;
}

// Agent code may not reach a number the application took over.
SIAGENT_FORK_CHILD_CODE bool refused_to_agent(int fd) { return siagent::inside_agent() && siagent::is_lost_descriptor(fd); }

int adopted_if_agent(int fd) { return siagent::inside_agent() ? siagent::adopt_descriptor(fd) : fd; }

// close_range over [first, last] without the agent's descriptors: the runs between them.
int close_range_around_agent(unsigned first, unsigned last, int flags) {
    auto real = real_close_range.get();
    if (real == nullptr) return fail(ENOSYS);
    int next = 0;
    while (siagent::find_agent_descriptor(first, last, next)) {
        unsigned skipped = static_cast<unsigned>(next);
        if (skipped > first && real(first, skipped - 1, flags) != 0) return -1;
        if (skipped == UINT_MAX || skipped >= last) return 0;
        first = skipped + 1;
    }
    return real(first, last, flags);
}

}  // namespace

SIAGENT_EXPORT SIAGENT_FORK_CHILD_CODE int close(int fd) {
    if (siagent::is_unwinder_pipe(fd)) [[unlikely]]
        return 0;
    if (siagent::is_agent_descriptor(fd)) [[unlikely]] {
        // A stale registration (agent_still_holds forgets it): the agent's file was closed
        // already, and the number may be the application's now.
        const bool held = siagent::agent_still_holds(fd);
        if (siagent::inside_agent()) {
            if (!held) return 0;
            siagent::forget_descriptor(fd);
        } else if (held) {
            return fail(EBADF);
        }
    } else if (refused_to_agent(fd)) [[unlikely]] {
        siagent::forget_descriptor(fd);  // the application's now: the agent lets go of the number
        return 0;
    }
    siagent::forget_descriptor_modes(static_cast<unsigned>(fd), static_cast<unsigned>(fd));
    return real_close.get()(fd);
}

SIAGENT_EXPORT int close_range(unsigned int first, unsigned int last, int flags) {
    siagent::forget_descriptor_modes(first, last);  // with CLOSE_RANGE_CLOEXEC too: "blocking" is safe
    if (siagent::inside_agent()) return real_close_range.get()(first, last, flags);
    return close_range_around_agent(first, last, flags);
}

SIAGENT_EXPORT void closefrom(int lowest) {
    int next = 0;
    unsigned first = lowest < 0 ? 0 : static_cast<unsigned>(lowest);
    siagent::forget_descriptor_modes(first, UINT_MAX);
    if (siagent::inside_agent() || !siagent::find_agent_descriptor(first, UINT_MAX, next)) {
        real_closefrom.get()(lowest);
        return;
    }
    if (close_range_around_agent(first, UINT_MAX, 0) == 0) return;
    // No close_range (kernels before 5.9): one close per number below the agent's highest
    // descriptor, then glibc's own closefrom above it.
    int highest = next;
    while (siagent::find_agent_descriptor(static_cast<unsigned>(highest) + 1, UINT_MAX, next))
        highest = next;
    for (int fd = lowest; fd < highest; ++fd)
        if (!siagent::agent_still_holds(fd)) real_close.get()(fd);
    real_closefrom.get()(highest + 1);
}

SIAGENT_EXPORT SIAGENT_FORK_CHILD_CODE int dup2(int old_fd, int new_fd) {
    if (old_fd != new_fd && !siagent::inside_agent() && siagent::is_agent_descriptor(new_fd))
        [[unlikely]] siagent::mark_descriptor_lost(new_fd);
    return siagent::note_descriptor_mode(real_dup2.get()(old_fd, new_fd), siagent::known_nonblocking(old_fd));
}

SIAGENT_EXPORT SIAGENT_FORK_CHILD_CODE int dup3(int old_fd, int new_fd, int flags) {
    if (old_fd != new_fd && !siagent::inside_agent() && siagent::is_agent_descriptor(new_fd))
        [[unlikely]] siagent::mark_descriptor_lost(new_fd);
    return siagent::note_descriptor_mode(real_dup3.get()(old_fd, new_fd, flags),
                                         siagent::known_nonblocking(old_fd));
}

SIAGENT_EXPORT int pipe2(int ends[2], int flags) {
    if (siagent::inside_unwinder_call()) [[unlikely]] {
        siagent::give_unwinder_pipe(ends);
        return 0;
    }
    int result = real_pipe2.get()(ends, flags);
    if (result == 0 && siagent::inside_agent()) {
        ends[0] = siagent::adopt_descriptor(ends[0]);
        ends[1] = siagent::adopt_descriptor(ends[1]);
    }
    if (result == 0) {
        siagent::note_descriptor_mode(ends[0], (flags & O_NONBLOCK) != 0);
        siagent::note_descriptor_mode(ends[1], (flags & O_NONBLOCK) != 0);
    }
    return result;
}

SIAGENT_EXPORT int pipe(int ends[2]) {
    int result = real_pipe.get()(ends);
    if (result == 0 && siagent::inside_agent()) {
        ends[0] = siagent::adopt_descriptor(ends[0]);
        ends[1] = siagent::adopt_descriptor(ends[1]);
    }
    if (result == 0) {
        siagent::note_descriptor_mode(ends[0], false);
        siagent::note_descriptor_mode(ends[1], false);
    }
    return result;
}

// syscall(2) passes six register-sized arguments whatever the call; so does this forwarder.
// libunwind writes to its validation pipe with syscall(SYS_write, ...).
SIAGENT_EXPORT long syscall(long number, ...) {
    va_list rest;
    va_start(rest, number);
    const siagent::SyscallArguments x = siagent::read_syscall_arguments(rest);
    va_end(rest);
    if (number == SYS_write && x.a == siagent::kUnwinderPipeWriteEnd) [[unlikely]]
        return siagent::write_unwinder_pipe(reinterpret_cast<const void*>(x.b), static_cast<size_t>(x.c));
    if (number == SYS_close && x.a >= 0 && x.a < INT_MAX)
        siagent::forget_descriptor_modes(static_cast<unsigned>(x.a), static_cast<unsigned>(x.a));
    return real_syscall.get()(number, x.a, x.b, x.c, x.d, x.e, x.f);
}

// Descriptors made here get their O_NONBLOCK noted (EFD_NONBLOCK and TFD_NONBLOCK are
// O_NONBLOCK; an epoll descriptor is read with epoll_wait only).
SIAGENT_EXPORT int epoll_create(int size) {
    return siagent::note_descriptor_mode(adopted_if_agent(real_epoll_create.get()(size)), false);
}
SIAGENT_EXPORT int epoll_create1(int flags) {
    return siagent::note_descriptor_mode(adopted_if_agent(real_epoll_create1.get()(flags)), false);
}
SIAGENT_EXPORT int epoll_ctl(int epoll, int operation, int fd, struct epoll_event* event) {
    if (refused_to_agent(epoll) || refused_to_agent(fd)) [[unlikely]]
        return fail(EBADF);
    return real_epoll_ctl.get()(epoll, operation, fd, event);
}
SIAGENT_EXPORT int eventfd(unsigned int initial, int flags) {
    return siagent::note_descriptor_mode(adopted_if_agent(real_eventfd.get()(initial, flags)), (flags & EFD_NONBLOCK) != 0);
}
SIAGENT_EXPORT int timerfd_create(int clock, int flags) {
    return siagent::note_descriptor_mode(adopted_if_agent(real_timerfd_create.get()(clock, flags)), (flags & TFD_NONBLOCK) != 0);
}
SIAGENT_EXPORT int timerfd_settime(int fd, int flags, const struct itimerspec* value,
                                   struct itimerspec* previous) {
    if (refused_to_agent(fd)) [[unlikely]]
        return fail(EBADF);
    return real_timerfd_settime.get()(fd, flags, value, previous);
}
SIAGENT_EXPORT int socket(int domain, int type, int protocol) {
    return siagent::note_descriptor_mode(adopted_if_agent(real_socket.get()(domain, type, protocol)), (type & SOCK_NONBLOCK) != 0);
}
