// Interposed blocking calls without a timeout of their own: io, network, lock and wait
// (those with timeouts, and sleeps, are in blocking_timeouts.cpp). Each wrapper resolves
// the real function, lets agent code through untouched, marks the call under way for the
// block profiler's looks and records the stack of a call that was seen
// (core/block/in_flight_calls.h). The result and errno are the real call's.
//
// open/openat are marked like the others: the looks see only the slow ones (network or
// FUSE filesystems, cold caches) with any real chance. Calls glibc makes internally (e.g.
// fread's read) do not go through the PLT and are not seen.
//
// Every function here is signal-safe and malloc-safe (see timed_call.h).
// The build defines _FILE_OFFSET_BITS=64, which renames openat, fcntl, pread... to their
// *64 twins in the headers; this file defines both names itself, so it sees the plain ones.
#undef _FILE_OFFSET_BITS
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdarg>

#include "core/agent_descriptors.h"
#include "core/fork_child_code.h"
#include "core/unwinder_memory.h"
#include "preload/export.h"
#include "preload/real_function.h"
#include "preload/timed_call.h"

// libc declares these with attributes (nonnull, warn_unused_result) that a pointer type
// does not keep; that is fine for a pointer to the real function.
#pragma GCC diagnostic ignored "-Wignored-attributes"


namespace {

using siagent::BlockCall;
using siagent::descriptor_call;
using siagent::retrying_call;
using siagent::timed_call;

#define SIAGENT_BLOCKING_FUNCTIONS(X)                                                       \
    X(read) X(write) X(readv) X(writev) X(pread) X(pwrite) X(pread64) X(pwrite64) X(fsync) \
    X(fdatasync) X(open) X(open64) X(openat) X(openat64) X(recv) X(recvfrom) X(recvmsg)   \
    X(recvmmsg) X(send) X(sendto) X(sendmsg) X(sendmmsg) X(accept) X(accept4) X(connect)  \
    X(pthread_mutex_lock) X(pthread_mutex_trylock) X(pthread_rwlock_rdlock)               \
    X(pthread_rwlock_tryrdlock) X(pthread_rwlock_wrlock) X(pthread_rwlock_trywrlock)      \
    X(flock) X(fcntl) X(fcntl64) X(pthread_join) X(waitpid) X(wait4)

SIAGENT_BLOCKING_FUNCTIONS(SIAGENT_DEFINE_REAL)

// The fortified entry points (-D_FORTIFY_SOURCE, the default of distributions' builds),
// which glibc's headers call instead of read, recv, open... when a buffer size or a flag is
// not a compile-time constant. The wrappers below make glibc's check themselves and time
// the plain call; the real ones are called only to fail the check (glibc aborts there).
extern "C" {
ssize_t __read_chk(int fd, void* buffer, size_t size, size_t buffer_size);
ssize_t __pread_chk(int fd, void* buffer, size_t size, off_t offset, size_t buffer_size);
ssize_t __pread64_chk(int fd, void* buffer, size_t size, off64_t offset, size_t buffer_size);
ssize_t __recv_chk(int fd, void* buffer, size_t size, size_t buffer_size, int flags);
ssize_t __recvfrom_chk(int fd, void* buffer, size_t size, size_t buffer_size, int flags,
                       struct sockaddr* address, socklen_t* length);
int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);
int __openat_2(int directory, const char* path, int flags);
int __openat64_2(int directory, const char* path, int flags);
}
#define SIAGENT_FORTIFIED_FUNCTIONS(X) \
    X(__read_chk) X(__pread_chk) X(__pread64_chk) X(__recv_chk) X(__recvfrom_chk) \
    X(__open_2) X(__open64_2) X(__openat_2) X(__openat64_2)
SIAGENT_FORTIFIED_FUNCTIONS(SIAGENT_DEFINE_REAL)

// The version glibc's headers bind (preload/real_function.h), as libsiagent.so asks for;
// constinit: the resolving constructor below runs before dynamic initialization.
constinit siagent::RealFunction<decltype(&::pthread_cond_wait)> real_pthread_cond_wait{
    "pthread_cond_wait", siagent::preferred_version("pthread_cond_wait")};
