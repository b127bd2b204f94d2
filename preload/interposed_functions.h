// Every function the library interposes, with its signature, as X-macro lists shared by
// the two stages (docs/architecture.md, "Two stages"): the first stage (libsiagent.so)
// exports each name and forwards it; the agent (libsiagent-agent.so) implements each and
// hands the first stage a HookTable (preload/hook_table.h) of its implementations.
//
// X(return type, name, (parameters), (arguments)). Include this header first in a file:
// it undefines _FILE_OFFSET_BITS so that open, pread... keep their own names.
#pragma once

#undef _FILE_OFFSET_BITS
#include <fcntl.h>
#include <malloc.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <typeinfo>

// Forwarded as they are.
#define SIAGENT_FORWARDED_CALLS(X) \
    X(ssize_t, read, (int fd, void* buffer, size_t size), (fd, buffer, size)) \
    X(ssize_t, write, (int fd, const void* buffer, size_t size), (fd, buffer, size)) \
    X(ssize_t, readv, (int fd, const struct iovec* vector, int count), (fd, vector, count)) \
    X(ssize_t, writev, (int fd, const struct iovec* vector, int count), (fd, vector, count)) \
    X(ssize_t, pread, (int fd, void* buffer, size_t size, off_t offset), (fd, buffer, size, offset)) \
    X(ssize_t, pwrite, (int fd, const void* buffer, size_t size, off_t offset), (fd, buffer, size, offset)) \
    X(ssize_t, pread64, (int fd, void* buffer, size_t size, off64_t offset), (fd, buffer, size, offset)) \
    X(ssize_t, pwrite64, (int fd, const void* buffer, size_t size, off64_t offset), (fd, buffer, size, offset)) \
    X(int, fsync, (int fd), (fd)) \
    X(int, fdatasync, (int fd), (fd)) \
    X(ssize_t, __read_chk, (int fd, void* buffer, size_t size, size_t buffer_size), (fd, buffer, size, buffer_size)) \
    X(ssize_t, __pread_chk, (int fd, void* buffer, size_t size, off_t offset, size_t buffer_size), (fd, buffer, size, offset, buffer_size)) \
    X(ssize_t, __pread64_chk, (int fd, void* buffer, size_t size, off64_t offset, size_t buffer_size), (fd, buffer, size, offset, buffer_size)) \
    X(int, __open_2, (const char* path, int flags), (path, flags)) \
    X(int, __open64_2, (const char* path, int flags), (path, flags)) \
    X(int, __openat_2, (int directory, const char* path, int flags), (directory, path, flags)) \
    X(int, __openat64_2, (int directory, const char* path, int flags), (directory, path, flags)) \
    X(ssize_t, recv, (int fd, void* buffer, size_t size, int flags), (fd, buffer, size, flags)) \
    X(ssize_t, recvfrom, (int fd, void* buffer, size_t size, int flags, struct sockaddr* address, socklen_t* length), (fd, buffer, size, flags, address, length)) \
    X(ssize_t, recvmsg, (int fd, struct msghdr* message, int flags), (fd, message, flags)) \
    X(int, recvmmsg, (int fd, struct mmsghdr* messages, unsigned int count, int flags, struct timespec* timeout), (fd, messages, count, flags, timeout)) \
    X(ssize_t, send, (int fd, const void* buffer, size_t size, int flags), (fd, buffer, size, flags)) \
    X(ssize_t, sendto, (int fd, const void* buffer, size_t size, int flags, const struct sockaddr* address, socklen_t length), (fd, buffer, size, flags, address, length)) \
    X(ssize_t, sendmsg, (int fd, const struct msghdr* message, int flags), (fd, message, flags)) \
    X(int, sendmmsg, (int fd, struct mmsghdr* messages, unsigned int count, int flags), (fd, messages, count, flags)) \
    X(int, accept, (int fd, struct sockaddr* address, socklen_t* length), (fd, address, length)) \
    X(int, accept4, (int fd, struct sockaddr* address, socklen_t* length, int flags), (fd, address, length, flags)) \
    X(int, connect, (int fd, const struct sockaddr* address, socklen_t length), (fd, address, length)) \
    X(ssize_t, __recv_chk, (int fd, void* buffer, size_t size, size_t buffer_size, int flags), (fd, buffer, size, buffer_size, flags)) \
    X(ssize_t, __recvfrom_chk, (int fd, void* buffer, size_t size, size_t buffer_size, int flags, struct sockaddr* address, socklen_t* length), (fd, buffer, size, buffer_size, flags, address, length)) \
    X(int, pthread_mutex_lock, (pthread_mutex_t* mutex), (mutex)) \
    X(int, pthread_rwlock_rdlock, (pthread_rwlock_t* lock), (lock)) \
    X(int, pthread_rwlock_wrlock, (pthread_rwlock_t* lock), (lock)) \
    X(int, flock, (int fd, int operation), (fd, operation)) \
    X(int, pthread_cond_wait, (pthread_cond_t* condition, pthread_mutex_t* mutex), (condition, mutex)) \
    X(int, pthread_cond_timedwait, (pthread_cond_t* condition, pthread_mutex_t* mutex, const struct timespec* deadline), (condition, mutex, deadline)) \
    X(int, pthread_join, (pthread_t thread, void** result), (thread, result)) \
    X(pid_t, waitpid, (pid_t pid, int* status, int options), (pid, status, options)) \
    X(pid_t, wait4, (pid_t pid, int* status, int options, struct rusage* usage), (pid, status, options, usage)) \
    X(int, poll, (struct pollfd* fds, nfds_t count, int timeout_ms), (fds, count, timeout_ms)) \
    X(int, ppoll, (struct pollfd* fds, nfds_t count, const struct timespec* timeout, const sigset_t* mask), (fds, count, timeout, mask)) \
    X(int, __poll_chk, (struct pollfd* fds, nfds_t count, int timeout_ms, size_t fds_size), (fds, count, timeout_ms, fds_size)) \
    X(int, __ppoll_chk, (struct pollfd* fds, nfds_t count, const struct timespec* timeout, const sigset_t* mask, size_t fds_size), (fds, count, timeout, mask, fds_size)) \
    X(int, select, (int count, fd_set* readable, fd_set* writable, fd_set* exceptional, struct timeval* timeout), (count, readable, writable, exceptional, timeout)) \
    X(int, pselect, (int count, fd_set* readable, fd_set* writable, fd_set* exceptional, const struct timespec* timeout, const sigset_t* mask), (count, readable, writable, exceptional, timeout, mask)) \
    X(int, epoll_wait, (int epoll, struct epoll_event* events, int capacity, int timeout_ms), (epoll, events, capacity, timeout_ms)) \
    X(int, epoll_pwait, (int epoll, struct epoll_event* events, int capacity, int timeout_ms, const sigset_t* mask), (epoll, events, capacity, timeout_ms, mask)) \
    X(int, epoll_pwait2, (int epoll, struct epoll_event* events, int capacity, const struct timespec* timeout, const sigset_t* mask), (epoll, events, capacity, timeout, mask)) \
    X(int, nanosleep, (const struct timespec* request, struct timespec* remaining), (request, remaining)) \
    X(int, clock_nanosleep, (clockid_t clock, int flags, const struct timespec* request, struct timespec* remaining), (clock, flags, request, remaining)) \
    X(int, usleep, (useconds_t microseconds), (microseconds)) \
    X(unsigned int, sleep, (unsigned int seconds), (seconds)) \
    X(int, sem_wait, (sem_t* semaphore), (semaphore)) \
    X(int, sem_timedwait, (sem_t* semaphore, const struct timespec* deadline), (semaphore, deadline)) \
    X(int, close, (int fd), (fd)) \
    X(int, close_range, (unsigned int first, unsigned int last, int flags), (first, last, flags)) \
    X(void, closefrom, (int lowest), (lowest)) \
    X(int, dup2, (int old_fd, int new_fd), (old_fd, new_fd)) \
    X(int, dup3, (int old_fd, int new_fd, int flags), (old_fd, new_fd, flags)) \
    X(int, pipe2, (int ends[2], int flags), (ends, flags)) \
    X(int, pipe, (int ends[2]), (ends)) \
    X(int, epoll_create, (int size), (size)) \
    X(int, epoll_create1, (int flags), (flags)) \
    X(int, epoll_ctl, (int epoll, int operation, int fd, struct epoll_event* event), (epoll, operation, fd, event)) \
    X(int, eventfd, (unsigned int initial, int flags), (initial, flags)) \
    X(int, timerfd_create, (int clock, int flags), (clock, flags)) \
    X(int, timerfd_settime, (int fd, int flags, const struct itimerspec* value, struct itimerspec* previous), (fd, flags, value, previous)) \
    X(int, socket, (int domain, int type, int protocol), (domain, type, protocol)) \
    X(void, __cxa_throw, (void* object, std::type_info* type, void (*destructor)(void*)), (object, type, destructor)) \
    X(int, pthread_sigmask, (int how, const sigset_t* set, sigset_t* previous), (how, set, previous)) \
    X(int, sigprocmask, (int how, const sigset_t* set, sigset_t* previous), (how, set, previous)) \
    X(int, sigaction, (int signal_number, const struct sigaction* action, struct sigaction* previous), (signal_number, action, previous)) \
    X(sighandler_t, signal, (int signal_number, sighandler_t handler), (signal_number, handler)) \
    X(sighandler_t, bsd_signal, (int signal_number, sighandler_t handler), (signal_number, handler)) \
    X(sighandler_t, __sysv_signal, (int signal_number, sighandler_t handler), (signal_number, handler)) \
    X(sighandler_t, sysv_signal, (int signal_number, sighandler_t handler), (signal_number, handler)) \
    X(sighandler_t, sigset, (int signal_number, sighandler_t handler), (signal_number, handler)) \
    X(int, pthread_create, (pthread_t* thread, const pthread_attr_t* attributes, void* (*routine)(void*), void* argument), (thread, attributes, routine, argument))

