#include "core/block/nonblocking_descriptors.h"
#include "core/fork_child_code.h"

namespace siagent {

std::atomic<uint64_t> nonblocking_detail::words[kTrackedDescriptors / 64];

// signal-safe, malloc-safe. Writes only when the bit changes: a page of the table stays a
// zero page in processes that never make a non-blocking descriptor.
SIAGENT_FORK_CHILD_CODE int note_descriptor_mode(int fd, bool nonblocking) {
    if (fd < 0 || fd >= kTrackedDescriptors || known_nonblocking(fd) == nonblocking) return fd;
    const uint64_t bit = uint64_t{1} << (fd & 63);
    auto& word = nonblocking_detail::words[fd >> 6];
    if (nonblocking) word.fetch_or(bit, std::memory_order_relaxed);
    else word.fetch_and(~bit, std::memory_order_relaxed);
    return fd;
}

// signal-safe, malloc-safe.
SIAGENT_FORK_CHILD_CODE void forget_descriptor_modes(unsigned first, unsigned last) {
    if (first >= static_cast<unsigned>(kTrackedDescriptors)) return;
    if (last >= static_cast<unsigned>(kTrackedDescriptors)) last = kTrackedDescriptors - 1;
    for (unsigned index = first >> 6; index <= last >> 6; ++index) {
        const unsigned low = index << 6;
        uint64_t mask = ~uint64_t{0};
        if (first > low) mask &= ~uint64_t{0} << (first - low);
        if (last < low + 63) mask &= ~uint64_t{0} >> (low + 63 - last);
        if (nonblocking_detail::words[index].load(std::memory_order_relaxed) & mask)
            nonblocking_detail::words[index].fetch_and(~mask, std::memory_order_relaxed);
    }
}

}  // namespace siagent