constinit siagent::RealFunction<decltype(&::pthread_cond_timedwait)> real_pthread_cond_timedwait{
    "pthread_cond_timedwait", siagent::preferred_version("pthread_cond_timedwait")};

__attribute__((constructor(101))) void resolve_blocking_functions() {
#define SIAGENT_RESOLVE_REAL(name) real_##name.resolve();
    SIAGENT_BLOCKING_FUNCTIONS(SIAGENT_RESOLVE_REAL)
    SIAGENT_FORTIFIED_FUNCTIONS(SIAGENT_RESOLVE_REAL)
#undef SIAGENT_RESOLVE_REAL
    real_pthread_cond_wait.resolve();
    real_pthread_cond_timedwait.resolve();
}

// A descriptor open/openat made (or -1), its mode noted for descriptor_call.
int opened(int fd, int flags) { return siagent::note_descriptor_mode(fd, (flags & O_NONBLOCK) != 0); }

// Whether open's variadic mode argument is present (as <fcntl.h>'s __OPEN_NEEDS_MODE).
bool needs_mode(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

// A lock that may be taken at once is not a wait: try first (whoever the caller, whether
// the profiler runs or not: the uncontended path then costs one try), time only the
// contended path. The try's result: 0 taken, EBUSY contended, anything else final (as the
// lock would answer: EOWNERDEAD, EINVAL...).
template <BlockCall call, typename Lock, typename Try, typename Object>
int contended_lock(Lock lock, Try attempt, Object* object) {
    int result = attempt(object);
    if (result != EBUSY) return result;
    if (!siagent::block_profiling_active()) return lock(object);
    return timed_call<call>(lock, object);
}

}  // namespace

// io. read and write also answer for libunwind's validation pipe (core/unwinder_memory.h),
// and refuse agent code a descriptor the application took over (core/agent_descriptors.h):
// the agent's event loop must never write its wake-ups into an application's file.
SIAGENT_EXPORT ssize_t read(int fd, void* buffer, size_t size) {
    if (fd == siagent::kUnwinderPipeReadEnd) [[unlikely]]
        return siagent::read_unwinder_pipe();
    if (siagent::inside_agent() && siagent::is_lost_descriptor(fd)) [[unlikely]] {
        errno = EBADF;
        return -1;
    }
    return descriptor_call<BlockCall::read>(fd, false, real_read.get(), fd, buffer, size);
}
SIAGENT_EXPORT ssize_t write(int fd, const void* buffer, size_t size) {
    if (fd == siagent::kUnwinderPipeWriteEnd) [[unlikely]]
        return siagent::write_unwinder_pipe(buffer, size);
    if (siagent::inside_agent() && siagent::is_lost_descriptor(fd)) [[unlikely]] {
        errno = EBADF;
        return -1;
    }
    return descriptor_call<BlockCall::write>(fd, false, real_write.get(), fd, buffer, size);
}
SIAGENT_EXPORT ssize_t readv(int fd, const struct iovec* vector, int count) {
    return descriptor_call<BlockCall::readv>(fd, false, real_readv.get(), fd, vector, count);
}
SIAGENT_EXPORT ssize_t writev(int fd, const struct iovec* vector, int count) {
    return descriptor_call<BlockCall::writev>(fd, false, real_writev.get(), fd, vector, count);
}
SIAGENT_EXPORT ssize_t pread(int fd, void* buffer, size_t size, off_t offset) {
    return retrying_call<BlockCall::pread>(real_pread.get(), fd, buffer, size, offset);
}
SIAGENT_EXPORT ssize_t pwrite(int fd, const void* buffer, size_t size, off_t offset) {
    return retrying_call<BlockCall::pwrite>(real_pwrite.get(), fd, buffer, size, offset);
}
SIAGENT_EXPORT ssize_t pread64(int fd, void* buffer, size_t size, off64_t offset) {
    return retrying_call<BlockCall::pread>(real_pread64.get(), fd, buffer, size, offset);
}
SIAGENT_EXPORT ssize_t pwrite64(int fd, const void* buffer, size_t size, off64_t offset) {
    return retrying_call<BlockCall::pwrite>(real_pwrite64.get(), fd, buffer, size, offset);
}
SIAGENT_EXPORT int fsync(int fd) { return timed_call<BlockCall::fsync>(real_fsync.get(), fd); }
SIAGENT_EXPORT int fdatasync(int fd) {
    return timed_call<BlockCall::fdatasync>(real_fdatasync.get(), fd);
}

