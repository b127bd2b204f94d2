// The blocking calls the block profiler times, each in one category; the category is the
// first level of the block profile ("[io]", "[network]", "[lock]", "[wait]", "[sleep]").
//
// One list, so that the interposers (preload/blocking*.cpp), the profile builder and the
// tests agree on the names. Plain data: signal-safe, malloc-safe.
#pragma once

#include <cstdint>

namespace siagent {

enum class BlockCategory : uint8_t { io, network, lock, wait, sleep };

inline constexpr int kBlockCategories = 5;

// X(call, category): the name is the libc function the application called.
#define SIAGENT_BLOCK_CALLS(X)                                                       \
    X(read, io) X(write, io) X(readv, io) X(writev, io) X(pread, io) X(pwrite, io)   \
    X(fsync, io) X(fdatasync, io) X(open, io) X(openat, io)                          \
    X(recv, network) X(recvfrom, network) X(recvmsg, network) X(recvmmsg, network)   \
    X(send, network) X(sendto, network) X(sendmsg, network) X(sendmmsg, network)     \
    X(accept, network) X(accept4, network) X(connect, network) X(poll, network)      \
    X(ppoll, network) X(select, network) X(pselect, network) X(epoll_wait, network)  \
    X(epoll_pwait, network) X(epoll_pwait2, network)                                 \
    X(pthread_mutex_lock, lock) X(pthread_rwlock_rdlock, lock)                       \
    X(pthread_rwlock_wrlock, lock) X(sem_wait, lock) X(sem_timedwait, lock)          \
    X(flock, lock) X(fcntl, lock)                                                    \
    X(pthread_cond_wait, wait) X(pthread_cond_timedwait, wait) X(pthread_join, wait) \
    X(waitpid, wait) X(wait4, wait)                                                  \
    X(nanosleep, sleep) X(clock_nanosleep, sleep) X(usleep, sleep) X(sleep, sleep)

enum class BlockCall : uint8_t {
#define SIAGENT_BLOCK_CALL_ENUM(call, category) call,
    SIAGENT_BLOCK_CALLS(SIAGENT_BLOCK_CALL_ENUM)
#undef SIAGENT_BLOCK_CALL_ENUM
        count
};

inline constexpr int kBlockCalls = static_cast<int>(BlockCall::count);

// The libc name of `call`, e.g. "pthread_mutex_lock".
const char* block_call_name(BlockCall call);
BlockCategory block_call_category(BlockCall call);
// "io", "network", "lock", "wait", "sleep".
const char* block_category_name(BlockCategory category);

}  // namespace siagent