#define SIAGENT_CREDENTIAL_CALLS(X) \
    X(int, setuid, (uid_t user), (user)) \
    X(int, setgid, (gid_t group), (group)) \
    X(int, seteuid, (uid_t user), (user)) \
    X(int, setegid, (gid_t group), (group)) \
    X(int, setreuid, (uid_t real_user, uid_t effective), (real_user, effective)) \
    X(int, setregid, (gid_t real_group, gid_t effective), (real_group, effective)) \
    X(int, setresuid, (uid_t real_user, uid_t effective, uid_t saved), (real_user, effective, saved)) \
    X(int, setresgid, (gid_t real_group, gid_t effective, gid_t saved), (real_group, effective, saved)) \
    X(int, setgroups, (size_t count, const gid_t* groups), (count, groups)) \
    X(int, unshare, (int flags), (flags)) \
    X(int, setns, (int fd, int namespace_type), (fd, namespace_type))

#define SIAGENT_ALLOCATION_CALLS(X) \
    X(void*, malloc, (size_t size), (size)) \
    X(void, free, (void* block), (block)) \
    X(void*, calloc, (size_t count, size_t size), (count, size)) \
    X(void*, realloc, (void* block, size_t size), (block, size)) \
    X(void*, reallocarray, (void* block, size_t count, size_t size), (block, count, size)) \
    X(void*, memalign, (size_t alignment, size_t size), (alignment, size)) \
    X(int, posix_memalign, (void** result, size_t alignment, size_t size), (result, alignment, size)) \
    X(void*, aligned_alloc, (size_t alignment, size_t size), (alignment, size)) \
    X(void*, valloc, (size_t size), (size)) \
    X(void*, pvalloc, (size_t size), (size))