// Files the agent opens are its own descriptors: moved out of the application's way.
#define SIAGENT_OPEN_BODY(call, real, ...)                                   \
    mode_t mode = 0;                                                         \
    if (needs_mode(flags)) {                                                 \
        va_list arguments;                                                   \
        va_start(arguments, flags);                                          \
        mode = va_arg(arguments, mode_t);                                    \
        va_end(arguments);                                                   \
    }                                                                        \
    if (siagent::inside_agent())                                             \
        return siagent::adopt_descriptor(real.get()(__VA_ARGS__, flags, mode)); \
    return opened(timed_call<BlockCall::call>(real.get(), __VA_ARGS__, flags, mode), flags);

SIAGENT_EXPORT int open(const char* path, int flags, ...) {
    SIAGENT_OPEN_BODY(open, real_open, path)
}
SIAGENT_EXPORT int open64(const char* path, int flags, ...) {
    SIAGENT_OPEN_BODY(open, real_open64, path)
}
SIAGENT_EXPORT int openat(int directory, const char* path, int flags, ...) {
    SIAGENT_OPEN_BODY(openat, real_openat, directory, path)
}
SIAGENT_EXPORT int openat64(int directory, const char* path, int flags, ...) {
    SIAGENT_OPEN_BODY(openat, real_openat64, directory, path)
}
#undef SIAGENT_OPEN_BODY

// io, fortified (the check is glibc's: a size over the buffer's, a mode needed but absent)
SIAGENT_EXPORT ssize_t __read_chk(int fd, void* buffer, size_t size, size_t buffer_size) {
    if (size > buffer_size) return real___read_chk.get()(fd, buffer, size, buffer_size);
    return descriptor_call<BlockCall::read>(fd, false, real_read.get(), fd, buffer, size);
}
SIAGENT_EXPORT ssize_t __pread_chk(int fd, void* buffer, size_t size, off_t offset,
                                   size_t buffer_size) {
    if (size > buffer_size) return real___pread_chk.get()(fd, buffer, size, offset, buffer_size);
    return retrying_call<BlockCall::pread>(real_pread.get(), fd, buffer, size, offset);
}
SIAGENT_EXPORT ssize_t __pread64_chk(int fd, void* buffer, size_t size, off64_t offset,
                                     size_t buffer_size) {
    if (size > buffer_size) return real___pread64_chk.get()(fd, buffer, size, offset, buffer_size);
    return retrying_call<BlockCall::pread>(real_pread64.get(), fd, buffer, size, offset);
}
SIAGENT_EXPORT int __open_2(const char* path, int flags) {
    if (needs_mode(flags)) return real___open_2.get()(path, flags);
    return opened(timed_call<BlockCall::open>(real_open.get(), path, flags), flags);
}
SIAGENT_EXPORT int __open64_2(const char* path, int flags) {
    if (needs_mode(flags)) return real___open64_2.get()(path, flags);
    return opened(timed_call<BlockCall::open>(real_open64.get(), path, flags), flags);
}
SIAGENT_EXPORT int __openat_2(int directory, const char* path, int flags) {
    if (needs_mode(flags)) return real___openat_2.get()(directory, path, flags);
    return opened(timed_call<BlockCall::openat>(real_openat.get(), directory, path, flags), flags);
}
SIAGENT_EXPORT int __openat64_2(int directory, const char* path, int flags) {
    if (needs_mode(flags)) return real___openat64_2.get()(directory, path, flags);
    return opened(timed_call<BlockCall::openat>(real_openat64.get(), directory, path, flags), flags);
}

