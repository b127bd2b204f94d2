#include "core/agent_descriptors.h"
#include "core/fork_child_code.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

namespace siagent {
namespace {

constexpr int kBitsPerWord = 64;
constexpr int kWords = kTrackedLimit / kBitsPerWord;

// Relaxed throughout: a bit says only "this number is the agent's"; nothing else is
// published through it, and the descriptor itself is made or closed by the kernel before
// the bit is set or after it is cleared.
constinit std::atomic<uint64_t> owned[kWords] = {};
constinit std::atomic<uint64_t> lost[kWords] = {};
constinit std::atomic<bool> some_lost{false};
// What each registered number held when it was adopted (identity_of; 0: not known). Written
// before the number's bit is set; read only for numbers whose bit is set.
constinit std::atomic<uint64_t> adopted_identity[kTrackedLimit] = {};

bool tracked(int fd) { return fd >= 0 && fd < kTrackedLimit; }
uint64_t bit(int fd) { return uint64_t{1} << (fd % kBitsPerWord); }

// The file type, device and inode behind `fd`, mixed into one nonzero word; 0 when fstat
// fails. signal-safe.
SIAGENT_FORK_CHILD_CODE uint64_t identity_of(int fd) {
    struct stat status {};
    if (fstat(fd, &status) != 0) return 0;
    const uint64_t mixed = static_cast<uint64_t>(status.st_ino) * 0x9E3779B97F4A7C15ull ^
                           static_cast<uint64_t>(status.st_dev) ^
                           static_cast<uint64_t>(status.st_mode & S_IFMT) << 40;
    return mixed | 1;
}

// Whether `fd` (registered) is open, close-on-exec, and the file adopted there. signal-safe.
SIAGENT_FORK_CHILD_CODE bool holds_adopted_file(int fd) {
    const int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || (flags & FD_CLOEXEC) == 0) return false;
    const uint64_t adopted = adopted_identity[fd].load(std::memory_order_relaxed);
    return adopted == 0 || identity_of(fd) == adopted;
}

}  // namespace

int descriptor_floor() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 3;
    rlim_t soft = limit.rlim_cur;
    if (soft == RLIM_INFINITY || soft >= 128 + 64) return kUsualFloor;
    if (soft >= 128) return static_cast<int>(soft) - 64;
    return soft > 6 ? static_cast<int>(soft) - 3 : 3;
}

int adopt_descriptor(int fd) {
    if (fd < 0) return fd;
    int saved_errno = errno;
    int floor = descriptor_floor();
    int moved = fd >= floor ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (moved >= 0 && tracked(moved)) {
        close(fd);
        fd = moved;
    } else {
        if (moved >= 0) close(moved);
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
    if (tracked(fd)) {
        adopted_identity[fd].store(identity_of(fd), std::memory_order_relaxed);
        lost[fd / kBitsPerWord].fetch_and(~bit(fd), std::memory_order_relaxed);
        owned[fd / kBitsPerWord].fetch_or(bit(fd), std::memory_order_relaxed);
    }
    errno = saved_errno;
    return fd;
}

SIAGENT_FORK_CHILD_CODE void forget_descriptor(int fd) {
    if (!tracked(fd)) return;
    owned[fd / kBitsPerWord].fetch_and(~bit(fd), std::memory_order_relaxed);
    lost[fd / kBitsPerWord].fetch_and(~bit(fd), std::memory_order_relaxed);
}

SIAGENT_FORK_CHILD_CODE bool is_agent_descriptor(int fd) {
    return tracked(fd) && (owned[fd / kBitsPerWord].load(std::memory_order_relaxed) & bit(fd)) != 0;
}

SIAGENT_FORK_CHILD_CODE bool agent_still_holds(int fd) {
    if (!is_agent_descriptor(fd)) return false;
    if (holds_adopted_file(fd)) return true;
    forget_descriptor(fd);
    return false;
}

SIAGENT_FORK_CHILD_CODE bool is_lost_descriptor(int fd) {
    return tracked(fd) && (lost[fd / kBitsPerWord].load(std::memory_order_relaxed) & bit(fd)) != 0;
}

SIAGENT_FORK_CHILD_CODE void mark_descriptor_lost(int fd) {
    if (!tracked(fd)) return;
    owned[fd / kBitsPerWord].fetch_and(~bit(fd), std::memory_order_relaxed);
    lost[fd / kBitsPerWord].fetch_or(bit(fd), std::memory_order_relaxed);
    some_lost.store(true, std::memory_order_relaxed);
}

bool any_descriptor_lost() { return some_lost.load(std::memory_order_relaxed); }

void close_inherited_descriptors() {
    some_lost.store(false, std::memory_order_relaxed);
    for (int word = 0; word < kWords; ++word) {
        uint64_t bits = owned[word].exchange(0, std::memory_order_relaxed);
        lost[word].store(0, std::memory_order_relaxed);
        while (bits != 0) {
            int fd = word * kBitsPerWord + __builtin_ctzll(bits);
            bits &= bits - 1;
            if (holds_adopted_file(fd)) close(fd);
        }
    }
}

bool find_agent_descriptor(unsigned first, unsigned last, int& next) {
    if (first >= static_cast<unsigned>(kTrackedLimit) || first > last) return false;
    unsigned end = last < static_cast<unsigned>(kTrackedLimit) ? last : kTrackedLimit - 1;
    for (unsigned word = first / kBitsPerWord; word <= end / kBitsPerWord; ++word) {
        uint64_t bits = owned[word].load(std::memory_order_relaxed);
        if (word == first / kBitsPerWord) bits &= ~uint64_t{0} << (first % kBitsPerWord);
        while (bits != 0) {
            unsigned fd = word * kBitsPerWord + static_cast<unsigned>(__builtin_ctzll(bits));
            bits &= bits - 1;
            if (fd > end) return false;
            if (!agent_still_holds(static_cast<int>(fd))) continue;
            next = static_cast<int>(fd);
            return true;
        }
    }
    return false;
}

}  // namespace siagent