// Variadic: open's mode and fcntl's argument are read as one optional argument, syscall's as
// six (as the kernel takes them).
#define SIAGENT_VARIADIC_CALLS(X) \
    X(int, open, (const char* path, int flags, ...)) \
    X(int, open64, (const char* path, int flags, ...)) \
    X(int, openat, (int directory, const char* path, int flags, ...)) \
    X(int, openat64, (int directory, const char* path, int flags, ...)) \
    X(int, fcntl, (int fd, int command, ...)) \
    X(int, fcntl64, (int fd, int command, ...)) \
    X(long, syscall, (long number, ...))

// The public API (siagent.h): si_start loads the agent at once; spans begun before it is
// loaded are not counted.
#define SIAGENT_API_CALLS(X) \
    X(int, si_start, (const char* const* options), (options)) \
    X(void, si_destroy, (void), ()) \
    X(uint64_t, siagent_span_begin, (const char* name), (name)) \
    X(uint64_t, siagent_span_begin_profiled, (const char* name), (name)) \
    X(void, siagent_span_end, (uint64_t span), (span))

// C++ allocation operators: X(return type, hook table entry, symbol (Itanium ABI, 64-bit
// size_t), operator, (parameters), (arguments)).
#define SIAGENT_OPERATOR_CALLS(X) \
    X(void*, new_plain, _Znwm, operator new, (std::size_t size), (size)) \
    X(void*, new_array, _Znam, operator new[], (std::size_t size), (size)) \
    X(void*, new_nothrow, _ZnwmRKSt9nothrow_t, operator new, (std::size_t size, const std::nothrow_t& tag) noexcept, (size, tag)) \
    X(void*, new_array_nothrow, _ZnamRKSt9nothrow_t, operator new[], (std::size_t size, const std::nothrow_t& tag) noexcept, (size, tag)) \
    X(void*, new_aligned, _ZnwmSt11align_val_t, operator new, (std::size_t size, std::align_val_t alignment), (size, alignment)) \
    X(void*, new_array_aligned, _ZnamSt11align_val_t, operator new[], (std::size_t size, std::align_val_t alignment), (size, alignment)) \
    X(void*, new_aligned_nothrow, _ZnwmSt11align_val_tRKSt9nothrow_t, operator new, (std::size_t size, std::align_val_t alignment, const std::nothrow_t& tag) noexcept, (size, alignment, tag)) \
    X(void*, new_array_aligned_nothrow, _ZnamSt11align_val_tRKSt9nothrow_t, operator new[], (std::size_t size, std::align_val_t alignment, const std::nothrow_t& tag) noexcept, (size, alignment, tag)) \
    X(void, delete_plain, _ZdlPv, operator delete, (void* block) noexcept, (block)) \
    X(void, delete_array, _ZdaPv, operator delete[], (void* block) noexcept, (block)) \
    X(void, delete_nothrow, _ZdlPvRKSt9nothrow_t, operator delete, (void* block, const std::nothrow_t& tag) noexcept, (block, tag)) \
    X(void, delete_array_nothrow, _ZdaPvRKSt9nothrow_t, operator delete[], (void* block, const std::nothrow_t& tag) noexcept, (block, tag)) \
    X(void, delete_sized, _ZdlPvm, operator delete, (void* block, std::size_t size) noexcept, (block, size)) \
    X(void, delete_array_sized, _ZdaPvm, operator delete[], (void* block, std::size_t size) noexcept, (block, size)) \
    X(void, delete_aligned, _ZdlPvSt11align_val_t, operator delete, (void* block, std::align_val_t alignment) noexcept, (block, alignment)) \
    X(void, delete_array_aligned, _ZdaPvSt11align_val_t, operator delete[], (void* block, std::align_val_t alignment) noexcept, (block, alignment)) \
    X(void, delete_sized_aligned, _ZdlPvmSt11align_val_t, operator delete, (void* block, std::size_t size, std::align_val_t alignment) noexcept, (block, size, alignment)) \
    X(void, delete_array_sized_aligned, _ZdaPvmSt11align_val_t, operator delete[], (void* block, std::size_t size, std::align_val_t alignment) noexcept, (block, size, alignment)) \
    X(void, delete_aligned_nothrow, _ZdlPvSt11align_val_tRKSt9nothrow_t, operator delete, (void* block, std::align_val_t alignment, const std::nothrow_t& tag) noexcept, (block, alignment, tag)) \
    X(void, delete_array_aligned_nothrow, _ZdaPvSt11align_val_tRKSt9nothrow_t, operator delete[], (void* block, std::align_val_t alignment, const std::nothrow_t& tag) noexcept, (block, alignment, tag))