// network (connect is not repeated: a second connect on a socket whose connection is
// under way fails with EALREADY; the kernel restarts it under SA_RESTART anyway)
SIAGENT_EXPORT ssize_t recv(int fd, void* buffer, size_t size, int flags) {
    return descriptor_call<BlockCall::recv>(fd, flags & MSG_DONTWAIT, real_recv.get(), fd, buffer, size, flags);
}
SIAGENT_EXPORT ssize_t recvfrom(int fd, void* buffer, size_t size, int flags,
                                struct sockaddr* address, socklen_t* length) {
    return descriptor_call<BlockCall::recvfrom>(fd, flags & MSG_DONTWAIT, real_recvfrom.get(), fd, buffer, size, flags,
                                              address, length);
}
SIAGENT_EXPORT ssize_t recvmsg(int fd, struct msghdr* message, int flags) {
    return descriptor_call<BlockCall::recvmsg>(fd, flags & MSG_DONTWAIT, real_recvmsg.get(), fd, message, flags);
}
SIAGENT_EXPORT int recvmmsg(int fd, struct mmsghdr* messages, unsigned int count, int flags,
                            struct timespec* timeout) {
    return timed_call<BlockCall::recvmmsg>(real_recvmmsg.get(), fd, messages, count, flags,
                                           timeout);
}
SIAGENT_EXPORT ssize_t send(int fd, const void* buffer, size_t size, int flags) {
    return descriptor_call<BlockCall::send>(fd, flags & MSG_DONTWAIT, real_send.get(), fd, buffer, size, flags);
}
SIAGENT_EXPORT ssize_t sendto(int fd, const void* buffer, size_t size, int flags,
                              const struct sockaddr* address, socklen_t length) {
    return descriptor_call<BlockCall::sendto>(fd, flags & MSG_DONTWAIT, real_sendto.get(), fd, buffer, size, flags, address,
                                            length);
}
SIAGENT_EXPORT ssize_t sendmsg(int fd, const struct msghdr* message, int flags) {
    return descriptor_call<BlockCall::sendmsg>(fd, flags & MSG_DONTWAIT, real_sendmsg.get(), fd, message, flags);
}
SIAGENT_EXPORT int sendmmsg(int fd, struct mmsghdr* messages, unsigned int count, int flags) {
    return retrying_call<BlockCall::sendmmsg>(real_sendmmsg.get(), fd, messages, count, flags);
}
// An accepted socket is blocking unless accept4 asks otherwise (Linux: it does not inherit
// the listening socket's O_NONBLOCK).
SIAGENT_EXPORT int accept(int fd, struct sockaddr* address, socklen_t* length) {
    return siagent::note_descriptor_mode(
        descriptor_call<BlockCall::accept>(fd, false, real_accept.get(), fd, address, length), false);
}
SIAGENT_EXPORT int accept4(int fd, struct sockaddr* address, socklen_t* length, int flags) {
    return siagent::note_descriptor_mode(
        descriptor_call<BlockCall::accept4>(fd, false, real_accept4.get(), fd, address, length, flags),
        (flags & SOCK_NONBLOCK) != 0);
}
SIAGENT_EXPORT int connect(int fd, const struct sockaddr* address, socklen_t length) {
    return timed_call<BlockCall::connect>(real_connect.get(), fd, address, length);
}

// network, fortified
SIAGENT_EXPORT ssize_t __recv_chk(int fd, void* buffer, size_t size, size_t buffer_size, int flags) {
    if (size > buffer_size) return real___recv_chk.get()(fd, buffer, size, buffer_size, flags);
    return descriptor_call<BlockCall::recv>(fd, flags & MSG_DONTWAIT, real_recv.get(), fd, buffer, size, flags);
}
SIAGENT_EXPORT ssize_t __recvfrom_chk(int fd, void* buffer, size_t size, size_t buffer_size,
                                      int flags, struct sockaddr* address, socklen_t* length) {
    if (size > buffer_size)
        return real___recvfrom_chk.get()(fd, buffer, size, buffer_size, flags, address, length);
    return descriptor_call<BlockCall::recvfrom>(fd, flags & MSG_DONTWAIT, real_recvfrom.get(), fd, buffer, size, flags,
                                              address, length);
}

// lock (semaphores are in blocking_timeouts.cpp). pthread_mutex_lock is also the agent's own
// lock, which the library destructor takes in every exiting fork child: with the fork-child
// code (core/fork_child_code.h).
SIAGENT_EXPORT SIAGENT_FORK_CHILD_CODE int pthread_mutex_lock(pthread_mutex_t* mutex) {
    return contended_lock<BlockCall::pthread_mutex_lock>(
        real_pthread_mutex_lock.get(), real_pthread_mutex_trylock.get(), mutex);
}
SIAGENT_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t* lock) {
    return contended_lock<BlockCall::pthread_rwlock_rdlock>(
        real_pthread_rwlock_rdlock.get(), real_pthread_rwlock_tryrdlock.get(), lock);
}
SIAGENT_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t* lock) {
    return contended_lock<BlockCall::pthread_rwlock_wrlock>(
        real_pthread_rwlock_wrlock.get(), real_pthread_rwlock_trywrlock.get(), lock);
}
SIAGENT_EXPORT int flock(int fd, int operation) {
    return retrying_call<BlockCall::flock>(real_flock.get(), fd, operation);
}

// What an fcntl did to a descriptor's O_NONBLOCK (core/block/nonblocking_descriptors.h).
void noted_fcntl(int fd, int command, void* argument, int result) {
    if (result < 0) return;
    const auto value = static_cast<int>(reinterpret_cast<intptr_t>(argument));
    if (command == F_SETFL) siagent::note_descriptor_mode(fd, (value & O_NONBLOCK) != 0);
    else if (command == F_DUPFD || command == F_DUPFD_CLOEXEC)
        siagent::note_descriptor_mode(result, siagent::known_nonblocking(fd));  // one file, one mode
}

// fcntl's third argument is an int or a pointer depending on the command; glibc reads it
// as a pointer-sized value whatever the command, and so does this forwarder. Only the
// waiting lock commands are marked.
#define SIAGENT_FCNTL_BODY(real)                                                   \
    va_list arguments;                                                             \
    va_start(arguments, command);                                                  \
    void* argument = va_arg(arguments, void*);                                     \
    va_end(arguments);                                                             \
    if (command == F_SETLKW || command == F_OFD_SETLKW)                              \
        return retrying_call<BlockCall::fcntl>(real.get(), fd, command, argument);     \
    const int result = real.get()(fd, command, argument);                              \
    noted_fcntl(fd, command, argument, result);                                        \
    return result;

SIAGENT_EXPORT int fcntl(int fd, int command, ...) { SIAGENT_FCNTL_BODY(real_fcntl) }
SIAGENT_EXPORT int fcntl64(int fd, int command, ...) { SIAGENT_FCNTL_BODY(real_fcntl64) }
#undef SIAGENT_FCNTL_BODY

// wait (condition variables never fail with EINTR)
SIAGENT_EXPORT int pthread_cond_wait(pthread_cond_t* condition, pthread_mutex_t* mutex) {
    return timed_call<BlockCall::pthread_cond_wait>(real_pthread_cond_wait.get(), condition,
                                                    mutex);
}
SIAGENT_EXPORT int pthread_cond_timedwait(pthread_cond_t* condition, pthread_mutex_t* mutex,
                                          const struct timespec* deadline) {
    return timed_call<BlockCall::pthread_cond_timedwait>(real_pthread_cond_timedwait.get(),
                                                         condition, mutex, deadline);
}
SIAGENT_EXPORT int pthread_join(pthread_t thread, void** result) {
    return timed_call<BlockCall::pthread_join>(real_pthread_join.get(), thread, result);
}
SIAGENT_EXPORT pid_t waitpid(pid_t pid, int* status, int options) {
    return retrying_call<BlockCall::waitpid>(real_waitpid.get(), pid, status, options);
}
SIAGENT_EXPORT pid_t wait4(pid_t pid, int* status, int options, struct rusage* usage) {
    return retrying_call<BlockCall::wait4>(real_wait4.get(), pid, status, options, usage);
}
